package dev.cairn.cli;

import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.config.CairnConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A {@code cairn} subcommand: it reaches the invocation's runtime (opened on first use, closed by
 * {@link CairnCli} when the command ends) and prints through its command line's writer, so tests
 * run it in-process. It returns an exit code or throws; {@link ExitCodes} maps what it throws.
 */
abstract class CliCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** The runtime on the environment's configuration. */
  final CairnRuntime runtime() {
    return runtime(UnaryOperator.identity());
  }

  /** The runtime on the configuration {@code adjust} makes of the environment's. */
  final CairnRuntime runtime(UnaryOperator<CairnConfig> adjust) {
    return ((CairnCli) spec.root().userObject()).scope().runtime(adjust);
  }

  /** Where the command prints; flushed by {@link #done()}. */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Flushes the output and returns {@link ExitCodes#SUCCESS}. */
  final int done() {
    out().flush();
    return ExitCodes.SUCCESS;
  }
}
