package dev.cairn.internal.config;

import dev.cairn.InvalidParameterException;
import dev.cairn.internal.errors.ConfigErrors;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * How often the checkpoint store's DynamoDB client tries one request: throttling, 5xx and I/O
 * errors (a dropped connection) are retried by the SDK itself, with exponential backoff and jitter,
 * up to {@link #maxAttempts} attempts in all.
 *
 * <p>Stated here rather than left to the SDK's DynamoDB default, which is 9 attempts today, 4 under
 * the SDK's newer retry behaviour, and ignores {@code AWS_MAX_ATTEMPTS}. With a quarter of requests
 * failing, 4 attempts lose about one request in 250 and a run makes hundreds; 10 lose one in a
 * million. The retry mode (legacy, standard, adaptive: which errors count as throttling and how
 * long they wait) stays the SDK's, from {@code AWS_RETRY_MODE} / {@code aws.retryMode} / the
 * profile's {@code retry_mode}.
 *
 * <p>The SDK retries a write whose connection dropped after the server applied it; the store
 * recognises its own earlier attempt when the retry is refused (see {@code
 * DynamoDbCheckpointStore}).
 */
public final class DynamoDbRetries {
  /** Attempts per request unless {@code AWS_MAX_ATTEMPTS} or {@code aws.maxAttempts} says. */
  public static final int DEFAULT_MAX_ATTEMPTS = 10;

  /** The SDK's DynamoDB base delay (its general default is 100 ms); capped at its 20 s. */
  private static final BackoffStrategy BACKOFF =
      BackoffStrategy.exponentialDelay(Duration.ofMillis(25), Duration.ofSeconds(20));

  private DynamoDbRetries() {}

  /**
   * Attempts per request: the system property {@code aws.maxAttempts}, else the environment
   * variable {@code AWS_MAX_ATTEMPTS} (the SDK's own order), else {@link #DEFAULT_MAX_ATTEMPTS}.
   *
   * @throws InvalidParameterException the setting is not a whole number of at least 1
   */
  public static int maxAttempts(Map<String, String> env, Properties systemProperties) {
    String property = systemProperties.getProperty("aws.maxAttempts");
    if (property != null && !property.isBlank()) {
      return parse("-Daws.maxAttempts", property);
    }
    String variable = env.get("AWS_MAX_ATTEMPTS");
    if (variable != null && !variable.isBlank()) {
      return parse("AWS_MAX_ATTEMPTS", variable);
    }
    return DEFAULT_MAX_ATTEMPTS;
  }

  /** Applies {@code maxAttempts} and the backoff to the retry mode's own strategy. */
  public static Consumer<RetryStrategy.Builder<?, ?>> configure(int maxAttempts) {
    return strategy -> strategy.maxAttempts(maxAttempts).backoffStrategy(BACKOFF);
  }

  private static int parse(String name, String value) {
    try {
      int attempts = Integer.parseInt(value.strip());
      if (attempts >= 1) {
        return attempts;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw ConfigErrors.notANumberOfAttempts(name, value, DEFAULT_MAX_ATTEMPTS);
  }
}
