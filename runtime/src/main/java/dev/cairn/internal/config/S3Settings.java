package dev.cairn.internal.config;

import dev.cairn.InvalidParameterException;
import dev.cairn.internal.errors.ConfigErrors;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How Cairn reaches S3, from the AWS SDK's standard settings, so that S3A (Spark's {@code s3a://}
 * file system), the Delta log store and the input planner all talk to the same endpoint. Immutable.
 *
 * <ul>
 *   <li>{@code AWS_ENDPOINT_URL_S3} (else {@code AWS_ENDPOINT_URL}): an S3-compatible endpoint
 *       (S3Proxy, MinIO, a VPC endpoint). When given, requests use path-style addressing ({@code
 *       http://host/bucket/key}), which every S3-compatible store serves.
 *   <li>{@code AWS_REGION} (else {@code AWS_DEFAULT_REGION}): the region to sign for.
 *   <li>Credentials: never read here. S3A is given the SDK's default chain (environment variables,
 *       system properties, web identity, profiles, container and instance profile credentials), so
 *       no secret ever passes through Cairn's configuration or logs.
 * </ul>
 *
 * <p>Every setting given to Spark as {@code spark.hadoop.fs.s3a.*} (spark-submit's {@code --conf},
 * {@code spark-defaults.conf}) wins over these.
 *
 * @param endpoint the endpoint override, if any
 * @param region the region, if given
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region) {

  /** The SDK's default credentials chain, as S3A instantiates it (its static {@code create()}). */
  static final String DEFAULT_CREDENTIALS_CHAIN =
      "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider";

  /** No endpoint override and no region: S3A's and the SDK's own defaults. */
  public static final S3Settings NONE = new S3Settings(Optional.empty(), Optional.empty());

  /**
   * Reads the settings from environment variables.
   *
   * @throws InvalidParameterException when the endpoint is not an http(s) URL
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    Optional<String> endpointVariable =
        Optional.ofNullable(env.get("AWS_ENDPOINT_URL_S3"))
            .filter(s -> !s.isBlank())
            .map(s -> "AWS_ENDPOINT_URL_S3")
            .or(
                () ->
                    Optional.ofNullable(env.get("AWS_ENDPOINT_URL"))
                        .filter(s -> !s.isBlank())
                        .map(s -> "AWS_ENDPOINT_URL"));
    Optional<URI> endpoint = endpointVariable.map(name -> parseEndpoint(name, env.get(name)));
    Optional<String> region =
        Optional.ofNullable(env.get("AWS_REGION"))
            .or(() -> Optional.ofNullable(env.get("AWS_DEFAULT_REGION")))
            .map(String::strip)
            .filter(s -> !s.isEmpty());
    return new S3Settings(endpoint, region);
  }

  /**
   * The Hadoop settings for S3A (keys without Spark's {@code spark.hadoop.} prefix): the endpoint
   * with path-style access, the region, and the SDK's default credentials chain.
   */
  public Map<String, String> hadoopSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("fs.s3a.aws.credentials.provider", DEFAULT_CREDENTIALS_CHAIN);
    endpoint.ifPresent(
        uri -> {
          settings.put("fs.s3a.endpoint", uri.toString());
          settings.put("fs.s3a.path.style.access", "true");
          settings.put(
              "fs.s3a.connection.ssl.enabled", Boolean.toString("https".equals(uri.getScheme())));
        });
    region.ifPresent(r -> settings.put("fs.s3a.endpoint.region", r));
    return settings;
  }

  private static URI parseEndpoint(String name, String value) {
    try {
      URI uri = new URI(value.strip());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException invalid) {
      // reported below
    }
    throw ConfigErrors.notAnS3Endpoint(name, value);
  }
}
