package dev.cairn.bench;

import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.ChunkTransition;
import dev.cairn.internal.store.DynamoDbCheckpointStore;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageTransition;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The checkpoint store's operations against DynamoDB Local (its endpoint in the system property
 * {@code cairn.bench.endpoint}), through the runtime's own {@link DynamoDbCheckpointStore}: what
 * each stage transition, heartbeat and resume read costs in latency. Run by {@link StoreCost}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StoreBenchmark {
  private DynamoDbCheckpointStore store;
  private Lease lease;
  private String runId;
  private String sixStagesRunId;
  private long stage;

  static DynamoDbCheckpointStore newStore() {
    URI endpoint = URI.create(System.getProperty("cairn.bench.endpoint"));
    DynamoDbClient client =
        DynamoDbClient.builder()
            .endpointOverride(endpoint)
            .region(Region.of(BenchEnv.REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(BenchEnv.ACCESS_KEY, BenchEnv.SECRET_KEY)))
            .build();
    DynamoDbCheckpointStore store =
        new DynamoDbCheckpointStore(client, "bench_jmh_" + System.nanoTime());
    store.createTableIfAbsent();
    return store;
  }

  static Lease open(DynamoDbCheckpointStore store, String id) {
    Instant now = Instant.now();
    store.openRun(new NewRun(id, "bench", "", Map.of(), "h", "dev", now));
    return store
        .tryAcquireLease(
            id, LeaseHolder.thisProcess("localhost"), now, Duration.ofMinutes(30), null)
        .orElseThrow();
  }

  @Setup(Level.Trial)
  public void setUp() {
    store = newStore();
    runId = "bench-" + System.nanoTime();
    lease = open(runId);
    // A run with the flights job's six stages, all committed: what a resume reads.
    sixStagesRunId = runId + "-six";
    Lease six = open(sixStagesRunId);
    for (String name :
        List.of("clean", "rejects", "enrich", "airport_daily", "route_daily", "daily_summary")) {
      startAndCommit(six, name);
    }
  }

  private Lease open(String id) {
    Instant now = Instant.now();
    store.openRun(new NewRun(id, "bench", "", Map.of(), "h", "dev", now));
    return store
        .tryAcquireLease(
            id, LeaseHolder.thisProcess("localhost"), now, Duration.ofMinutes(30), null)
        .orElseThrow();
  }

  private void startAndCommit(Lease on, String name) {
    Instant now = Instant.now();
    store.transition(
        on,
        new StageTransition.Start(
            name,
            1,
            "/tmp/w/" + name,
            "cairn:" + on.runId() + ":" + name,
            1,
            -1,
            java.util.UUID.randomUUID().toString(),
            now));
    store.transition(
        on,
        new StageTransition.Commit(
            name,
            "/tmp/w/" + name,
            "cairn:" + on.runId() + ":" + name,
            1,
            0,
            3_000_000,
            false,
            false,
            List.of(),
            StageMetrics.ofDuration(15_000),
            java.util.UUID.randomUUID().toString(),
            now));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
  }

  /** A stage's two transitions, RUNNING then COMMITTED: reported per transition. */
  @Benchmark
  @OperationsPerInvocation(2)
  public void stageTransition() {
    startAndCommit(lease, "s" + stage++);
  }

  /** The heartbeat: one conditional update of the run item. */
  @Benchmark
  public void heartbeat() {
    store.renewLease(lease, Instant.now(), Duration.ofMinutes(30));
  }

  /** What a resume reads to decide: the run (consistent get) and its stages (one query). */
  @Benchmark
  public List<StageRecord> resumeReads() {
    store.findRun(sixStagesRunId).orElseThrow();
    return store.stages(sixStagesRunId);
  }

  /**
   * A run whose stage {@code enrich} is RUNNING with a frozen plan of 1 000 chunks, all committed:
   * what a driver resuming mid-stage reads to decide where to continue. Set up once per trial (1
   * 000 chunk writes), only for the benchmark that uses it.
   */
  @State(Scope.Benchmark)
  public static class ThousandChunks {
    static final int CHUNKS = 1000;
    DynamoDbCheckpointStore store;
    String runId;

    @Setup(Level.Trial)
    public void setUp() {
      store = newStore();
      runId = "bench-chunks-" + System.nanoTime();
      Lease lease = open(store, runId);
      Instant now = Instant.now();
      store.transition(
          lease,
          new StageTransition.Start(
              "enrich",
              1,
              "/tmp/w/enrich",
              "cairn:" + runId + ":enrich",
              1,
              -1,
              java.util.UUID.randomUUID().toString(),
              now));
      List<String> keys = new java.util.ArrayList<>();
      for (int i = 0; i < CHUNKS; i++) {
        keys.add("part-" + i);
      }
      store.planChunks(lease, "enrich", 1, ChunkPlan.oneChunkPerUnit(keys));
      for (int i = 0; i < CHUNKS; i++) {
        store.transition(
            lease,
            new ChunkTransition.Commit(
                "enrich",
                1,
                i,
                keys.get(i),
                i,
                3_000,
                true,
                java.util.UUID.randomUUID().toString(),
                now));
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
    }
  }

  /**
   * Deciding a resume of a run stopped in a stage of 1 000 chunks: the run, its stages, and the
   * stage's chunk items (main's {@code CheckpointStore.chunks} query); returns the next chunk to
   * run.
   */
  @Benchmark
  public int resumeDecision1000Chunks(ThousandChunks state) {
    state.store.findRun(state.runId).orElseThrow();
    StageRecord enrich =
        state.store.stages(state.runId).stream()
            .filter(s -> s.stage().equals("enrich"))
            .findFirst()
            .orElseThrow();
    boolean[] done = new boolean[enrich.chunkPlan().size()];
    for (ChunkRecord c : state.store.chunks(state.runId, "enrich", enrich.txnVersion())) {
      done[c.index()] = c.status() == ChunkRecord.ChunkStatus.COMMITTED;
    }
    int next = 0;
    while (next < done.length && done[next]) {
      next++;
    }
    if (done.length != ThousandChunks.CHUNKS) {
      throw new IllegalStateException("plan of " + done.length + " chunks, not 1000");
    }
    return next;
  }
}
