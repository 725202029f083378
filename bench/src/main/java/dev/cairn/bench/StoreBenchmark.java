package dev.cairn.bench;

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

  @Setup(Level.Trial)
  public void setUp() {
    URI endpoint = URI.create(System.getProperty("cairn.bench.endpoint"));
    DynamoDbClient client =
        DynamoDbClient.builder()
            .endpointOverride(endpoint)
            .region(Region.of(BenchEnv.REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(BenchEnv.ACCESS_KEY, BenchEnv.SECRET_KEY)))
            .build();
    store = new DynamoDbCheckpointStore(client, "bench_jmh_" + System.nanoTime());
    store.createTableIfAbsent();
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
}
