package dev.cairn.cli;

import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.config.CairnConfig;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The runtime of one command: built on the command's first use, with the configuration its options
 * make, and closed once when the command ends, whatever the outcome ({@link CairnCli} wraps every
 * command's execution in it). A command refused before it needed the runtime (a usage error) builds
 * none, so a broken environment cannot hide the usage error.
 *
 * <p>Not thread-safe: one command at a time.
 */
final class RuntimeScope implements AutoCloseable {
  private final Supplier<CairnRuntime> runtimes;
  private CairnRuntime runtime;

  RuntimeScope(Supplier<CairnRuntime> runtimes) {
    this.runtimes = runtimes;
  }

  /**
   * The runtime, built on first use with the configuration {@code adjust} makes; later calls return
   * the same runtime, whatever their {@code adjust}.
   */
  CairnRuntime runtime(UnaryOperator<CairnConfig> adjust) {
    if (runtime == null) {
      runtime = runtimes.get().reconfigured(adjust);
    }
    return runtime;
  }

  /** Closes the runtime if one was built. */
  @Override
  public void close() {
    if (runtime == null) {
      return;
    }
    try {
      runtime.close();
    } finally {
      runtime = null;
    }
  }
}
