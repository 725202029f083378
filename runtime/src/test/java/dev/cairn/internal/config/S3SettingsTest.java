package dev.cairn.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.InvalidParameterException;
import dev.cairn.internal.delta.S3ConditionalPutLogStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** S3A configured from the AWS SDK's standard settings, and never from a secret. */
class S3SettingsTest {

  @Test
  void endpointOverride_givesPathStyleAccess_andTheRegion_withTheDefaultCredentialsChain() {
    S3Settings s3 =
        S3Settings.fromEnvironment(
            Map.of(
                "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000",
                "AWS_REGION", "eu-west-1",
                "AWS_SECRET_ACCESS_KEY", "never-copied"));

    assertThat(s3.hadoopSettings())
        .containsEntry("fs.s3a.endpoint", "http://127.0.0.1:9000")
        .containsEntry("fs.s3a.path.style.access", "true")
        .containsEntry("fs.s3a.connection.ssl.enabled", "false")
        .containsEntry("fs.s3a.endpoint.region", "eu-west-1")
        .containsEntry("fs.s3a.aws.credentials.provider", S3Settings.DEFAULT_CREDENTIALS_CHAIN)
        .doesNotContainValue("never-copied")
        .doesNotContainKeys("fs.s3a.access.key", "fs.s3a.secret.key");
  }

  @Test
  void noEndpoint_leavesS3AToAws_virtualHostStyle() {
    S3Settings s3 = S3Settings.fromEnvironment(Map.of("AWS_DEFAULT_REGION", "us-west-2"));

    assertThat(s3.hadoopSettings())
        .containsEntry("fs.s3a.endpoint.region", "us-west-2")
        .doesNotContainKeys("fs.s3a.endpoint", "fs.s3a.path.style.access");
  }

  @Test
  void theGeneralEndpointVariable_isTheFallback() {
    S3Settings s3 = S3Settings.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "https://s3.local:443"));

    assertThat(s3.hadoopSettings())
        .containsEntry("fs.s3a.endpoint", "https://s3.local:443")
        .containsEntry("fs.s3a.connection.ssl.enabled", "true");
  }

  @Test
  void anEndpointThatIsNotAnHttpUrl_isRefusedNamingTheVariable() {
    assertThatThrownBy(
            () -> S3Settings.fromEnvironment(Map.of("AWS_ENDPOINT_URL_S3", "127.0.0.1:9000")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("AWS_ENDPOINT_URL_S3='127.0.0.1:9000' is not an http(s) URL")
        .hasMessageContaining("http://127.0.0.1:9000");
  }

  @Test
  void sparkSession_commitsOnS3ThroughTheConditionalPutLogStore_andGivenSettingsWin() {
    S3Settings s3 =
        S3Settings.fromEnvironment(Map.of("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"));

    Map<String, String> settings =
        Spark.settings(
            "local[*]",
            List.of(),
            "cairn j",
            Map.of("spark.hadoop.fs.s3a.endpoint", "http://given:1"),
            s3);

    assertThat(settings)
        .containsEntry("spark.delta.logStore.s3a.impl", S3ConditionalPutLogStore.class.getName())
        .containsEntry("spark.delta.logStore.s3.impl", S3ConditionalPutLogStore.class.getName())
        .containsEntry("spark.hadoop.fs.s3a.path.style.access", "true")
        .doesNotContainKey("spark.hadoop.fs.s3a.endpoint");
  }
}
