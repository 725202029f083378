package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnJob;
import dev.cairn.ChunkPlanner;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.RetryPolicy;
import dev.cairn.RunInterruptedException;
import dev.cairn.Stage;
import dev.cairn.StageFailedException;
import dev.cairn.internal.engine.FaultPoints.Window;
import dev.cairn.internal.engine.RunExecutorTest.Killed;
import dev.cairn.internal.interrupt.Notice;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.ChunkRecord.ChunkStatus;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.testing.InMemoryTableStore;
import dev.cairn.testing.InMemoryTableStore.Txn;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A chunked stage: a frozen plan, chunks staged with two store writes each and published in one
 * commit (MERGE chunks commit one by one), resume per chunk.
 */
class ChunkedStageTest {
  private final Harness h = new Harness();
  private final LeaseHolder first = Harness.remote("first", 101);
  private final LeaseHolder second = Harness.remote("second", 102);
  private final MonthsJob job = new MonthsJob();
  private final Parameters parameters = Parameters.of(Map.of("date", "2024-01-31"));
  private final String runId = RunIdentity.of(job.name(), parameters).runId();
  private final String table = h.location("monthly");

  @Test
  void cleanRun_stagesEachChunkInPlanOrder_andPublishesThemInOneCommit_twoStoreWritesPerChunk() {
    h.tables.rowsPerWrite(table, 10);

    RunOutcome outcome = h.driver(first).run(job, parameters);

    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(job.planned).isEqualTo(1);
    assertThat(job.computed).containsExactly("01", "02", "03", "04", "05");
    assertThat(h.tables.writesFor(chunkAppId(1)))
        .extracting(InMemoryTableStore.WriteCall::txnVersion)
        .as("five chunks staged, then published")
        .containsExactly(1L, 2L, 3L, 4L, 5L, 5L);
    assertThat(h.tables.commits(table))
        .extracting(c -> c.txn().orElseThrow())
        .containsExactly(new Txn(chunkAppId(1), 5));
    StageRecord load = stage();
    assertThat(load.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(load.chunkPlan().units()).containsExactly("01", "02", "03", "04", "05");
    assertThat(load.outputVersion()).isZero();
    assertThat(load.rowsWritten()).isEqualTo(50);
    assertThat(load.attempts()).isEqualTo(1);
    assertThat(chunks())
        .allSatisfy(
            c -> {
              assertThat(c.status()).isEqualTo(ChunkStatus.COMMITTED);
              assertThat(c.executions()).isEqualTo(1);
              assertThat(c.recovered()).isFalse();
              assertThat(c.outputVersion()).as("staged, in no table version").isEqualTo(-1);
            });
  }

  @Test
  void mergeChunks_commitOneByOne_withVersionChunkIndexPlusOne() {
    job.output = Output.table("monthly").mergeOn("month");

    h.driver(first).run(job, parameters);

    assertThat(h.tables.commits(table))
        .extracting(c -> c.txn().orElseThrow().version())
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(chunks()).extracting(ChunkRecord::outputVersion).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(stage().outputVersion()).isEqualTo(4);
  }

  @Test
  void storeCost_isTwoWritesPerChunk_plusOneToFreezeThePlan() {
    h.driver(first).run(job, parameters);
    int fiveChunks = h.store.writes();
    Harness other = new Harness();
    MonthsJob longer = new MonthsJob(10);
    other.driver(first).run(longer, parameters);

    assertThat(other.store.writes() - fiveChunks).as("5 more chunks").isEqualTo(10);
    // openRun, lease, "attempt started", stage start, plan, 5 x (chunk start, chunk commit),
    // stage commit, finishRun, "succeeded"
    assertThat(fiveChunks).isEqualTo(18);
  }

  @Test
  void killedMidChunk_resumeReexecutesOnlyThatChunk_andFollowsTheFrozenPlan() {
    assertThatThrownBy(
            () -> h.driver(first, killAt("load#3", Window.AFTER_START)).run(job, parameters))
        .isInstanceOf(Killed.class);
    assertThat(chunks()).hasSize(4);
    h.expireLease();
    job.plan = List.of("99"); // a planner asked again would answer otherwise; it is not asked
    job.computed.clear();

    RunOutcome resumed = h.driver(second).run(job, parameters);

    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(job.planned).isEqualTo(1);
    assertThat(job.computed).containsExactly("04", "05");
    assertThat(chunks()).extracting(ChunkRecord::executions).containsExactly(1, 1, 1, 2, 1);
    assertThat(h.tables.commitsOf(table, chunkAppId(1))).hasSize(1);
    assertThat(stage().attempts()).isEqualTo(2);
    assertThat(stage().outputVersion()).isZero();
  }

  @Test
  void killedBetweenStagingAChunkAndItsCheckpoint_resumeRecordsItWithoutRecomputing() {
    h.tables.rowsPerWrite(table, 7);
    assertThatThrownBy(
            () -> h.driver(first, killAt("load#2", Window.AFTER_DELTA_COMMIT)).run(job, parameters))
        .isInstanceOf(Killed.class);
    assertThat(chunks().get(2).status()).isEqualTo(ChunkStatus.RUNNING);
    assertThat(h.tables.commits(table)).as("nothing published").isEmpty();
    h.expireLease();
    job.computed.clear();

    h.driver(second).run(job, parameters);

    assertThat(job.computed).containsExactly("04", "05");
    ChunkRecord recovered = chunks().get(2);
    assertThat(recovered.status()).isEqualTo(ChunkStatus.COMMITTED);
    assertThat(recovered.recovered()).isTrue();
    assertThat(recovered.executions()).isEqualTo(1);
    assertThat(recovered.rowsWritten()).isEqualTo(7);
    assertThat(h.tables.commitsOf(table, chunkAppId(1))).hasSize(1);
    assertThat(stage().rowsWritten()).isEqualTo(35);
  }

  @Test
  void killedWithEveryChunkStagedBeforePublishing_resumePublishesThemWithoutComputing() {
    assertThatThrownBy(
            () -> h.driver(first, killAt("load", Window.BEFORE_PUBLISH)).run(job, parameters))
        .isInstanceOf(Killed.class);
    assertThat(chunks()).extracting(ChunkRecord::status).containsOnly(ChunkStatus.COMMITTED);
    assertThat(h.tables.commits(table)).as("nothing published").isEmpty();
    h.expireLease();
    job.computed.clear();

    h.driver(second).run(job, parameters);

    assertThat(job.computed).isEmpty();
    assertThat(stage().status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(stage().outputVersion()).isZero();
  }

  @Test
  void killedAfterThePublishingCommit_resumeRecordsTheStageWithoutPublishingAgain() {
    h.tables.rowsPerWrite(table, 3);
    assertThatThrownBy(
            () -> h.driver(first, killAt("load", Window.AFTER_DELTA_COMMIT)).run(job, parameters))
        .isInstanceOf(Killed.class);
    h.expireLease();
    job.computed.clear();

    h.driver(second).run(job, parameters);

    assertThat(job.computed).isEmpty();
    assertThat(h.tables.writesFor(chunkAppId(1))).hasSize(6);
    assertThat(h.tables.commits(table)).hasSize(1);
    assertThat(stage().status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(stage().outputVersion()).isZero();
    assertThat(stage().rowsWritten()).isEqualTo(15);
  }

  @Test
  void transientFailureInAChunk_isRetried_andOnlyThatChunkRunsAgain() {
    job.onChunk(
        "03",
        () -> {
          throw new RuntimeException("Job aborted", new SocketTimeoutException("Read timed out"));
        });

    RunOutcome outcome = h.driver(first).run(job, parameters);

    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(job.computed).containsExactly("01", "02", "03", "03", "04", "05");
    assertThat(h.sleeps).hasSize(1);
    assertThat(chunks()).extracting(ChunkRecord::executions).containsExactly(1, 1, 2, 1, 1);
    assertThat(stage().attempts()).isEqualTo(2);
  }

  @Test
  void stopRequestedDuringAChunk_letsItCommit_thenStopsBeforeTheNext() {
    job.onChunk(
        "02",
        () ->
            h.interruption.request(
                new Notice(
                    Notice.Kind.SPOT_INTERRUPTION,
                    h.clock.instant().plus(Duration.ofMinutes(2)),
                    "EC2 Spot interruption notice")));

    assertThatThrownBy(() -> h.driver(first).run(job, parameters))
        .isInstanceOf(RunInterruptedException.class)
        .hasMessageContaining("stopped at stage load");

    assertThat(chunks()).extracting(ChunkRecord::status).containsOnly(ChunkStatus.COMMITTED);
    assertThat(chunks()).hasSize(2);
    h.interruption = new dev.cairn.internal.interrupt.Interruption();
    job.computed.clear();

    h.driver(second).run(job, parameters);

    assertThat(job.computed).containsExactly("03", "04", "05");
  }

  @Test
  void rerunOfAChunkedStage_plansAgain_andWritesUnderTheNewGenerationsAppId() {
    h.driver(first).run(job, parameters);
    job.plan = List.of("01", "02");
    job.computed.clear();
    RerunPlan plan =
        RerunPlan.of(
            job,
            h.store.findRun(runId).orElseThrow(),
            h.store.stages(runId),
            "load",
            Map.of(),
            RerunPlan.Tables.checkpointsOnly(h.tables::location));

    h.driver(second).rerun(job, plan, Map.of(), "ops@host", p -> {});

    assertThat(job.planned).isEqualTo(2);
    assertThat(job.computed).containsExactly("01", "02");
    assertThat(stage().txnVersion()).isEqualTo(2);
    assertThat(stage().chunkPlan().units()).containsExactly("01", "02");
    assertThat(h.tables.commitsOf(table, chunkAppId(2)))
        .extracting(c -> c.txn().orElseThrow().version())
        .containsExactly(2L);
    assertThat(h.store.chunks(runId, "load", 2)).hasSize(2);
  }

  @Test
  void emptyPlan_failsTheStage_namingItAndTheFix() {
    job.plan = List.of();

    assertThatThrownBy(() -> h.driver(first).run(job, parameters))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "the chunk plan of stage 'load' is empty. Fix: make its planner return at least one"
                + " unit (one covering everything when there is nothing to split)");
  }

  @Test
  void appendOutput_cannotBeChunked() {
    assertThatThrownBy(
            () ->
                Stage.named("load")
                    .output(Output.table("monthly").append())
                    .chunked(c -> ChunkPlanner.Unit.each("a"))
                    .compute(c -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "stage 'load' is chunked but appends to monthly: a rerun could not replace its"
                + " chunks' rows. Fix: write it with overwrite(), replaceWhere(...) or"
                + " mergeOn(...), or do not chunk it");
  }

  @Test
  void resumeOfAThousandChunkStage_readsItsChunksOnce_andRunsOnlyTheUnfinishedOne() {
    MonthsJob big = new MonthsJob(1000);
    String bigRun = RunIdentity.of(big.name(), parameters).runId();
    assertThatThrownBy(
            () -> h.driver(first, killAt("load#999", Window.AFTER_START)).run(big, parameters))
        .isInstanceOf(Killed.class);
    h.expireLease();
    big.computed.clear();
    int reads = h.store.reads();

    h.driver(second).run(big, parameters);

    assertThat(big.computed).containsExactly("1000");
    // openRun's read-back, the stage query, the chunk query, finishRun's query of its items
    assertThat(h.store.reads() - reads).isEqualTo(4);
    assertThat(h.store.chunks(bigRun, "load", 1)).hasSize(1000);
  }

  private String chunkAppId(long generation) {
    return "cairn:" + runId + ":load#g" + generation;
  }

  private StageRecord stage() {
    return h.store.stages(runId).stream()
        .filter(s -> s.stage().equals("load"))
        .findFirst()
        .orElseThrow();
  }

  private List<ChunkRecord> chunks() {
    return h.store.chunks(runId, "load", stage().txnVersion());
  }

  private static FaultPoints killAt(String point, Window window) {
    return RunExecutorTest.killAt(point, window);
  }

  /** One stage, {@code load}, chunked by month keys "01".."NN"; records what it computed. */
  private static final class MonthsJob extends CairnJob {
    volatile List<String> plan;
    volatile Output output = Output.table("monthly");
    volatile int planned;
    final List<String> computed = new CopyOnWriteArrayList<>();
    private final Map<String, List<Runnable>> hooks =
        new java.util.concurrent.ConcurrentHashMap<>();

    MonthsJob() {
      this(5);
    }

    MonthsJob(int chunks) {
      this.plan =
          IntStream.rangeClosed(1, chunks)
              .mapToObj(i -> String.format(java.util.Locale.ROOT, "%02d", i))
              .toList();
    }

    void onChunk(String key, Runnable hook) {
      hooks.computeIfAbsent(key, k -> new ArrayList<>()).add(hook);
    }

    @Override
    public String name() {
      return "months";
    }

    @Override
    public RetryPolicy retryPolicy() {
      return RetryPolicy.ofDefaults().withMaxAttempts(3);
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(Parameter.required("date", "the day"));
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      return List.of(
          Stage.named("load")
              .output(output)
              .chunked(
                  context -> {
                    planned++;
                    assertThat(context.chunk()).isEmpty();
                    return ChunkPlanner.Unit.each(plan);
                  })
              .compute(
                  context -> {
                    String key = context.chunk().orElseThrow().key();
                    computed.add(key);
                    List<Runnable> queued = hooks.get(key);
                    if (queued != null && !queued.isEmpty()) {
                      Consumer<Runnable> run = Runnable::run;
                      run.accept(queued.remove(0));
                    }
                    return null;
                  }));
    }
  }
}
