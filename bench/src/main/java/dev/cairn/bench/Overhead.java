package dev.cairn.bench;

import dev.cairn.ChunkPlanner;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.engine.RunOutcome;
import dev.cairn.internal.metrics.SparkStageMetrics;
import dev.cairn.internal.store.ChunkDecision;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.jobs.flights.FlightsChunks;
import dev.cairn.jobs.flights.FlightsDailyPlain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Overhead: {@code flights-daily} under Cairn against {@link FlightsDailyPlain}, in this JVM, on
 * one warm SparkSession, repetitions interleaved (after one untimed warm-up run of each side, pairs
 * alternate their order: Cairn-plain, plain-Cairn, ...). Each repetition writes a fresh warehouse;
 * each Cairn repetition is a fresh run in a fresh checkpoint table on the DynamoDB Local server the
 * bench started once, and is timed from {@code CairnRuntime.run} to its return: opening the run,
 * lease, heartbeat, six stages with their transitions, checks and metrics, finishing the run. What
 * is not timed: JVM and Spark start (reported separately), creating the checkpoint table, deleting
 * the warehouse afterwards.
 */
final class Overhead {
  /**
   * One timed repetition.
   *
   * @param stageMs each stage's duration
   * @param gateMs each gated stage's check time outside its write job (Cairn only: the plain job
   *     checks nothing)
   */
  record Rep(
      String side,
      int index,
      double seconds,
      String load,
      Map<String, Long> stageMs,
      Map<String, Long> gateMs) {}

  /**
   * What the runtime decided for the chunked stage of Cairn repetition 0, and what it decided from.
   *
   * @param stage the chunked stage
   * @param unitWeights its units' weights (rows of each day of {@code flights_clean})
   * @param fixedCostSeconds C, as the runtime measured it
   * @param capSeconds the cap on a chunk's expected work it applied
   * @param overheadBudget the overhead budget it applied
   * @param decision the decision, as {@code status} shows it
   */
  record Chunking(
      String stage,
      List<Long> unitWeights,
      double fixedCostSeconds,
      double capSeconds,
      double overheadBudget,
      String decision) {}

  /** What the overhead part measured. */
  record Result(
      double sparkStartSeconds,
      Rep warmup,
      double cairnWarmupSeconds,
      List<Rep> reps,
      Map<String, Long> storeCalls,
      int cairnReps,
      Optional<Chunking> chunking) {
    double median(String side) {
      return Stats.median(
          reps.stream().filter(r -> r.side.equals(side)).map(Rep::seconds).toList());
    }

    double ratio() {
      return median("cairn") / median("plain");
    }

    double warmupSeconds() {
      return warmup.seconds;
    }

    /**
     * Per stage, seconds the plain warm-up (the job's first run in this JVM) took over the timed
     * plain repetitions' median: what a cold JVM costs plain Spark on each stage.
     */
    Map<String, Double> plainFirstRunSlowdown() {
      Map<String, Double> warm =
          Stats.mediansByKey(
              reps.stream().filter(r -> r.side.equals("plain")).map(Rep::stageMs).toList());
      Map<String, Double> out = new LinkedHashMap<>();
      warmup.stageMs.forEach(
          (stage, ms) -> {
            if (warm.containsKey(stage)) {
              out.put(stage, (ms - warm.get(stage)) / 1000.0);
            }
          });
      return out;
    }
  }

  private final BenchEnv env;
  private final PrintWriter out;
  private final Path flights;
  private final Map<String, String> parameters;
  private Optional<Chunking> chunking = Optional.empty();

  /**
   * @param flights the flights input of both sides
   * @param parameters the Cairn job's parameters naming it (empty for the job's default)
   */
  Overhead(BenchEnv env, PrintWriter out, Path flights, Map<String, String> parameters) {
    this.env = env;
    this.out = out;
    this.flights = flights;
    this.parameters = Map.copyOf(parameters);
  }

  Result run(int reps) throws IOException {
    Path root = env.scratch().resolve("overhead");
    long t0 = System.nanoTime();
    SparkSession spark =
        Spark.session(
            CairnConfig.fromEnvironment(cairnEnv(root.resolve("spark"), "unused")), "cairn bench");
    double sparkStart = since(t0);
    out.printf(
        "overhead: Spark session started in %s s (load %s)%n",
        Stats.seconds(sparkStart), Stats.loadAverage());
    out.flush();

    Rep warmup = plain(spark, root.resolve("warmup"));
    out.printf(
        "overhead: warm-up (plain, untimed) %s s stages %s%n",
        Stats.seconds(warmup.seconds), warmup.stageMs);
    // And one of Cairn's: its own code (store client, gates, Delta's transaction API) is as warm
    // as the plain job's in the timed repetitions, not compiled during the first of them.
    double cairnWarmup =
        cairn(spark, root.resolve("warmup-cairn"), "bench_overhead_" + env.token() + "_w", -1, null)
            .seconds;
    out.printf("overhead: warm-up (Cairn, untimed) %s s%n", Stats.seconds(cairnWarmup));
    out.flush();

    List<Rep> done = new ArrayList<>();
    Map<String, Long> calls = new HashMap<>();
    for (int i = 0; i < reps; i++) {
      boolean cairnFirst = i % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean cairn = (k == 0) == cairnFirst;
        Rep rep =
            cairn
                ? cairn(
                    spark,
                    root.resolve("cairn-" + i),
                    "bench_overhead_" + env.token() + "_" + i,
                    i,
                    calls)
                : plain(spark, root.resolve("plain-" + i), i);
        done.add(rep);
        out.printf(
            "overhead: rep %d %-5s %s s (load %s) stages %s%n",
            i, rep.side, Stats.seconds(rep.seconds), rep.load, rep.stageMs);
        out.flush();
      }
    }
    // The lost-work part runs drivers as processes: give them the machine.
    spark.stop();
    return new Result(sparkStart, warmup, cairnWarmup, done, calls, reps, chunking);
  }

  private Rep plain(SparkSession spark, Path dir) throws IOException {
    return plain(spark, dir, -1);
  }

  private Rep plain(SparkSession spark, Path dir, int index) throws IOException {
    Map<String, Long> stageMs = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    new FlightsDailyPlain(spark, dir.resolve("warehouse").toString())
        .run(flights.toString(), env.airports().toString(), stageMs::put);
    double s = since(t0);
    String load = Stats.loadAverage();
    BenchEnv.delete(dir);
    return new Rep("plain", index, s, load, stageMs, Map.of());
  }

  private Rep cairn(SparkSession spark, Path home, String table, int index, Map<String, Long> calls)
      throws IOException {
    Map<String, String> vars = cairnEnv(home, table);
    CairnRuntime runtime =
        new CairnRuntime(CairnConfig.fromEnvironment(vars), JobCatalog.fromClasspath(), vars);
    runtime.store(); // creates the table: not timed
    StoreCalls.reset();
    long t0 = System.nanoTime();
    RunOutcome outcome = runtime.run("flights-daily", parameters);
    double s = since(t0);
    String load = Stats.loadAverage();
    Map<String, Long> counted = StoreCalls.snapshot();
    counted.put("items chunk", (long) StoreCalls.chunksWritten());
    if (outcome.status() != RunStatus.SUCCEEDED) {
      throw new IllegalStateException(
          "the Cairn repetition " + index + " ended " + outcome.status() + ", not SUCCEEDED");
    }
    if (index == 0 && calls != null) {
      calls.putAll(counted);
    }
    Map<String, Long> stageMs = new LinkedHashMap<>();
    Map<String, Long> gateMs = new LinkedHashMap<>();
    for (StageRecord r : runtime.store().stages(outcome.runId())) {
      stageMs.put(r.stage(), r.metrics().durationMs());
      if (r.metrics().checkMs() >= 0) {
        gateMs.put(r.stage(), r.metrics().checkMs());
      }
      if (index == 0 && r.chunked()) {
        chunking = Optional.of(chunking(spark, home, r));
      }
    }
    // Not runtime.close(): that would stop the shared SparkSession. The runtime's metrics listener
    // stays registered on the context it joined (one driver, one run, normally): remove it, so
    // later repetitions do not feed every earlier run's listener too.
    runtime.store().close();
    for (SparkListenerInterface l :
        new ArrayList<>(spark.sparkContext().listenerBus().listeners())) {
      if (l instanceof SparkStageMetrics) {
        spark.sparkContext().removeSparkListener(l);
      }
    }
    BenchEnv.delete(home);
    return new Rep("cairn", index, s, load, stageMs, gateMs);
  }

  /**
   * The chunked stage's decision and its units' weights, as flights-daily weighs them ({@link
   * FlightsChunks#days}: the rows of each day of the warehouse's {@code flights_clean}); not timed.
   */
  private static Chunking chunking(SparkSession spark, Path home, StageRecord stage) {
    Dataset<Row> clean =
        spark
            .read()
            .format("delta")
            .load(home.resolve("warehouse").resolve("flights_clean").toString());
    List<Long> weights =
        FlightsChunks.days(clean, Optional.empty()).stream()
            .map(ChunkPlanner.Unit::weight)
            .toList();
    ChunkDecision decision =
        stage
            .chunkPlan()
            .decision()
            .orElseThrow(
                () -> new IllegalStateException(stage.stage() + " recorded no chunk decision"));
    return new Chunking(
        stage.stage(),
        weights,
        decision.fixedCostSeconds(),
        decision.capSeconds(),
        decision.overheadBudget(),
        decision.describe());
  }

  private Map<String, String> cairnEnv(Path home, String table) {
    Map<String, String> vars = new HashMap<>(System.getenv());
    vars.remove("CAIRN_WAREHOUSE");
    vars.put("CAIRN_HOME", home.toString());
    vars.put("CAIRN_CHECKPOINT_TABLE", table);
    vars.put("CAIRN_DATA_CACHE", env.dataCache().toString());
    // The store's client reads endpoint, region and credentials from the SDK's standard system
    // properties, which BenchEnv set to the bench's DynamoDB Local.
    return vars;
  }

  private static double since(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
