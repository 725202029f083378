package dev.cairn.internal.engine;

import static dev.cairn.internal.engine.ThreeStageJob.CLEAN;
import static dev.cairn.internal.engine.ThreeStageJob.INGEST;
import static dev.cairn.internal.engine.ThreeStageJob.REPORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.InvalidParameterException;
import dev.cairn.Output;
import dev.cairn.Parameters;
import dev.cairn.RunHeldException;
import dev.cairn.StageFailedException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.config.SparkApplication;
import dev.cairn.internal.delta.WriteFence;
import dev.cairn.internal.engine.FaultPoints.Window;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StoreUnavailableException;
import dev.cairn.testing.InMemoryTableStore.Read;
import dev.cairn.testing.InMemoryTableStore.Txn;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol of docs/ARCHITECTURE.md, its crash windows and store faults, against fakes.
 */
class RunExecutorTest {
  private final Harness h = new Harness();
  private final LeaseHolder first = Harness.remote("first", 101);
  private final LeaseHolder second = Harness.remote("second", 102);

  @Test
  void cleanRun_commitsEveryStageInDependencyOrder_withStableTxnIds() {
    h.tables.rowsPerWrite(h.location("raw_flights"), 300);
    h.tables.rowsPerWrite(h.location("clean_flights"), 290);
    h.tables.rowsPerWrite(h.location("daily_report"), 24);

    RunOutcome outcome = h.run(first);

    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.alreadySucceeded()).isFalse();
    assertThat(outcome.epoch()).isEqualTo(1);
    assertThat(outcome.executed()).containsExactly(INGEST, CLEAN, REPORT);
    assertThat(outcome.skipped()).isEmpty();
    assertThat(outcome.recovered()).isEmpty();
    Map<String, String> tableOf =
        Map.of(INGEST, "raw_flights", CLEAN, "clean_flights", REPORT, "daily_report");
    Map<String, Long> rowsOf = Map.of(INGEST, 300L, CLEAN, 290L, REPORT, 24L);
    for (String stage : List.of(INGEST, CLEAN, REPORT)) {
      String location = h.location(tableOf.get(stage));
      assertThat(h.tables.writesFor(h.appId(stage)))
          .singleElement()
          .satisfies(
              w -> {
                assertThat(w.location()).isEqualTo(location);
                assertThat(w.txnVersion()).isEqualTo(1);
                assertThat(w.baseVersion()).isEqualTo(-1);
              });
      assertThat(h.tables.commits(location))
          .singleElement()
          .satisfies(c -> assertThat(c.txn()).contains(new Txn(h.appId(stage), 1)));
      StageRecord record = h.stage(stage);
      assertThat(record.status()).isEqualTo(StageStatus.COMMITTED);
      assertThat(record.attempts()).isEqualTo(1);
      assertThat(record.epoch()).isEqualTo(1);
      assertThat(record.outputTable()).isEqualTo(location);
      assertThat(record.txnAppId()).isEqualTo("cairn:" + h.runId + ":" + stage);
      assertThat(record.txnVersion()).isEqualTo(1);
      assertThat(record.baseVersion()).isEqualTo(-1);
      assertThat(record.outputVersion()).isEqualTo(0);
      assertThat(record.rowsWritten()).isEqualTo(rowsOf.get(stage));
      assertThat(record.recovered()).isFalse();
      assertThat(record.skippedDuplicate()).isFalse();
      assertThat(record.errorMessage()).isEmpty();
    }
    assertThat(h.tables.reads())
        .containsExactly(
            new Read(h.location("raw_flights"), 0), new Read(h.location("clean_flights"), 0));
    RunRecord run = h.run();
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.holder()).isEmpty();
    assertThat(run.reason()).isEmpty();
    assertThat(run.parameters()).containsEntry("date", "2024-01-31");
    assertThat(h.cancellations).hasValue(0);
  }

  @Test
  void cleanRun_costsOneCheckpointWritePerTransition_andThreeReads() {
    h.run(first);

    // openRun + lease + "attempt started" event + 3 x (start, commit) + finishRun + "succeeded"
    // event; openRun's read-back, the stage query, and finishRun's query of the items it expires
    // with the run.
    assertThat(h.store.writes()).isEqualTo(11);
    assertThat(h.store.reads()).isEqualTo(3);
  }

  @Test
  void aRunIdentifiedByContent_continuesOnAnotherHost_withThatHostsCopyOfTheInput() {
    Map<String, String> identity = Map.of("date", "content:sha256:abc1");
    ParameterResolver.Resolved onHostA =
        new ParameterResolver.Resolved(Parameters.of(Map.of("date", "/a/cache/d")), identity);
    ParameterResolver.Resolved onHostB =
        new ParameterResolver.Resolved(Parameters.of(Map.of("date", "/b/cache/d")), identity);
    assertThatThrownBy(() -> h.driver(first, killAt(CLEAN, Window.AFTER_START)).run(h.job, onHostA))
        .isInstanceOf(Killed.class);
    h.expireLease();
    h.hostParameters =
        (job, recordedIdentity, recorded, setByRerun) ->
            recordedIdentity.equals(identity)
                ? onHostB.values()
                : Parameters.of(Map.of("date", "identity not passed"));
    AtomicReference<String> read = new AtomicReference<>();
    h.job.onNextCompute(CLEAN, ctx -> read.set(ctx.parameters().require("date")));

    RunOutcome outcome = h.driver(second).run(h.job, onHostB);

    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(read.get()).isEqualTo("/b/cache/d");
    assertThat(h.store.findRun(outcome.runId()).orElseThrow().reruns())
        .as("not taken for a rerun's change")
        .isEmpty();
  }

  @Test
  void run_afterSuccess_doesNothing() {
    h.run(first);
    int storeWrites = h.store.writes();

    RunOutcome again = h.run(second);

    assertThat(again.alreadySucceeded()).isTrue();
    assertThat(again.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(again.executed()).isEmpty();
    assertThat(again.skipped()).isEmpty();
    assertThat(h.job.computeCalls(INGEST)).isEqualTo(1);
    assertThat(h.tables.writes(h.location("raw_flights"))).isEqualTo(1);
    assertThat(h.tables.writes(h.location("daily_report"))).isEqualTo(1);
    assertThat(h.store.writes()).as("only openRun's conditional put").isEqualTo(storeWrites + 1);
    assertThat(h.run().epoch()).isEqualTo(1);
    assertThat(h.run().holder()).isEmpty();
  }

  @Test
  void resume_afterCrashAfterStart_runsTheStageAgain_withoutDuplicateCommit() {
    assertThatThrownBy(
            () -> h.driver(first, killAt(CLEAN, Window.AFTER_START)).run(h.job, h.parameters))
        .isInstanceOf(Killed.class)
        .hasMessage("killed at clean:after-start");
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(h.tables.commits(h.location("clean_flights"))).isEmpty();
    h.expireLease();

    RunOutcome resumed = h.run(second);

    assertThat(resumed.epoch()).isEqualTo(2);
    assertThat(resumed.skipped()).containsExactly(INGEST);
    assertThat(resumed.executed()).containsExactly(CLEAN, REPORT);
    assertThat(resumed.recovered()).isEmpty();
    StageRecord clean = h.stage(CLEAN);
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.attempts()).isEqualTo(2);
    assertThat(clean.epoch()).isEqualTo(2);
    assertThat(clean.recovered()).isFalse();
    assertThat(h.tables.commitsOf(h.location("clean_flights"), h.appId(CLEAN))).hasSize(1);
    assertThat(h.job.computeCalls(INGEST)).isEqualTo(1);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
    assertThat(h.run().status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void resume_afterCrashBetweenDeltaCommitAndCheckpoint_recordsVersionWithoutRecompute() {
    LeaseHolder crashed = Harness.deadLocal("crashed");
    h.tables.rowsPerWrite(h.location("clean_flights"), 290);
    assertThatThrownBy(
            () ->
                h.driver(crashed, killAt(CLEAN, Window.AFTER_DELTA_COMMIT))
                    .run(h.job, h.parameters))
        .isInstanceOf(Killed.class)
        .hasMessage("killed at clean:after-delta-commit");
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);

    // No clock advance: the holder is a dead process on this host, so its lease is taken at once.
    RunOutcome resumed = h.run(second);

    assertThat(resumed.epoch()).isEqualTo(2);
    assertThat(resumed.skipped()).containsExactly(INGEST);
    assertThat(resumed.recovered()).containsExactly(CLEAN);
    assertThat(resumed.executed()).containsExactly(REPORT);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
    assertThat(h.tables.writes(h.location("clean_flights"))).isEqualTo(1);
    StageRecord clean = h.stage(CLEAN);
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.recovered()).isTrue();
    assertThat(clean.attempts()).isEqualTo(1);
    assertThat(clean.outputVersion()).isEqualTo(0);
    assertThat(clean.rowsWritten()).isEqualTo(290);
    assertThat(clean.epoch()).isEqualTo(2);
    assertThat(h.tables.reads()).contains(new Read(h.location("clean_flights"), 0));
    assertThat(h.run().status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void resume_afterCrashAfterCheckpoint_skipsTheStage() {
    assertThatThrownBy(
            () -> h.driver(first, killAt(CLEAN, Window.AFTER_CHECKPOINT)).run(h.job, h.parameters))
        .isInstanceOf(Killed.class)
        .hasMessage("killed at clean:after-checkpoint");
    h.expireLease();

    RunOutcome resumed = h.run(second);

    assertThat(resumed.skipped()).containsExactly(INGEST, CLEAN);
    assertThat(resumed.executed()).containsExactly(REPORT);
    assertThat(resumed.recovered()).isEmpty();
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
    assertThat(h.tables.writes(h.location("clean_flights"))).isEqualTo(1);
    assertThat(h.stage(CLEAN).epoch()).isEqualTo(1);
    assertThat(h.stage(REPORT).epoch()).isEqualTo(2);
  }

  @Test
  void resume_readsUpstreamAtItsRecordedVersion_notAtTheLatest() {
    String raw = h.location("raw_flights");
    assertThatThrownBy(
            () -> h.driver(first, killAt(CLEAN, Window.AFTER_START)).run(h.job, h.parameters))
        .isInstanceOf(Killed.class)
        .hasMessage("killed at clean:after-start");
    assertThat(h.stage(INGEST).outputVersion()).isEqualTo(0);
    h.tables.appendExternally(raw);
    h.tables.appendExternally(raw);
    assertThat(h.tables.currentVersion(raw)).isEqualTo(2);
    h.expireLease();

    h.run(second);

    assertThat(h.tables.reads().stream().filter(r -> r.location().equals(raw)))
        .containsExactly(new Read(raw, 0));
  }

  @Test
  void failingCompute_recordsStageAndRunFailed_namingTheRootCause() {
    h.job.onNextCompute(
        CLEAN,
        context -> {
          throw new RuntimeException(
              "Job aborted due to stage failure",
              new IllegalStateException("column 'dep_delay' not found"));
        });

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(StageFailedException.class)
        .hasMessage(
            "stage 'clean' of run "
                + h.runId
                + " failed (PERMANENT): IllegalStateException: column 'dep_delay' not found."
                + " Nothing from it was published. Fix: correct the cause, then `cairn resume "
                + h.runId
                + "`; `cairn runbook "
                + h.runId
                + "` shows the recovery commands")
        .satisfies(e -> assertThat(((StageFailedException) e).stage()).isEqualTo(CLEAN));

    StageRecord clean = h.stage(CLEAN);
    assertThat(clean.status()).isEqualTo(StageStatus.FAILED);
    assertThat(clean.attempts()).isEqualTo(1);
    assertThat(clean.errorClass()).contains("PERMANENT");
    assertThat(clean.errorMessage())
        .contains("IllegalStateException: column 'dep_delay' not found");
    assertThat(h.stage(INGEST).status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(h.store.stages(h.runId)).extracting(StageRecord::stage).doesNotContain(REPORT);
    assertThat(h.tables.writes(h.location("clean_flights"))).isZero();
    RunRecord run = h.run();
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.reason()).contains("stage 'clean'", "cairn resume " + h.runId);
    assertThat(run.holder()).as("lease released").isEmpty();
  }

  @Test
  void computeThrowingACheckedException_asSparkAnalysisErrorsDo_isRecordedAsFailedStage() {
    h.job.onNextCompute(
        CLEAN,
        context ->
            sneakyThrow(
                new Exception("[DELTA_REPLACE_WHERE_MISMATCH] Written data does not conform")));

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "stage 'clean' of run "
                + h.runId
                + " failed (PERMANENT): Exception: [DELTA_REPLACE_WHERE_MISMATCH]");
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.FAILED);
    assertThat(h.run().status()).isEqualTo(RunStatus.FAILED);
    assertThat(h.run().holder()).as("lease released").isEmpty();
  }

  /** Throws a checked exception without declaring it, as Scala code does. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }

  @Test
  void resume_afterFailedStageIsFixed_retriesItAsAttemptTwo() {
    h.job.onNextCompute(
        CLEAN,
        context -> {
          throw new IllegalStateException("bad input");
        });
    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining("failed (PERMANENT): IllegalStateException: bad input");

    // The failed run released its lease: the next driver starts at once.
    RunOutcome resumed = h.run(second);

    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.epoch()).isEqualTo(2);
    assertThat(resumed.skipped()).containsExactly(INGEST);
    assertThat(resumed.executed()).containsExactly(CLEAN, REPORT);
    StageRecord clean = h.stage(CLEAN);
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.attempts()).isEqualTo(2);
    assertThat(clean.errorClass()).isEmpty();
    assertThat(clean.errorMessage()).isEmpty();
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(2);
    assertThat(h.tables.commitsOf(h.location("clean_flights"), h.appId(CLEAN))).hasSize(1);
    assertThat(h.run().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(h.run().reason()).isEmpty();
  }

  @Test
  void failingTableWrite_publishesNothing_andResumeWritesOnce() {
    h.tables.failNextWrite(new IllegalStateException("disk quota exceeded"));

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "stage 'ingest' of run "
                + h.runId
                + " failed (PERMANENT): IllegalStateException: disk quota exceeded");
    assertThat(h.tables.commits(h.location("raw_flights"))).isEmpty();
    assertThat(h.stage(INGEST).status()).isEqualTo(StageStatus.FAILED);

    h.run(second);

    assertThat(h.tables.writes(h.location("raw_flights"))).isEqualTo(2);
    assertThat(h.tables.commits(h.location("raw_flights"))).hasSize(1);
    assertThat(h.stage(INGEST).attempts()).isEqualTo(2);
  }

  @Test
  void readingAStageThatIsNotADependency_failsTheStage_withTheFix() {
    h.job.onNextCompute(CLEAN, context -> context.input(REPORT));

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "IllegalArgumentException: stage 'clean' reads stage 'report' but does not depend on"
                + " it. Fix: add .dependsOn(\"report\") to its definition");
  }

  @Test
  void commitCheckpointThatDidNotLand_stopsTheRun_andResumeRecoversFromTheDeltaLog() {
    FaultPoints storeDownAfterCommit =
        (stage, window) -> {
          if (stage.equals(CLEAN) && window == Window.AFTER_DELTA_COMMIT) {
            h.store.failNextWrites(1);
          }
        };

    assertThatThrownBy(() -> h.driver(first, storeDownAfterCommit).run(h.job, h.parameters))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(
            "moving stage clean of run "
                + h.runId
                + " to COMMITTED failed after the client's"
                + " retries and did not land");
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(h.tables.commitsOf(h.location("clean_flights"), h.appId(CLEAN))).hasSize(1);
    h.expireLease();

    RunOutcome resumed = h.run(second);

    assertThat(resumed.recovered()).containsExactly(CLEAN);
    assertThat(resumed.executed()).containsExactly(REPORT);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
    assertThat(h.tables.writes(h.location("clean_flights"))).isEqualTo(1);
    assertThat(h.stage(CLEAN).recovered()).isTrue();
    assertThat(h.stage(CLEAN).outputVersion()).isEqualTo(0);
    assertThat(h.run().status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void commitCheckpointWithLostOutcome_stopsWithStateUnknown_andResumeSkipsTheStage() {
    FaultPoints outcomeLostAfterCommit =
        (stage, window) -> {
          if (stage.equals(CLEAN) && window == Window.AFTER_DELTA_COMMIT) {
            h.store.loseNextWriteOutcomes(1);
          }
        };

    assertThatThrownBy(() -> h.driver(first, outcomeLostAfterCommit).run(h.job, h.parameters))
        .isInstanceOf(StateUnknownException.class)
        .hasMessageContaining("the outcome of moving stage clean of run " + h.runId)
        .hasMessageContaining("Nothing was guessed");
    assertThat(h.stage(CLEAN).status()).isEqualTo(StageStatus.COMMITTED);
    h.expireLease();

    RunOutcome resumed = h.run(second);

    assertThat(resumed.skipped()).containsExactly(INGEST, CLEAN);
    assertThat(resumed.executed()).containsExactly(REPORT);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
    assertThat(h.tables.writes(h.location("clean_flights"))).isEqualTo(1);
    assertThat(h.stage(CLEAN).recovered()).isFalse();
  }

  @Test
  void startCheckpointThatDidNotLand_stopsBeforeComputing() {
    FaultPoints storeDownBeforeReport =
        (stage, window) -> {
          if (stage.equals(CLEAN) && window == Window.AFTER_CHECKPOINT) {
            h.store.failNextWrites(1);
          }
        };

    assertThatThrownBy(() -> h.driver(first, storeDownBeforeReport).run(h.job, h.parameters))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("moving stage report of run " + h.runId + " to RUNNING failed");

    assertThat(h.job.computeCalls(REPORT)).isZero();
    assertThat(h.store.stages(h.runId)).extracting(StageRecord::stage).doesNotContain(REPORT);
  }

  @Test
  void deltaSkippingTheWriteAsDuplicate_isRecordedAsSkippedDuplicate() {
    // The table already holds this stage's transaction though the checkpoint has none (written
    // by a driver whose checkpoints were lost): Delta must skip the write, and say so.
    String clean = h.location("clean_flights");
    h.tables.appendExternally(clean);
    h.tables.write(null, Output.table("clean_flights"), clean, h.appId(CLEAN), 1, 0);
    h.tables.appendExternally(clean);

    RunOutcome outcome = h.run(first);

    assertThat(outcome.executed()).containsExactly(INGEST, CLEAN, REPORT);
    assertThat(h.tables.writesFor(h.appId(CLEAN)))
        .last()
        .satisfies(w -> assertThat(w.outcome()).map(c -> c.skippedDuplicate()).contains(true));
    assertThat(h.tables.commitsOf(clean, h.appId(CLEAN))).hasSize(1);
    StageRecord record = h.stage(CLEAN);
    assertThat(record.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(record.skippedDuplicate()).isTrue();
    assertThat(record.baseVersion()).isEqualTo(2);
    assertThat(record.outputVersion()).isEqualTo(1);
    assertThat(h.tables.reads()).contains(new Read(clean, 1));
  }

  @Test
  void run_whoseIdExistsWithOtherParameters_isRefused() {
    h.store.openRun(
        new NewRun(h.runId, "flights", "date=1999-12-31", Map.of(), "other-hash", "x", Harness.T0));

    assertThatThrownBy(() -> h.run(first))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "run "
                + h.runId
                + " exists with other parameters (date=1999-12-31). Fix: this is a run id"
                + " collision; change any parameter value to get a new run");
    assertThat(h.run().epoch()).isZero();
    assertThat(h.job.computeCalls(INGEST)).isZero();
  }

  @Test
  void settings_withHeartbeatNotShorterThanTtl_areRefused() {
    assertThatThrownBy(
            () ->
                new RunExecutor.Settings(
                    Duration.ofSeconds(30), Duration.ofSeconds(30), "h", "dev"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeat PT30S must be shorter than the lease TTL PT30S");
  }

  @Test
  void aCommitRefusedByTheWriteFence_beforeTheKeeperHeardOfTheLoss_stopsAsHeld_recordingNothing() {
    LeaseHolder first = Harness.deadLocal("driver-1");
    h.job.onNextCompute(
        CLEAN,
        ctx -> {
          // The fence closed (a frozen driver woke past it) while the keeper's renewal is pending.
          WriteFence.close("driver-1");
          WriteFence.check("Delta commit of clean");
        });
    try {
      assertThatThrownBy(() -> h.run(first))
          .isInstanceOf(RunHeldException.class)
          .hasMessageStartingWith(
              "stage clean of run "
                  + h.runId
                  + " stopped: this driver could not be sure it still held the run's lease, so"
                  + " its writes were refused (")
          .hasMessageEndingWith(
              "). Fix: nothing to do if another driver took the run over (`cairn status "
                  + h.runId
                  + "`); otherwise `cairn resume "
                  + h.runId
                  + "`");
    } finally {
      WriteFence.open();
    }

    assertThat(h.stage(CLEAN).status()).as("not recorded FAILED").isEqualTo(StageStatus.RUNNING);
    assertThat(h.run().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(h.run(Harness.deadLocal("driver-2")).status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  /** Stops the driver at one crash window, leaving the store as a SIGKILL there would. */
  static FaultPoints killAt(String stage, Window window) {
    return (reached, at) -> {
      if (reached.equals(stage) && at == window) {
        throw new Killed(stage + ":" + window.flag());
      }
    };
  }

  /** An Error, so no catch for RuntimeException in the driver runs its cleanup. */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(String where) {
      super("killed at " + where);
    }
  }

  @Test
  void eachDriverAttempt_recordsItsHostAndPid_andItsSparkApplication_forTheReport() {
    h.sparkStarts =
        then ->
            then.accept(
                new SparkApplication(
                    "local-1733390000000", Optional.of("file:/home/cairn/spark-events")));

    h.run(first);

    List<RunEvent> events = h.store.events(h.runId);
    RunEvent started = events.get(0);
    assertThat(started.type()).isEqualTo(RunEvent.Type.ATTEMPT_STARTED);
    assertThat(started.details())
        .containsEntry(RunEvent.DETAIL_HOST, first.host())
        .containsEntry(RunEvent.DETAIL_PID, "101")
        .doesNotContainKey(RunEvent.DETAIL_COMMITTED_BEFORE);
    RunEvent spark = events.get(1);
    assertThat(spark.type()).isEqualTo(RunEvent.Type.SPARK_STARTED);
    assertThat(spark.epoch()).isEqualTo(started.epoch());
    assertThat(spark.details())
        .containsEntry(RunEvent.DETAIL_SPARK_APP_ID, "local-1733390000000")
        .containsEntry(RunEvent.DETAIL_EVENT_LOG_DIR, "file:/home/cairn/spark-events");
    assertThat(spark.message())
        .isEqualTo(
            "Spark application local-1733390000000, event log in file:/home/cairn/spark-events");
  }

  @Test
  void aResumingAttempt_recordsTheStagesItFoundCommitted() {
    h.job.onNextCompute(
        REPORT,
        c -> {
          throw new IllegalStateException("report broke");
        });
    assertThatThrownBy(() -> h.run(first)).isInstanceOf(StageFailedException.class);

    h.run(second);

    RunEvent resumed =
        h.store.events(h.runId).stream()
            .filter(e -> e.type() == RunEvent.Type.ATTEMPT_STARTED && e.epoch() == 2)
            .findFirst()
            .orElseThrow();
    assertThat(resumed.details())
        .containsEntry(RunEvent.DETAIL_COMMITTED_BEFORE, "clean,ingest")
        .containsEntry(RunEvent.DETAIL_PID, "102");
  }
}
