package dev.cairn.internal.engine;

import static dev.cairn.internal.engine.RunExecutorTest.killAt;
import static dev.cairn.internal.engine.ThreeStageJob.CLEAN;
import static dev.cairn.internal.engine.ThreeStageJob.INGEST;
import static dev.cairn.internal.engine.ThreeStageJob.REPORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.RunHeldException;
import dev.cairn.Stage;
import dev.cairn.StageFailedException;
import dev.cairn.internal.engine.FaultPoints.Window;
import dev.cairn.internal.engine.RunExecutorTest.Killed;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StoreUnavailableException;
import dev.cairn.testing.InMemoryTableStore.LoggedCommit;
import dev.cairn.testing.InMemoryTableStore.Read;
import dev.cairn.testing.InMemoryTableStore.Txn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code cairn rerun} against fakes: the plan, the invalidation (one atomic store write), the new
 * transaction generation the rerun's writes carry, and how resume and run treat a rerun run.
 */
class RerunTest {
  private static final String OPERATOR = "ops@admin-host";
  private final Harness h = new Harness();
  private final LeaseHolder first = Harness.remote("first", 101);
  private final LeaseHolder second = Harness.remote("second", 102);
  private final List<RerunPlan> recorded = new ArrayList<>();

  @Test
  void plan_fromAMiddleStage_isThatStageAndEverythingDownstream_withTheNextTxnVersions() {
    h.run(first);

    RerunPlan plan = plan(CLEAN, Map.of());

    assertThat(plan.stageNames()).containsExactly(CLEAN, REPORT);
    assertThat(plan.stages())
        .allSatisfy(
            s -> {
              assertThat(s.status()).isEqualTo(StageStatus.COMMITTED);
              assertThat(s.outputVersion()).isZero();
              assertThat(s.txnVersion()).isEqualTo(1);
              assertThat(s.nextTxnVersion()).isEqualTo(2);
              assertThat(s.output().mode()).isEqualTo(Output.Mode.OVERWRITE);
            });
    assertThat(plan.kept()).extracting(r -> r.stage()).containsExactly(INGEST);
    assertThat(plan.unfinished()).isEmpty();
    assertThat(plan.parameterChanges()).isEmpty();
    assertThat(plan.parameters()).isEqualTo(h.parameters.asMap());
  }

  @Test
  void plan_ofARunThatFailedUpstream_saysTheRerunAlsoCompletesThoseStages() {
    h.job.onNextCompute(
        INGEST,
        ctx -> {
          throw new IllegalStateException("disk full");
        });
    assertThatThrownBy(() -> h.run(first)).isInstanceOf(StageFailedException.class);

    RerunPlan plan = plan(REPORT, Map.of());

    assertThat(plan.stageNames()).containsExactly(REPORT);
    assertThat(plan.stages().get(0).status()).isEqualTo(StageStatus.PENDING);
    assertThat(plan.stages().get(0).nextTxnVersion()).as("never wrote: first txn").isEqualTo(1);
    assertThat(plan.unfinished())
        .extracting(r -> r.stage() + ":" + r.status())
        .containsExactly(INGEST + ":FAILED", CLEAN + ":PENDING");
  }

  @Test
  void record_replansTheInputsOfUnfinishedStages_butNotOfAChunkedOneWhoseChunksArePlanned() {
    StageRecord pending = StageRecord.pending(h.runId, INGEST, "memory://warehouse/ingested");
    StageRecord p = StageRecord.pending(h.runId, CLEAN, "memory://warehouse/cleaned");
    StageRecord chunked =
        new StageRecord(
            p.runId(),
            p.stage(),
            StageStatus.RUNNING,
            1,
            p.outputTable(),
            p.txnAppId(),
            1,
            p.baseVersion(),
            p.outputVersion(),
            p.rowsWritten(),
            false,
            false,
            1,
            p.transitionId(),
            p.startedAt(),
            p.finishedAt(),
            p.errorClass(),
            p.errorMessage(),
            p.checks(),
            p.metrics(),
            dev.cairn.internal.store.ChunkPlan.oneChunkPerUnit(List.of("d1", "d2")));
    RerunPlan plan =
        new RerunPlan(
            h.store.findRun(h.runId).orElse(null),
            REPORT,
            List.of(),
            List.of(),
            List.of(pending, chunked),
            Map.of(),
            Map.of());

    var rerun = plan.record(Harness.T0, OPERATOR);

    assertThat(rerun.unfinished())
        .as("the chunked stage's staged chunks read the earlier snapshot: so do its others")
        .containsExactly(INGEST);
    assertThat(rerun.replans(INGEST)).isTrue();
    assertThat(rerun.replans(CLEAN)).isFalse();
  }

  @Test
  void plan_unknownStage_isRefused_listingTheStagesInOrder() {
    h.run(first);

    assertThatThrownBy(() -> plan("enrich", Map.of()))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "run "
                + h.runId
                + " (job flights) has no stage 'enrich'. Fix: rerun from one of its stages:"
                + " ingest, clean, report");
  }

  @Test
  void plan_unknownParameter_isRefused_namingIt() {
    h.run(first);

    assertThatThrownBy(() -> plan(CLEAN, Map.of("dat", "2024-02-01")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("job 'flights' has no parameter 'dat'. Fix: use one of: date");
    assertThatThrownBy(() -> plan(CLEAN, Map.of("date", " ")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "-p date= gives parameter 'date' no value. Fix: a rerun changes a parameter's value,"
                + " e.g. -p date=<value>; it cannot remove it");
  }

  @Test
  void rerun_writesTheStageAndDownstreamAgainAsTheNextGeneration_readingUpstreamAtItsVersion() {
    h.run(first);
    String clean = h.location("clean_flights");
    String report = h.location("daily_report");

    RunOutcome outcome = rerun(second, CLEAN, Map.of());

    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.executed()).containsExactly(CLEAN, REPORT);
    assertThat(outcome.skipped()).containsExactly(INGEST);
    assertThat(h.job.computeCalls(INGEST)).isEqualTo(1);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(2);
    assertThat(h.job.computeCalls(REPORT)).isEqualTo(2);
    assertThat(h.tables.commits(clean))
        .extracting(LoggedCommit::txn)
        .containsExactly(
            java.util.Optional.of(new Txn(h.appId(CLEAN), 1)),
            java.util.Optional.of(new Txn(h.appId(CLEAN), 2)));
    assertThat(h.tables.commitsOf(report, h.appId(REPORT))).hasSize(2);
    assertThat(h.stage(CLEAN).txnVersion()).isEqualTo(2);
    assertThat(h.stage(CLEAN).outputVersion()).isEqualTo(1);
    assertThat(h.stage(CLEAN).attempts()).isEqualTo(2);
    assertThat(h.stage(CLEAN).skippedDuplicate()).isFalse();
    assertThat(h.stage(INGEST).txnVersion()).isEqualTo(1);
    assertThat(h.tables.reads())
        .as("the rerun reads the kept stage at its recorded version, the rerun one at its new one")
        .containsSubsequence(
            new Read(h.location("raw_flights"), 0),
            new Read(h.location("clean_flights"), 0),
            new Read(h.location("raw_flights"), 0),
            new Read(h.location("clean_flights"), 1));
    RunRecord run = h.run();
    assertThat(run.reruns())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.from()).isEqualTo(CLEAN);
              assertThat(r.stages()).containsExactly(CLEAN, REPORT);
              assertThat(r.parameterChanges()).isEmpty();
              assertThat(r.by()).isEqualTo(OPERATOR);
              assertThat(r.at()).isEqualTo(Harness.T0);
            });
    assertThat(run.epoch()).isEqualTo(2);
    assertThat(recorded).singleElement().satisfies(p -> assertThat(p.from()).isEqualTo(CLEAN));
  }

  @Test
  void rerunTwice_bumpsTheGenerationAgain() {
    h.run(first);
    rerun(second, CLEAN, Map.of());

    rerun(second, REPORT, Map.of());

    assertThat(h.stage(CLEAN).txnVersion()).isEqualTo(2);
    assertThat(h.stage(REPORT).txnVersion()).isEqualTo(3);
    assertThat(h.tables.commitsOf(h.location("daily_report"), h.appId(REPORT)))
        .extracting(c -> c.txn().orElseThrow().version())
        .containsExactly(1L, 2L, 3L);
    assertThat(h.run().reruns()).extracting(Rerun::from).containsExactly(CLEAN, REPORT);
  }

  @Test
  void rerun_killedAfterStart_resumeComputesTheNewGeneration_neverTakingTheOldCommitForIt() {
    h.run(first);

    assertThatThrownBy(
            () ->
                h.driver(second, killAt(CLEAN, Window.AFTER_START))
                    .rerun(h.job, plan(CLEAN, Map.of()), Map.of(), OPERATOR, recorded::add))
        .isInstanceOf(Killed.class);
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(h.stage(REPORT).status()).isEqualTo(StageStatus.PENDING);
    h.expireLease();

    RunOutcome resumed = h.driver(first).resume(h.job, h.run());

    assertThat(resumed.recovered())
        .as("the Delta log holds generation 1 only: not this generation's commit")
        .isEmpty();
    assertThat(resumed.executed()).containsExactly(CLEAN, REPORT);
    assertThat(h.stage(CLEAN).txnVersion()).isEqualTo(2);
    assertThat(h.stage(CLEAN).outputVersion()).isEqualTo(1);
    assertThat(h.tables.commitsOf(h.location("clean_flights"), h.appId(CLEAN))).hasSize(2);
  }

  @Test
  void rerun_killedAfterItsDeltaCommit_resumeRecordsTheNewGenerationsCommit() {
    h.run(first);

    assertThatThrownBy(
            () ->
                h.driver(second, killAt(CLEAN, Window.AFTER_DELTA_COMMIT))
                    .rerun(h.job, plan(CLEAN, Map.of()), Map.of(), OPERATOR, recorded::add))
        .isInstanceOf(Killed.class);
    h.expireLease();

    RunOutcome resumed = h.driver(first).resume(h.job, h.run());

    assertThat(resumed.recovered()).containsExactly(CLEAN);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(2);
    assertThat(h.stage(CLEAN).outputVersion()).isEqualTo(1);
    assertThat(h.stage(CLEAN).recovered()).isTrue();
    assertThat(h.stage(REPORT).txnVersion()).isEqualTo(2);
  }

  @Test
  void rerun_withAParameterChange_recordsIt_andLaterRunsOfTheRunUseTheNewValue() {
    h.run(first);
    AtomicReference<String> seen = new AtomicReference<>();
    h.job.onNextCompute(
        CLEAN,
        ctx -> {
          seen.set(ctx.parameters().require("date"));
          throw new IllegalStateException("bad row");
        });

    assertThatThrownBy(() -> rerun(second, CLEAN, Map.of("date", "2024-02-01")))
        .isInstanceOf(StageFailedException.class);

    assertThat(seen).hasValue("2024-02-01");
    RunRecord run = h.run();
    assertThat(run.runId()).as("the run keeps its id").isEqualTo(h.runId);
    assertThat(run.parameters()).containsEntry("date", "2024-02-01");
    assertThat(run.parametersHash())
        .as("the identity stays the original parameters'")
        .isEqualTo(RunIdentity.of(h.job.name(), h.parameters).parametersHash());
    assertThat(run.reruns().get(0).parameterChanges())
        .containsExactly(Map.entry("date", new Rerun.ParameterChange("2024-01-31", "2024-02-01")));
    h.job.onNextCompute(CLEAN, ctx -> seen.set(ctx.parameters().require("date")));

    RunOutcome again = h.driver(first).run(h.job, h.parameters);

    assertThat(again.runId())
        .as("`cairn run` with the original parameters finds the same run")
        .isEqualTo(h.runId);
    assertThat(again.executed()).containsExactly(CLEAN, REPORT);
    assertThat(seen).as("and continues it with the rerun's parameters").hasValue("2024-02-01");
  }

  @Test
  void rerun_ofARunHeldByAnotherDriver_isRefused_andChangesNothing() {
    h.run(first);
    RerunPlan plan = plan(CLEAN, Map.of());
    h.store.tryAcquireLease(h.runId, Harness.liveLocal("busy"), Harness.T0, Harness.TTL, null);
    long epoch = h.run().epoch();

    assertThatThrownBy(() -> h.driver(second).rerun(h.job, plan, Map.of(), OPERATOR, recorded::add))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("run " + h.runId + " is held by host driver-host");

    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(h.stage(CLEAN).txnVersion()).isEqualTo(1);
    assertThat(h.run().reruns()).isEmpty();
    assertThat(h.run().epoch()).isEqualTo(epoch);
    assertThat(recorded).isEmpty();
  }

  @Test
  void rerun_whoseRecordingFails_givesTheRunBackAsItWas() {
    h.run(first);
    h.store.failWritesAfter(1, 1); // the lease is taken; recording the rerun fails

    assertThatThrownBy(() -> rerun(second, CLEAN, Map.of()))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("recording the rerun of run " + h.runId + " from stage clean");

    RunRecord run = h.run();
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.holder()).isEmpty();
    assertThat(run.reruns()).isEmpty();
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
  }

  @Test
  void succeededRun_expiresWithAllItsStages_andARerunMakesItLiveAgainUntilItSucceeds() {
    h.run(first);
    java.time.Instant expiry = Harness.T0.plus(Duration.ofDays(90));
    assertThat(h.run().expiresAt()).contains(expiry);
    for (String stage : List.of(INGEST, CLEAN, REPORT)) {
      assertThat(h.store.expiresAt(h.runId, stage)).as(stage).contains(expiry);
    }
    h.job.onNextCompute(
        REPORT,
        ctx -> {
          throw new IllegalStateException("bug");
        });

    assertThatThrownBy(() -> rerun(second, REPORT, Map.of()))
        .isInstanceOf(StageFailedException.class);

    assertThat(h.run().status()).isEqualTo(RunStatus.FAILED);
    assertThat(h.run().expiresAt()).as("a failed run is work to do: it never expires").isEmpty();
    for (String stage : List.of(INGEST, CLEAN, REPORT)) {
      assertThat(h.store.expiresAt(h.runId, stage)).as(stage).isEmpty();
    }
  }

  @Test
  void rerunOfAnAppendStage_replacesWhatThePreviousGenerationAppended() {
    AppendJob job = new AppendJob();
    RunExecutor driver = h.driver(first);
    driver.run(job, Parameters.of(Map.of()));
    String runId = RunIdentity.of(job.name(), Parameters.of(Map.of())).runId();
    RunRecord run = h.store.findRun(runId).orElseThrow();
    String events = h.location("events");

    h.driver(second)
        .rerun(
            job,
            RerunPlan.of(
                job,
                run,
                h.store.stages(runId),
                "load",
                Map.of(),
                RerunPlan.Tables.checkpointsOnly(h.tables::location)),
            Map.of(),
            OPERATOR,
            recorded::add);

    assertThat(h.tables.commits(events))
        .extracting(c -> c.txn().orElseThrow().version() + "/replaces " + c.replaces())
        .containsExactly("1/replaces -1", "2/replaces 0");
  }

  private RerunPlan plan(String from, Map<String, String> changes) {
    return RerunPlan.of(
        h.job,
        h.run(),
        h.store.stages(h.runId),
        from,
        changes,
        RerunPlan.Tables.checkpointsOnly(h.tables::location));
  }

  private RunOutcome rerun(LeaseHolder holder, String from, Map<String, String> changes) {
    return h.driver(holder).rerun(h.job, plan(from, changes), changes, OPERATOR, recorded::add);
  }

  /** One stage appending to a table. */
  private static final class AppendJob extends CairnJob {
    @Override
    public String name() {
      return "appender";
    }

    @Override
    public List<Parameter> parameters() {
      return List.of();
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      return List.of(
          Stage.named("load").output(Output.table("events").append()).compute(ctx -> null));
    }
  }
}
