package dev.cairn.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.InvalidParameterException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class DynamoDbRetriesTest {
  private static final Properties NONE = new Properties();

  @Test
  void maxAttempts_defaultsToTen() {
    assertThat(DynamoDbRetries.maxAttempts(Map.of(), NONE)).isEqualTo(10);
  }

  @Test
  void maxAttempts_fromAwsMaxAttempts_andTheSystemPropertyWins() {
    assertThat(DynamoDbRetries.maxAttempts(Map.of("AWS_MAX_ATTEMPTS", "3"), NONE)).isEqualTo(3);
    Properties properties = new Properties();
    properties.setProperty("aws.maxAttempts", "5");
    assertThat(DynamoDbRetries.maxAttempts(Map.of("AWS_MAX_ATTEMPTS", "3"), properties))
        .isEqualTo(5);
  }

  @Test
  void maxAttempts_rejectsWhatIsNotAnAttemptCount_sayingTheFix() {
    assertThatThrownBy(() -> DynamoDbRetries.maxAttempts(Map.of("AWS_MAX_ATTEMPTS", "0"), NONE))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "AWS_MAX_ATTEMPTS='0' is not a number of attempts >= 1. Fix: set it to e.g. 10, or"
                + " unset it for the default");
    assertThatThrownBy(() -> DynamoDbRetries.maxAttempts(Map.of("AWS_MAX_ATTEMPTS", "x"), NONE))
        .hasMessageStartingWith("AWS_MAX_ATTEMPTS='x' is not a number of attempts");
  }

  @Test
  void configure_setsTheAttemptsOnTheSdkClientsRetryStrategy() {
    try (DynamoDbClient client =
        DynamoDbClient.builder()
            .region(Region.US_EAST_1)
            .httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(o -> o.retryStrategy(DynamoDbRetries.configure(7)))
            .build()) {
      RetryStrategy strategy =
          client.serviceClientConfiguration().overrideConfiguration().retryStrategy().orElseThrow();
      assertThat(strategy.maxAttempts()).isEqualTo(7);
    }
  }
}
