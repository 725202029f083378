package dev.cairn.internal.engine;

import static dev.cairn.internal.engine.RunExecutorTest.killAt;
import static dev.cairn.internal.engine.ThreeStageJob.CLEAN;
import static dev.cairn.internal.engine.ThreeStageJob.INGEST;
import static dev.cairn.internal.engine.ThreeStageJob.REPORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.RunHeldException;
import dev.cairn.internal.engine.FaultPoints.Window;
import dev.cairn.internal.engine.RunExecutorTest.Killed;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** One driver per run: the lease, takeover of dead or expired holders, and zombie fencing. */
class RunExecutorLeaseTest {
  private final Harness h = new Harness();

  @Test
  void secondDriver_whileTheLeaseIsHeld_isRefusedNamingTheHolder_andTheFirstCarriesOn() {
    LeaseHolder first = Harness.liveLocal("first");
    LeaseHolder second = Harness.remote("second", 102);
    AtomicReference<Throwable> refused = new AtomicReference<>();
    AtomicReference<RunRecord> runDuringRefusal = new AtomicReference<>();
    h.job.onNextCompute(
        INGEST,
        context -> {
          try {
            h.run(second);
          } catch (RunHeldException e) {
            refused.set(e);
          }
          runDuringRefusal.set(h.run());
        });

    RunOutcome outcome = h.run(first);

    assertThat(refused.get())
        .isInstanceOf(RunHeldException.class)
        .hasMessage(
            "run "
                + h.runId
                + " is held by host driver-host, pid "
                + ProcessHandle.current().pid()
                + " since 2026-01-01T00:00:00Z (lease expires 2026-01-01T00:02:00Z). Fix: wait"
                + " for it to finish and check `cairn status "
                + h.runId
                + "`; if that driver is dead on another host, run `cairn resume "
                + h.runId
                + "` after the lease expires");
    assertThat(runDuringRefusal.get().epoch()).isEqualTo(1);
    assertThat(runDuringRefusal.get().holder()).contains(first);
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.epoch()).isEqualTo(1);
    assertThat(outcome.executed()).containsExactly(INGEST, CLEAN, REPORT);
    assertThat(h.store.stages(h.runId)).extracting(StageRecord::epoch).containsOnly(1L);
    assertThat(h.store.stages(h.runId)).extracting(StageRecord::attempts).containsOnly(1);
    assertThat(h.job.computeCalls(INGEST)).isEqualTo(1);
  }

  @Test
  void resume_whileACrashedDriverOnAnotherHostHoldsTheLease_isRefusedUntilItExpires() {
    LeaseHolder crashed = Harness.remote("crashed", 101);
    LeaseHolder next = Harness.remote("next", 102);
    assertThatThrownBy(
            () -> h.driver(crashed, killAt(CLEAN, Window.AFTER_START)).run(h.job, h.parameters))
        .isInstanceOf(Killed.class)
        .hasMessage("killed at clean:after-start");

    h.clock.advance(Harness.TTL);
    assertThatThrownBy(() -> h.run(next))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("is held by host ip-10-0-0-101, pid 101")
        .hasMessageContaining("run `cairn resume " + h.runId + "` after the lease expires");
    assertThat(h.run().epoch()).isEqualTo(1);
    assertThat(h.run().holder()).contains(crashed);
    assertThat(h.stage(CLEAN).attempts()).isEqualTo(1);

    h.clock.advance(java.time.Duration.ofMillis(1));
    RunOutcome resumed = h.run(next);

    assertThat(resumed.epoch()).isEqualTo(2);
    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(h.stage(CLEAN).attempts()).isEqualTo(2);
  }

  @Test
  void resume_ofARunHeldByADeadProcessOnThisHost_takesItOverAtOnce() {
    LeaseHolder crashed = Harness.deadLocal("crashed");
    assertThatThrownBy(
            () -> h.driver(crashed, killAt(CLEAN, Window.AFTER_START)).run(h.job, h.parameters))
        .isInstanceOf(Killed.class)
        .hasMessage("killed at clean:after-start");

    RunOutcome resumed = h.run(Harness.remote("next", 102));

    assertThat(h.clock.instant()).isEqualTo(Harness.T0);
    assertThat(resumed.epoch()).isEqualTo(2);
    assertThat(resumed.executed()).containsExactly(CLEAN, REPORT);
    assertThat(h.stage(CLEAN).attempts()).isEqualTo(2);
  }

  @Test
  void zombieDriver_afterItsLeaseWasTakenOver_isFencedAndChangesNothing() {
    LeaseHolder zombie = Harness.remote("zombie", 101);
    LeaseHolder successor = Harness.remote("successor", 102);
    AtomicReference<StageRecord> cleanBySuccessor = new AtomicReference<>();
    AtomicReference<RunRecord> runBySuccessor = new AtomicReference<>();
    // While the zombie computes clean (paused by a long GC, say), its lease expires and the
    // successor takes over: it reruns clean, commits it, and is killed before report commits.
    h.job.onNextCompute(
        CLEAN,
        context -> {
          h.expireLease();
          assertThatThrownBy(
                  () ->
                      h.driver(successor, killAt(REPORT, Window.AFTER_START))
                          .run(h.job, h.parameters))
              .isInstanceOf(Killed.class)
              .hasMessage("killed at report:after-start");
          cleanBySuccessor.set(h.stage(CLEAN));
          runBySuccessor.set(h.run());
        });

    assertThatThrownBy(() -> h.run(zombie))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(
            "this driver lost run "
                + h.runId
                + " while moving stage clean to COMMITTED: the run is now held by host"
                + " ip-10-0-0-102, pid 102 at epoch 2, so this driver's writes are refused (epoch"
                + " fencing). Fix: nothing to do if the other driver is working; otherwise `cairn"
                + " resume "
                + h.runId
                + "`");

    assertThat(cleanBySuccessor.get().status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(cleanBySuccessor.get().epoch()).isEqualTo(2);
    assertThat(cleanBySuccessor.get().attempts()).isEqualTo(2);
    assertThat(h.stage(CLEAN)).isEqualTo(cleanBySuccessor.get());
    // Delta skipped the zombie's write: the successor's commit is the only one.
    String clean = h.location("clean_flights");
    assertThat(h.tables.commitsOf(clean, h.appId(CLEAN))).hasSize(1);
    assertThat(h.tables.writesFor(h.appId(CLEAN)))
        .last()
        .satisfies(w -> assertThat(w.outcome().orElseThrow().skippedDuplicate()).isTrue());

    Lease zombieLease = new Lease(h.runId, 1, zombie);
    assertThatThrownBy(
            () -> h.store.finishRun(zombieLease, RunStatus.SUCCEEDED, "", h.clock.instant()))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("while finishing the run as SUCCEEDED")
        .hasMessageContaining("(epoch fencing)");
    assertThat(h.run()).isEqualTo(runBySuccessor.get());
    assertThat(h.run().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(h.run().holder()).contains(successor);
  }
}
