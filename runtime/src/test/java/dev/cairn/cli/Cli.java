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
  private int runtimesBuilt;

  Cli(Path home) {
    this.home = home;
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
        CairnConfig.fromEnvironment(Map.of("CAIRN_HOME", home.toString())),
        JobCatalog.of(List.of(new DemoJob(), new DemoJob.Other())),
        Map.of());
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
