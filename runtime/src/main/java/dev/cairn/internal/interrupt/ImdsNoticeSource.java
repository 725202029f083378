package dev.cairn.internal.interrupt;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataClientException;
import software.amazon.awssdk.imds.Ec2MetadataResponse;

/**
 * EC2 Spot interruption notices from the instance metadata service (IMDSv2, through the AWS SDK's
 * {@link Ec2MetadataClient}, which takes its endpoint from {@code
 * AWS_EC2_METADATA_SERVICE_ENDPOINT} or the profile like every SDK client).
 *
 * <p>Polls {@code spot/instance-action} ({@code {"action": "terminate", "time": "..."}}, 404 while
 * there is none) and {@code events/recommendations/rebalance}. A rebalance recommendation is only
 * logged unless {@code drainOnRebalance}: it says the risk rose, not that the instance goes.
 *
 * <p>Once IMDS answers, it also reads {@code instance-life-cycle} once: {@link #onSpot()} says
 * whether this is a Spot instance (chunk sizing then fits chunks in the 2-minute notice).
 *
 * <p>Off EC2 the first poll fails to connect within a second; the source then reports itself
 * unavailable and is not polled again. When instead something answers but cannot be used (a 403
 * from a metadata firewall, a token response the SDK refuses), or the endpoint was set explicitly,
 * the unavailability is {@linkplain NoticeSourceUnavailableException#unexpected() unexpected}: on a
 * misconfigured Spot node notices would never be seen, so the watcher warns.
 */
public final class ImdsNoticeSource implements NoticeSource {
  private static final Logger LOG = LogManager.getLogger(ImdsNoticeSource.class);
  static final String INSTANCE_ACTION = "/latest/meta-data/spot/instance-action";
  static final String REBALANCE = "/latest/meta-data/events/recommendations/rebalance";
  static final String LIFE_CYCLE = "/latest/meta-data/instance-life-cycle";

  /** How long before termination a rebalance-driven drain assumes it has. */
  static final Duration REBALANCE_DRAIN = Duration.ofMinutes(2);

  private final Ec2MetadataClient client;
  private final Clock clock;
  private final boolean drainOnRebalance;
  private final boolean configured;
  private boolean reached;
  private boolean rebalanceLogged;
  private boolean errorLogged;
  private boolean lifeCycleAsked;
  private volatile boolean spot;

  /**
   * @param configured whether the endpoint was set explicitly (so failing to reach it is a
   *     misconfiguration, not "not on EC2")
   */
  ImdsNoticeSource(
      Ec2MetadataClient client, Clock clock, boolean drainOnRebalance, boolean configured) {
    this.client = client;
    this.clock = clock;
    this.drainOnRebalance = drainOnRebalance;
    this.configured = configured;
  }

  /**
   * The source for this process, or empty when {@code AWS_EC2_METADATA_DISABLED} is true (the SDK's
   * own setting, as environment variable or system property).
   */
  public static Optional<ImdsNoticeSource> fromEnvironment(Map<String, String> env, Clock clock) {
    boolean disabled =
        Boolean.parseBoolean(
            env.getOrDefault(
                "AWS_EC2_METADATA_DISABLED",
                System.getProperty(
                    SdkSystemSetting.AWS_EC2_METADATA_DISABLED.property(), "false")));
    if (disabled) {
      return Optional.empty();
    }
    Ec2MetadataClient client =
        Ec2MetadataClient.builder()
            .httpClient(
                ApacheHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(1))
                    .socketTimeout(Duration.ofSeconds(2)))
            .retryPolicy(r -> r.numRetries(1))
            .build();
    return Optional.of(
        new ImdsNoticeSource(
            client,
            clock,
            Boolean.parseBoolean(env.getOrDefault("CAIRN_DRAIN_ON_REBALANCE", "false")),
            configuredEndpoint(env).isPresent()));
  }

  /**
   * The endpoint set explicitly through the SDK's settings (environment, system property), if any.
   * A profile's {@code ec2_metadata_service_endpoint} is not seen here: such a node warns only when
   * something answers.
   */
  static Optional<String> configuredEndpoint(Map<String, String> env) {
    String setting = SdkSystemSetting.AWS_EC2_METADATA_SERVICE_ENDPOINT.environmentVariable();
    String value =
        env.getOrDefault(
            setting,
            System.getProperty(SdkSystemSetting.AWS_EC2_METADATA_SERVICE_ENDPOINT.property()));
    return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
  }

  /** Whether IMDS said this is a Spot instance; false until it answered, and off EC2. */
  public boolean onSpot() {
    return spot;
  }

  @Override
  public Optional<Notice> poll() {
    Optional<Ec2MetadataResponse> action = get(INSTANCE_ACTION);
    if (!lifeCycleAsked) {
      lifeCycleAsked = true;
      spot = get(LIFE_CYCLE).map(r -> r.asString().strip().equals("spot")).orElse(false);
    }
    if (action.isPresent()) {
      return Optional.of(spotNotice(action.get()));
    }
    Optional<Ec2MetadataResponse> rebalance = get(REBALANCE);
    if (rebalance.isPresent()) {
      if (drainOnRebalance) {
        return Optional.of(
            new Notice(
                Notice.Kind.REBALANCE_RECOMMENDATION,
                clock.instant().plus(REBALANCE_DRAIN),
                "EC2 rebalance recommendation (" + rebalance.get().asString() + ")"));
      }
      if (!rebalanceLogged) {
        rebalanceLogged = true;
        LOG.warn(
            "EC2 rebalance recommendation: this Spot instance is at elevated risk of interruption;"
                + " continuing (set CAIRN_DRAIN_ON_REBALANCE=true to stop at the next stage)");
      }
    }
    return Optional.empty();
  }

  /** The document at {@code path}, or empty when IMDS answers 404 (no such event). */
  private Optional<Ec2MetadataResponse> get(String path) {
    try {
      Ec2MetadataResponse response = client.get(path);
      reached = true;
      return Optional.of(response);
    } catch (Ec2MetadataClientException status) {
      if (status.statusCode() == 404) {
        reached = true;
        return Optional.empty();
      }
      if (!reached) {
        // Something answers at the metadata address but is not an IMDS this process may use
        // (403 from a proxy or a container's metadata firewall): as good as no IMDS.
        throw new NoticeSourceUnavailableException(
            "the instance metadata endpoint answered " + status.statusCode() + " for " + path,
            true,
            status);
      }
      if (!errorLogged) {
        errorLogged = true;
        LOG.warn("IMDS answered {} for {}; polling on (said once)", status.statusCode(), path);
      }
      return Optional.empty();
    } catch (SdkClientException unreachable) {
      if (!reached) {
        if (answered(unreachable)) {
          throw new NoticeSourceUnavailableException(
              "the instance metadata endpoint answered but cannot be used: "
                  + unreachable.getMessage(),
              true,
              unreachable);
        }
        throw new NoticeSourceUnavailableException(
            (configured
                    ? "the configured instance metadata endpoint is not reachable: "
                    : "the EC2 instance metadata service is not reachable (not on EC2?): ")
                + unreachable.getMessage(),
            configured,
            unreachable);
      }
      LOG.warn("IMDS did not answer for {}: {}; polling on", path, unreachable.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Whether {@code failure} came after a server answered (a response the SDK refused), as opposed
   * to no connection at all (refused, timed out, no route, unknown host).
   */
  private static boolean answered(SdkClientException failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof SocketTimeoutException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || t instanceof ConnectTimeoutException) {
        return false;
      }
    }
    return true;
  }

  private Notice spotNotice(Ec2MetadataResponse response) {
    String body = response.asString();
    String action = "interruption";
    Instant deadline = clock.instant().plus(REBALANCE_DRAIN);
    try {
      Document document = response.asDocument();
      Map<String, Document> fields = document.asMap();
      if (fields.containsKey("action")) {
        action = fields.get("action").asString();
      }
      if (fields.containsKey("time")) {
        deadline = Instant.parse(fields.get("time").asString());
      }
    } catch (RuntimeException unparsable) {
      // DateTimeParseException, or a body that is not the documented JSON: still a notice.
      LOG.warn("Spot instance-action not understood ({}); assuming 2 minutes", body);
    }
    return new Notice(
        Notice.Kind.SPOT_INTERRUPTION,
        deadline,
        "EC2 Spot interruption notice: " + action + " at " + deadline);
  }

  @Override
  public void close() {
    client.close();
  }
}
