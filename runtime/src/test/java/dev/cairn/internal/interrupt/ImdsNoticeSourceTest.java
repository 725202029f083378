package dev.cairn.internal.interrupt;

import static org.apache.logging.log4j.Level.DEBUG;
import static org.apache.logging.log4j.Level.WARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.cairn.testing.CapturedLog;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/** Spot notices read over IMDSv2 from a local endpoint that behaves like EC2's. */
class ImdsNoticeSourceTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
  private ImdsStub imds;

  @AfterEach
  void stop() {
    if (imds != null) {
      imds.close();
    }
  }

  private ImdsNoticeSource source(URI endpoint, boolean drainOnRebalance) {
    return source(endpoint, drainOnRebalance, false);
  }

  private ImdsNoticeSource source(URI endpoint, boolean drainOnRebalance, boolean configured) {
    return new ImdsNoticeSource(
        Ec2MetadataClient.builder().endpoint(endpoint).retryPolicy(r -> r.numRetries(0)).build(),
        CLOCK,
        drainOnRebalance,
        configured);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** What the watcher logs when {@code source} turns out unusable on the first poll. */
  private static CapturedLog watchOnce(NoticeSource source) {
    CapturedLog log = CapturedLog.of(InterruptionWatcher.class);
    try (InterruptionWatcher watcher =
        new InterruptionWatcher(
            List.of(source), new Interruption(), Duration.ofHours(1), Duration.ZERO, CLOCK)) {
      watcher.pollOnce();
    } finally {
      log.close();
    }
    return log;
  }

  @Test
  void noInstanceAction_isNoNotice_andReadsUseAnImdsV2Token() throws Exception {
    imds = new ImdsStub();
    try (ImdsNoticeSource source = source(imds.endpoint(), false)) {
      assertThat(source.poll()).isEmpty();
      assertThat(source.poll()).isEmpty();
    }
    assertThat(imds.tokenRequests.get()).isPositive();
    assertThat(imds.unauthorized.get()).isZero();
  }

  @Test
  void instanceLifeCycle_saysWhetherThisIsASpotInstance_askedOnce() throws Exception {
    imds = new ImdsStub();
    imds.serve(ImdsNoticeSource.LIFE_CYCLE, "spot");
    try (ImdsNoticeSource source = source(imds.endpoint(), false)) {
      assertThat(source.onSpot()).as("before IMDS answered").isFalse();
      source.poll();
      assertThat(source.onSpot()).isTrue();
    }
    imds.serve(ImdsNoticeSource.LIFE_CYCLE, "on-demand");
    try (ImdsNoticeSource source = source(imds.endpoint(), false)) {
      source.poll();
      assertThat(source.onSpot()).isFalse();
    }
  }

  @Test
  void terminateNotice_isASpotInterruption_withEc2sDeadline() throws Exception {
    imds = new ImdsStub();
    try (ImdsNoticeSource source = source(imds.endpoint(), false)) {
      assertThat(source.poll()).isEmpty();
      imds.serve(
          ImdsNoticeSource.INSTANCE_ACTION,
          "{\"action\": \"terminate\", \"time\": \"2026-03-01T10:02:00Z\"}");

      Notice notice = source.poll().orElseThrow();

      assertThat(notice.kind()).isEqualTo(Notice.Kind.SPOT_INTERRUPTION);
      assertThat(notice.deadline()).isEqualTo(Instant.parse("2026-03-01T10:02:00Z"));
      assertThat(notice.reason())
          .isEqualTo("EC2 Spot interruption notice: terminate at 2026-03-01T10:02:00Z");
    }
  }

  @Test
  void rebalanceRecommendation_drainsOnlyWhenAskedTo() throws Exception {
    imds = new ImdsStub();
    imds.serve(ImdsNoticeSource.REBALANCE, "{\"noticeTime\": \"2026-03-01T09:59:00Z\"}");

    try (ImdsNoticeSource ignoring = source(imds.endpoint(), false);
        ImdsNoticeSource draining = source(imds.endpoint(), true)) {
      assertThat(ignoring.poll()).isEmpty();
      Notice notice = draining.poll().orElseThrow();
      assertThat(notice.kind()).isEqualTo(Notice.Kind.REBALANCE_RECOMMENDATION);
      assertThat(notice.deadline()).isEqualTo(CLOCK.instant().plus(Duration.ofMinutes(2)));
    }
  }

  @Test
  void unreachableEndpoint_isReportedUnavailable_andTheWatcherStopsPollingIt() throws Exception {
    ImdsNoticeSource source = source(URI.create("http://127.0.0.1:" + closedPort()), false);

    assertThatThrownBy(source::poll)
        .isInstanceOfSatisfying(
            NoticeSource.NoticeSourceUnavailableException.class,
            e -> assertThat(e.unexpected()).as("worth a warning").isFalse())
        .hasMessageStartingWith("the EC2 instance metadata service is not reachable");
    // Off EC2: said once at DEBUG, and the watcher does not poll the source again.
    Interruption interruption = new Interruption();
    try (CapturedLog log = CapturedLog.of(InterruptionWatcher.class);
        InterruptionWatcher watcher =
            new InterruptionWatcher(
                List.of(source(URI.create("http://127.0.0.1:" + closedPort()), false)),
                interruption,
                Duration.ofHours(1),
                Duration.ZERO,
                CLOCK)) {
      watcher.pollOnce();
      watcher.pollOnce();

      assertThat(log.at(DEBUG))
          .singleElement(STRING)
          .startsWith(
              "Not polling for interruption notices: the EC2 instance metadata service is not"
                  + " reachable");
      assertThat(log.at(WARN)).isEmpty();
    }
    assertThat(interruption.requested()).isEmpty();
  }

  @Test
  void endpointThatRefusesMetadataFromTheStart_isUnavailable_notPolledForever() throws Exception {
    imds = new ImdsStub();
    imds.refuseWith(403);

    try (ImdsNoticeSource source = source(imds.endpoint(), false)) {
      assertThatThrownBy(source::poll)
          .isInstanceOf(NoticeSource.NoticeSourceUnavailableException.class)
          .hasMessage(
              "the instance metadata endpoint answered 403 for "
                  + ImdsNoticeSource.INSTANCE_ACTION);
    }
  }

  @Test
  void endpointThatAnswersButIsRefused_orOneSetExplicitly_isUnavailableWithAWarning()
      throws Exception {
    imds = new ImdsStub();
    imds.omitTokenTtl();
    assertThatThrownBy(source(imds.endpoint(), false)::poll)
        .isInstanceOfSatisfying(
            NoticeSource.NoticeSourceUnavailableException.class,
            e -> assertThat(e.unexpected()).isTrue())
        .hasMessageStartingWith("the instance metadata endpoint answered but cannot be used: ");
    assertThat(watchOnce(source(imds.endpoint(), false)).at(WARN))
        .singleElement(STRING)
        .startsWith(
            "Not watching for EC2 Spot interruption notices: the instance metadata endpoint"
                + " answered but cannot be used")
        .contains("Fix: let this process use IMDSv2");

    imds.close();
    imds = new ImdsStub();
    imds.refuseWith(403);
    assertThat(watchOnce(source(imds.endpoint(), false)).at(WARN))
        .singleElement(STRING)
        .contains("the instance metadata endpoint answered 403 for ");

    URI nothingThere = URI.create("http://127.0.0.1:" + closedPort());
    assertThat(watchOnce(source(nothingThere, false, true)).at(WARN))
        .singleElement(STRING)
        .contains("the configured instance metadata endpoint is not reachable: ");
  }

  @Test
  void endpointSetThroughTheSdksSetting_isConfigured() {
    assertThat(
            ImdsNoticeSource.configuredEndpoint(
                Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254")))
        .hasValue("http://169.254.169.254");
    assertThat(ImdsNoticeSource.configuredEndpoint(Map.of())).isEmpty();
  }

  @Test
  void watcher_turnsANoticeIntoTheInterruption() throws Exception {
    imds = new ImdsStub();
    imds.serve(
        ImdsNoticeSource.INSTANCE_ACTION,
        "{\"action\": \"stop\", \"time\": \"2026-03-01T10:02:00Z\"}");
    Interruption interruption = new Interruption();

    try (InterruptionWatcher watcher =
        new InterruptionWatcher(
            List.of(source(imds.endpoint(), false)),
            interruption,
            Duration.ofHours(1),
            Duration.ZERO,
            CLOCK)) {
      watcher.pollOnce();
    }

    assertThat(interruption.requested())
        .hasValueSatisfying(n -> assertThat(n.reason()).contains("stop at 2026-03-01T10:02:00Z"));
  }

  @Test
  void metadataDisabled_byTheSdksOwnSetting_meansNoSource() {
    assertThat(ImdsNoticeSource.fromEnvironment(Map.of("AWS_EC2_METADATA_DISABLED", "true"), CLOCK))
        .isEmpty();
  }
}
