package dev.cairn.it;

import dev.cairn.cli.CairnCli;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * A {@code cairn} driver JVM as a user starts it: the jobs module's launcher classpath, Spark's JVM
 * options, its own process group (so a test can SIGKILL the whole group, as a lost node or {@code
 * kill -9 -pgid} would), and a state directory of its own.
 */
final class Driver {
  private static final Path JOBS_LIB = Path.of(System.getProperty("cairn.jobs.lib"));
  private static final Path DDB_LIB = Path.of(System.getProperty("cairn.dynamodbLocal.lib"));
  private static final List<String> JVM_OPTIONS =
      Arrays.stream(System.getProperty("cairn.jvm.options").trim().split("\\s+")).toList();

  private final Path home;
  private final Path dataCache;
  private final Map<String, String> env = new HashMap<>();
  private final List<String> jvmOptions = new ArrayList<>();

  Driver(Path home, Path dataCache) {
    this.home = home;
    this.dataCache = dataCache;
  }

  /** Parks the next driver at {@code stage}:{@code window} and creates the returned file there. */
  Path pauseAt(String stage, String window) {
    Path signal = home.resolve("paused-" + stage + "-" + window);
    env.put("CAIRN_TEST_PAUSE_AT", stage + ":" + window);
    env.put("CAIRN_TEST_PAUSE_FILE", signal.toString());
    return signal;
  }

  /** The file the next driver creates when it parks ({@link #pauseAt}). */
  Path pausedFile() {
    return Path.of(env.get("CAIRN_TEST_PAUSE_FILE"));
  }

  /** Sets an environment variable for the drivers started from now on. */
  Driver withEnv(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Unsets an environment variable for the drivers started from now on. */
  Driver withoutEnv(String name) {
    env.remove(name);
    return this;
  }

  /**
   * Adds a JVM option (e.g. {@code -Dspark.eventLog.enabled=true}) to the drivers started now on.
   */
  Driver withJvmOption(String option) {
    jvmOptions.add(option);
    return this;
  }

  void noPause() {
    env.remove("CAIRN_TEST_PAUSE_AT");
    env.remove("CAIRN_TEST_PAUSE_FILE");
  }

  /** Starts {@code cairn <args>} in a new process group; output goes to a log under home. */
  Running start(String... args) throws IOException {
    Files.createDirectories(home);
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(JVM_OPTIONS);
    command.add("-Dcairn.dynamodbLocal.lib=" + DDB_LIB);
    command.add("-Dcairn.shuffle.partitions=2");
    // As ./cairn does: CAIRN_LOG_FORMAT=json selects the JSON-lines configuration beside it.
    Path logConfig = Path.of(System.getProperty("cairn.log4j.config"));
    if ("json".equals(env.get("CAIRN_LOG_FORMAT"))) {
      logConfig = logConfig.resolveSibling("log4j2-json.properties");
    }
    command.add("-Dlog4j2.configurationFile=" + logConfig);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(JOBS_LIB + "/*");
    command.add("dev.cairn.cli.CairnCli");
    command.addAll(List.of(args));
    Path log = Files.createTempFile(home, "driver-" + args[0] + "-", ".log");
    Path out = Files.createTempFile(home, "driver-" + args[0] + "-", ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectError(log.toFile())
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("CAIRN_HOME", home.toString());
    builder.environment().put("CAIRN_DATA_CACHE", dataCache.toString());
    builder.environment().put("CAIRN_SPARK_MASTER", "local[2]");
    builder.environment().remove("CAIRN_CHECKPOINT_TABLE");
    builder.environment().remove("CAIRN_WAREHOUSE");
    builder.environment().putAll(env);
    return new Running(builder.start(), out, log);
  }

  /** Runs {@code cairn <args>} to completion. */
  Result run(String... args) throws IOException, InterruptedException {
    return start(args).await(Duration.ofMinutes(5));
  }

  /**
   * Runs a command that only reads the checkpoint table ({@code status}, {@code runs}) in this JVM,
   * with the environment a driver started now would get: the same CLI and runtime, without the ~3 s
   * of a JVM start. Commands that run jobs or need a separate process use {@link #run}.
   */
  Result read(String... args) {
    if (!List.of("status", "runs", "history").contains(args[0])) {
      throw new IllegalArgumentException(args[0] + " is not a read-only command: use run()");
    }
    Map<String, String> vars = new HashMap<>(System.getenv());
    vars.put("CAIRN_HOME", home.toString());
    vars.put("CAIRN_DATA_CACHE", dataCache.toString());
    vars.remove("CAIRN_CHECKPOINT_TABLE");
    vars.remove("CAIRN_WAREHOUSE");
    vars.putAll(env);
    CommandLine cli =
        CairnCli.commandLine(
            () ->
                new CairnRuntime(
                    CairnConfig.fromEnvironment(vars), JobCatalog.fromClasspath(), vars));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /**
   * A finished driver.
   *
   * @param output what it printed on stdout (the CLI's own output)
   * @param log what it printed on stderr (logs)
   */
  record Result(int exitCode, String output, String log) {
    /** Both, to explain a failed assertion. */
    String all() {
      return output + "\n--- log ---\n" + log;
    }
  }

  static final class Running {
    final Process process;
    final Path out;
    final Path log;

    Running(Process process, Path out, Path log) {
      this.process = process;
      this.out = out;
      this.log = log;
    }

    Result await(Duration timeout) throws IOException, InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killGroup();
        throw new AssertionError(
            "driver did not finish within " + timeout + "; its log:\n" + Files.readString(log));
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(log));
    }

    /** SIGKILL to the driver's whole process group, then waits for it to be gone. */
    void killGroup() throws IOException, InterruptedException {
      long pgid = process.pid(); // setsid made the driver its group's leader
      new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).inheritIO().start().waitFor();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Sends {@code signal} (e.g. STOP, CONT, TERM) to the driver JVM alone. */
    void signal(String signal) throws IOException, InterruptedException {
      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor();
    }

    String log() throws IOException {
      return Files.readString(log);
    }
  }
}
