package dev.cairn.cli;

import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs the {@code cairn} command in-process against a state directory and captures its output. */
final class Cli {
  private final Path home;
  private final Map<String, String> env;
  private int runtimesBuilt;

  Cli(Path home) {
    this(home, Map.of());
  }

  /** With more environment variables, e.g. {@code CAIRN_WAREHOUSE}. */
  Cli(Path home, Map<String, String> env) {
    this.home = home;
    this.env = env;
  }

  /** What one invocation printed and returned. */
  record Result(int exitCode, String out, String err) {}

  /** How many runtimes the command built so far. */
  int runtimesBuilt() {
    return runtimesBuilt;
  }

  /** A fresh runtime on {@code home} with the test jobs, as the launcher would build one. */
  CairnRuntime newRuntime() {
    return new CairnRuntime(
        CairnConfig.fromEnvironment(environment()),
        JobCatalog.of(List.of(new DemoJob(), new DemoJob.Other())),
        Map.of());
  }

  private Map<String, String> environment() {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("CAIRN_HOME", home.toString());
    return all;
  }

  /** Runs {@code cairn args...}; every invocation gets its own runtime, as in production. */
  Result run(String... args) {
    CommandLine commandLine =
        CairnCli.commandLine(
            () -> {
              runtimesBuilt++;
              return newRuntime();
            });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
