package dev.cairn.bench;

import dev.cairn.internal.store.DynamoDbCheckpointStore;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drivers as separate processes, as an operator runs them: {@code ./cairn run flights-daily} or
 * {@code ./cairn resume <runId>} under {@code setsid} (so a kill can take the whole process group,
 * as a lost node would), each sample with its own CAIRN_HOME and its own checkpoint table on the
 * bench's DynamoDB Local (so no driver pays DynamoDB Local's start). Their output goes to {@code
 * driver.out} and {@code driver.log} in the sample's home.
 */
final class Drivers {
  private final BenchEnv env;
  private final String part;
  private final Map<String, String> parameters;

  /**
   * @param part names the samples' directories and tables
   * @param parameters the job's parameters given to {@code run} ({@code -p k=v}); empty for its
   *     defaults
   */
  Drivers(BenchEnv env, String part, Map<String, String> parameters) {
    this.env = env;
    this.part = part;
    this.parameters = Map.copyOf(parameters);
  }

  /** A driver process started now, and when. */
  record Started(Process process, Instant at, long nanos) {
    double secondsSince() {
      return (System.nanoTime() - nanos) / 1e9;
    }
  }

  /** Starts {@code ./cairn run flights-daily} with the job's parameters. */
  Started run(int sample, Map<String, String> extraEnv) throws IOException {
    List<String> args = new ArrayList<>(List.of("run", "flights-daily"));
    parameters.forEach((k, v) -> args.addAll(List.of("-p", k + "=" + v)));
    return start(sample, extraEnv, args);
  }

  /** Starts {@code ./cairn resume <runId>}. */
  Started resume(int sample, String runId) throws IOException {
    return start(sample, Map.of(), List.of("resume", runId));
  }

  private Started start(int sample, Map<String, String> extraEnv, List<String> args)
      throws IOException {
    Path home = home(sample);
    Files.createDirectories(home);
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(env.repo().resolve("cairn").toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
    Map<String, String> vars = pb.environment();
    vars.remove("CAIRN_WAREHOUSE");
    vars.put("CAIRN_HOME", home.toString());
    vars.put("CAIRN_CHECKPOINT_TABLE", table(sample));
    vars.put("CAIRN_DATA_CACHE", env.dataCache().toString());
    vars.put("AWS_ENDPOINT_URL_DYNAMODB", env.endpoint().toString());
    vars.put("AWS_REGION", BenchEnv.REGION);
    vars.put("AWS_ACCESS_KEY_ID", BenchEnv.ACCESS_KEY);
    vars.put("AWS_SECRET_ACCESS_KEY", BenchEnv.SECRET_KEY);
    vars.put("AWS_EC2_METADATA_DISABLED", "true");
    vars.putAll(extraEnv);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("driver.out").toFile()));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("driver.log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Instant at = Instant.now();
    long nanos = System.nanoTime();
    return new Started(pb.start(), at, nanos);
  }

  /** SIGKILLs the driver's whole process group, as a lost node, and waits for it to be gone. */
  static void killGroup(Process p) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).inheritIO().start().waitFor();
    p.waitFor();
  }

  /** The sample's checkpoint store (a client of the bench's DynamoDB Local); close it. */
  DynamoDbCheckpointStore store(int sample) {
    DynamoDbCheckpointStore store = new DynamoDbCheckpointStore(env.client(), table(sample));
    store.createTableIfAbsent();
    return store;
  }

  /** The newest run in the sample's table, if one was recorded. */
  Optional<RunRecord> lastRun(int sample) {
    try (DynamoDbCheckpointStore store = store(sample)) {
      return store.listRuns(1).stream().findFirst();
    }
  }

  /**
   * What the sample's run left in the store, once it exited {@code exit}.
   *
   * @throws IllegalStateException unless it exited 0 with its run SUCCEEDED
   */
  RunFacts requireSucceeded(int sample, int exit, String what) {
    Path log = home(sample).resolve("driver.log");
    if (exit != 0) {
      throw new IllegalStateException(
          "the " + what + " exited " + exit + ", expected 0; its log: " + log);
    }
    try (DynamoDbCheckpointStore store = store(sample)) {
      List<RunRecord> runs = store.listRuns(1);
      if (runs.isEmpty() || runs.get(0).status() != RunStatus.SUCCEEDED) {
        throw new IllegalStateException(
            "the run in "
                + home(sample)
                + " is "
                + (runs.isEmpty() ? "absent" : runs.get(0).status())
                + ", not SUCCEEDED; its log: "
                + log);
      }
      return RunFacts.read(store, runs.get(0));
    }
  }

  Path home(int sample) {
    return env.scratch().resolve(part).resolve("sample-" + sample);
  }

  private String table(int sample) {
    return "bench_" + part.replace('-', '_') + "_" + env.token() + "_" + sample;
  }

  /** Deletes the sample's home (its warehouse, logs and event logs). */
  void clean(int sample) throws IOException {
    BenchEnv.delete(home(sample));
  }
}
