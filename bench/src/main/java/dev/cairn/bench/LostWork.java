package dev.cairn.bench;

import dev.cairn.internal.store.DynamoDbCheckpointStore;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Work lost to a kill: {@code ./cairn run flights-daily} as a separate process in its own process
 * group, SIGKILLed (the whole group) at a uniformly random instant within a clean run's duration,
 * then {@code ./cairn resume <runId>}; clean runs and killed samples interleave. Every sample has a
 * fresh CAIRN_HOME (its warehouse) and its own checkpoint table on the bench's DynamoDB Local, so
 * neither the clean nor the resumed driver pays DynamoDB Local's start; both pay JVM and Spark
 * start. Times are wall clock from starting the process to its exit (or to the kill).
 */
final class LostWork {
  /** One sample: a clean run or a killed and resumed one. */
  sealed interface Sample permits Clean, Killed {}

  /** A clean run. */
  record Clean(int index, double seconds, String load) implements Sample {}

  /** A killed and resumed run. */
  record Killed(
      int index,
      double killAfter,
      double resumeSeconds,
      String resumedWith,
      List<String> committedAtKill,
      String load)
      implements Sample {}

  /** What the lost-work part measured. */
  record Result(List<Clean> cleans, List<Killed> kills) {
    double cleanMedian() {
      return Stats.median(cleans.stream().map(Clean::seconds).toList());
    }

    List<Double> ratios() {
      double clean = cleanMedian();
      return kills.stream()
          .map(k -> Stats.lostWorkRatio(k.killAfter, k.resumeSeconds, clean))
          .toList();
    }

    List<Double> restartRatios() {
      double clean = cleanMedian();
      return kills.stream().map(k -> Stats.restartRatio(k.killAfter, clean)).toList();
    }
  }

  private final BenchEnv env;
  private final PrintWriter out;
  private final Random random;

  LostWork(BenchEnv env, PrintWriter out, long seed) {
    this.env = env;
    this.out = out;
    this.random = new Random(seed);
  }

  /** {@code cleans} clean runs and {@code kills} killed ones, interleaved, a clean one first. */
  Result run(int cleans, int kills) throws IOException, InterruptedException {
    List<Clean> clean = new ArrayList<>();
    List<Killed> killed = new ArrayList<>();
    int sample = 0;
    while (clean.size() < cleans || killed.size() < kills) {
      boolean doClean = clean.isEmpty() || (clean.size() < cleans && clean.size() <= killed.size());
      if (doClean || killed.size() >= kills) {
        clean.add(clean(sample++, clean.size()));
      } else {
        double horizon = Stats.median(clean.stream().map(Clean::seconds).toList());
        Sample done = killed(sample++, killed.size(), clean.size(), random.nextDouble() * horizon);
        if (done instanceof Killed k) {
          killed.add(k);
        } else {
          // The machine got faster than the clean runs so far: the run finished before its kill
          // instant. It is a clean run (the next instant is drawn from a median that includes it).
          clean.add((Clean) done);
        }
      }
    }
    return new Result(clean, killed);
  }

  private Clean clean(int sample, int index) throws IOException, InterruptedException {
    Path home = home(sample);
    String table = table(sample);
    long t0 = System.nanoTime();
    Process p = start(home, table, "run", "flights-daily");
    int exit = p.waitFor();
    double s = since(t0);
    String load = Stats.loadAverage();
    requireExit(exit, 0, home, "clean run");
    requireSucceeded(table, home);
    out.printf("lost work: clean %d %s s (load %s)%n", index, Stats.seconds(s), load);
    out.flush();
    BenchEnv.delete(home);
    return new Clean(index, s, load);
  }

  /**
   * A {@link Killed} sample, or a {@link Clean} one when the run finished before {@code killAt}.
   */
  private Sample killed(int sample, int index, int cleanIndex, double killAt)
      throws IOException, InterruptedException {
    Path home = home(sample);
    String table = table(sample);
    long t0 = System.nanoTime();
    Process p = start(home, table, "run", "flights-daily");
    boolean exited = p.waitFor((long) (killAt * 1e9), TimeUnit.NANOSECONDS);
    double killAfter = since(t0);
    if (exited) {
      String load = Stats.loadAverage();
      requireExit(p.exitValue(), 0, home, "run to be killed at " + Stats.seconds(killAt) + " s");
      requireSucceeded(table, home);
      out.printf(
          "lost work: clean %d %s s (load %s): finished before its kill instant %s s%n",
          cleanIndex, Stats.seconds(killAfter), load, Stats.seconds(killAt));
      out.flush();
      BenchEnv.delete(home);
      return new Clean(cleanIndex, killAfter, load);
    }
    // setsid made the driver its process group's leader: kill the whole group, as a lost node.
    new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).inheritIO().start().waitFor();
    p.waitFor();
    List<String> committed;
    String runId;
    try (DynamoDbCheckpointStore store = new DynamoDbCheckpointStore(env.client(), table)) {
      store.createTableIfAbsent();
      List<RunRecord> runs = store.listRuns(1);
      runId = runs.isEmpty() ? null : runs.get(0).runId();
      committed =
          runId == null
              ? List.of()
              : store.stages(runId).stream()
                  .filter(s -> s.status().name().equals("COMMITTED"))
                  .map(StageRecord::stage)
                  .toList();
    }
    long t1 = System.nanoTime();
    // Killed before the run was even recorded: `cairn run` is how it starts again.
    Process again =
        runId == null
            ? start(home, table, "run", "flights-daily")
            : start(home, table, "resume", runId);
    int exit = again.waitFor();
    double resume = since(t1);
    String load = Stats.loadAverage();
    requireExit(exit, 0, home, "resume");
    requireSucceeded(table, home);
    out.printf(
        "lost work: kill %d at %s s (committed then: %s), %s %s s (load %s)%n",
        index,
        Stats.seconds(killAfter),
        committed.isEmpty() ? "none" : String.join(",", committed),
        runId == null ? "run again" : "resume",
        Stats.seconds(resume),
        load);
    out.flush();
    BenchEnv.delete(home);
    return new Killed(index, killAfter, resume, runId == null ? "run" : "resume", committed, load);
  }

  private Process start(Path home, String table, String... args) throws IOException {
    Files.createDirectories(home);
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(env.repo().resolve("cairn").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
    Map<String, String> vars = pb.environment();
    vars.remove("CAIRN_WAREHOUSE");
    vars.put("CAIRN_HOME", home.toString());
    vars.put("CAIRN_CHECKPOINT_TABLE", table);
    vars.put("CAIRN_DATA_CACHE", env.dataCache().toString());
    vars.put("AWS_ENDPOINT_URL_DYNAMODB", env.endpoint().toString());
    vars.put("AWS_REGION", BenchEnv.REGION);
    vars.put("AWS_ACCESS_KEY_ID", BenchEnv.ACCESS_KEY);
    vars.put("AWS_SECRET_ACCESS_KEY", BenchEnv.SECRET_KEY);
    vars.put("AWS_EC2_METADATA_DISABLED", "true");
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("driver.out").toFile()));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("driver.log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return pb.start();
  }

  private void requireSucceeded(String table, Path home) {
    try (DynamoDbCheckpointStore store = new DynamoDbCheckpointStore(env.client(), table)) {
      List<RunRecord> runs = store.listRuns(1);
      if (runs.isEmpty() || runs.get(0).status() != RunStatus.SUCCEEDED) {
        throw new IllegalStateException(
            "the run in "
                + home
                + " is "
                + (runs.isEmpty() ? "absent" : runs.get(0).status())
                + ", not SUCCEEDED; its log: "
                + home.resolve("driver.log"));
      }
    }
  }

  private static void requireExit(int exit, int expected, Path home, String what) {
    if (exit != expected) {
      throw new IllegalStateException(
          "the "
              + what
              + " exited "
              + exit
              + ", expected "
              + expected
              + "; its log: "
              + home.resolve("driver.log"));
    }
  }

  private Path home(int sample) {
    return env.scratch().resolve("lost-work").resolve("sample-" + sample);
  }

  private String table(int sample) {
    return "bench_lost_" + env.token() + "_" + sample;
  }

  private static double since(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
