package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.interrupt.Notice;
import dev.cairn.internal.metrics.StageObserver;
import dev.cairn.internal.store.StageMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stop notice cancels the stage in flight at deadline minus margin, and nothing else. */
class CancelTimerTest {
  private final Harness h = new Harness();
  private final RecordingObserver observer = new RecordingObserver();

  private RunServices services() {
    return RunServices.builder(
            h.store, h.tables, () -> null, h.clock, Harness.remote("driver", 101), Harness.SETTINGS)
        .observer(observer)
        .interruption(h.interruption)
        .build();
  }

  /** Inside the default 10 s margin: due at once. */
  private Notice noticeDueNow() {
    return new Notice(
        Notice.Kind.SPOT_INTERRUPTION, h.clock.instant().plus(Duration.ofSeconds(3)), "spot");
  }

  @Test
  void noticeInsideTheMargin_cancelsTheGroupInFlight() throws InterruptedException {
    try (CancelTimer cancel = CancelTimer.start("run-1", services())) {
      cancel.inFlight("cairn:run-1:clean:1");
      h.interruption.request(noticeDueNow());

      assertThat(observer.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(observer.cancels).containsExactly("cairn:run-1:clean:1");
  }

  @Test
  void noticeInsideTheMargin_withNothingInFlight_keepsTheNextStageFromComputing() {
    try (CancelTimer cancel = CancelTimer.start("run-1", services())) {
      h.interruption.request(noticeDueNow());

      assertThat(cancel.inFlight("cairn:run-1:report:1")).as("may begin computing").isFalse();
    }
    assertThat(observer.cancels).isEmpty();
  }

  @Test
  void noticeWithTimeLeft_letsTheNextStageCompute() {
    try (CancelTimer cancel = CancelTimer.start("run-1", services())) {
      h.interruption.request(
          new Notice(
              Notice.Kind.SPOT_INTERRUPTION,
              h.clock.instant().plus(Duration.ofMinutes(2)),
              "spot"));

      assertThat(cancel.inFlight("cairn:run-1:clean:1")).as("may begin computing").isTrue();
    }
  }

  @Test
  void afterClose_aNoticeSchedulesNothing() {
    CancelTimer cancel = CancelTimer.start("run-1", services());
    cancel.inFlight("cairn:run-1:clean:1");
    cancel.close();

    h.interruption.request(noticeDueNow());

    assertThat(observer.cancels).isEmpty();
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
