package dev.cairn.internal.engine;

import static dev.cairn.internal.engine.ThreeStageJob.CLEAN;
import static dev.cairn.internal.engine.ThreeStageJob.INGEST;
import static dev.cairn.internal.engine.ThreeStageJob.REPORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.RunInterruptedException;
import dev.cairn.internal.interrupt.Interruption;
import dev.cairn.internal.interrupt.Notice;
import dev.cairn.internal.metrics.StageObserver;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stop request (Spot notice, SIGTERM): no new stage, INTERRUPTED, lease released. */
class RunExecutorInterruptTest {
  private final Harness h = new Harness();
  private final LeaseHolder first = Harness.remote("first", 101);
  private final LeaseHolder second = Harness.remote("second", 202);

  private Notice spotNotice(Duration fromNow) {
    return new Notice(
        Notice.Kind.SPOT_INTERRUPTION,
        h.clock.instant().plus(fromNow),
        "EC2 Spot interruption notice: terminate at " + h.clock.instant().plus(fromNow));
  }

  @Test
  void noticeDuringAStage_letsItCommit_thenStopsBeforeTheNext_andReleasesTheLease() {
    h.job.onNextCompute(CLEAN, c -> h.interruption.request(spotNotice(Duration.ofMinutes(2))));

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(RunInterruptedException.class)
        .hasMessage(
            "run "
                + h.runId
                + " was interrupted (EC2 Spot interruption notice: terminate at"
                + " 2026-01-01T00:02:00Z; stopped at stage report). It is recorded INTERRUPTED and"
                + " its lease is released; committed stages stay committed. Fix: `cairn resume "
                + h.runId
                + "` (on this or any machine) continues from stage report");

    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(h.store.stages(h.runId)).extracting(s -> s.stage()).doesNotContain(REPORT);
    assertThat(h.run().status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(h.run().holder()).isEmpty();
    assertThat(h.run().reason()).contains("EC2 Spot interruption notice");
    assertThat(h.store.events(h.runId))
        .extracting(RunEvent::type)
        .endsWith(RunEvent.Type.STAGE_COMMITTED, RunEvent.Type.RUN_INTERRUPTED);
  }

  @Test
  void afterAnInterruption_theNextDriverStartsAtOnce_withoutWaitingForTheLease() {
    h.job.onNextCompute(INGEST, c -> h.interruption.request(spotNotice(Duration.ofMinutes(2))));
    assertThatThrownBy(() -> h.run(first)).isInstanceOf(RunInterruptedException.class);

    h.interruption = new Interruption(); // the next driver, in a process never told to stop
    RunOutcome resumed = h.run(second);

    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.skipped()).containsExactly(INGEST);
    assertThat(resumed.executed()).containsExactly(CLEAN, REPORT);
    assertThat(h.job.computeCalls(INGEST)).isEqualTo(1);
  }

  @Test
  void stageThatFailsWhileStopping_isRecordedInterrupted_notRetried() {
    h.job.onNextCompute(
        CLEAN,
        c -> {
          h.interruption.request(spotNotice(Duration.ofSeconds(5)));
          throw new IllegalStateException("Job 7 cancelled part of cancelled job group");
        });

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(RunInterruptedException.class)
        .hasMessageContaining("stopped at stage clean")
        .hasMessageContaining("continues from stage clean");

    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.FAILED);
    assertThat(h.stage(CLEAN).errorClass()).contains("INTERRUPTED");
    assertThat(h.sleeps).isEmpty();
    assertThat(h.run().status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(h.run().holder()).isEmpty();
  }

  @Test
  void stageStillComputingAtDeadlineMinusMargin_hasItsSparkJobsCancelled() throws Exception {
    RecordingObserver observer = new RecordingObserver();
    h.job.onNextCompute(
        CLEAN,
        c -> {
          // Deadline inside the 10 s margin: the stage in flight is cancelled at once.
          h.interruption.request(spotNotice(Duration.ofSeconds(3)));
          try {
            assertThat(observer.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("cancelled");
        });

    assertThatThrownBy(() -> h.driver(first, FaultPoints.NONE, observer).run(h.job, h.parameters))
        .isInstanceOf(RunInterruptedException.class);

    assertThat(observer.cancels).containsExactly("cairn:" + h.runId + ":clean:1");
  }

  @Test
  void noticeWithNoTimeLeftAsAStageStarts_keepsItFromComputing_andStopsInterrupted() {
    FaultPoints noticeAtReportStart =
        (stage, window) -> {
          if (stage.equals(REPORT) && window == FaultPoints.Window.AFTER_START) {
            // SIGTERM's 10 s grace inside the 10 s margin: no time left to commit.
            h.interruption.request(spotNotice(Duration.ofSeconds(10)));
          }
        };

    assertThatThrownBy(() -> h.driver(first, noticeAtReportStart).run(h.job, h.parameters))
        .isInstanceOf(RunInterruptedException.class)
        .hasMessageContaining("stopped at stage report")
        .hasMessageContaining("continues from stage report");

    assertThat(h.job.computeCalls(REPORT)).as("report computed").isZero();
    assertThat(h.stage(REPORT).status()).isEqualTo(StageStatus.FAILED);
    assertThat(h.stage(REPORT).errorClass()).contains("INTERRUPTED");
    assertThat(h.run().status()).isEqualTo(RunStatus.INTERRUPTED);
  }

  @Test
  void noticeBeforeTheFirstStage_startsNothing() {
    h.interruption.request(spotNotice(Duration.ofMinutes(2)));

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(RunInterruptedException.class)
        .hasMessageContaining("stopped at stage ingest");
    assertThat(h.store.stages(h.runId)).isEmpty();
    assertThat(h.run().status()).isEqualTo(RunStatus.INTERRUPTED);
  }

  private static final class RecordingObserver implements StageObserver {
    final List<String> cancels = new CopyOnWriteArrayList<>();
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void begin(String group, String description) {}

    @Override
    public StageMetrics end(String group, long durationMs) {
      return StageMetrics.ofDuration(durationMs);
    }

    @Override
    public void cancel(String group) {
      cancels.add(group);
      cancelled.countDown();
    }
  }
}
