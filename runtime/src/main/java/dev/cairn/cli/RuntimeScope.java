package dev.cairn.cli;

import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.metrics.EmbeddedMetrics;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The runtime of one command: built on the command's first use, with the configuration its options
 * make, and closed once when the command ends, whatever the outcome ({@link CairnCli} wraps every
 * command's execution in it). A command refused before it needed the runtime (a usage error) builds
 * none, so a broken environment cannot hide the usage error.
 *
 * <p>While the runtime is open, the CloudWatch EMF metric lines of its runs go to {@code
 * $CAIRN_HOME/logs/metrics.emf}, so that the console shows only lines for people; with {@code
 * CAIRN_LOG_FORMAT=json}, where every log line is JSON already, they go to the log ({@code
 * cairn.metrics}, on stderr).
 *
 * <p>Not thread-safe: one command at a time.
 */
final class RuntimeScope implements AutoCloseable {
  /** The log format the launcher chose ({@code CAIRN_LOG_FORMAT}). */
  enum LogFormat {
    TEXT,
    JSON;

    static LogFormat fromEnvironment(Map<String, String> env) {
      return "json".equals(env.get("CAIRN_LOG_FORMAT")) ? JSON : TEXT;
    }
  }

  private final Supplier<CairnRuntime> runtimes;
  private final LogFormat logFormat;
  private CairnRuntime runtime;
  private EmbeddedMetrics.Sink metrics;
  private EmbeddedMetrics.Sink metricsBefore;

  RuntimeScope(Supplier<CairnRuntime> runtimes, LogFormat logFormat) {
    this.runtimes = runtimes;
    this.logFormat = logFormat;
  }

  /** Where a runtime on {@code home} writes its metric lines in the text log format. */
  static Path metricsFile(Path home) {
    return home.resolve("logs").resolve("metrics.emf");
  }

  /**
   * The runtime, built on first use with the configuration {@code adjust} makes; later calls return
   * the same runtime, whatever their {@code adjust}.
   */
  CairnRuntime runtime(UnaryOperator<CairnConfig> adjust) {
    if (runtime == null) {
      runtime = runtimes.get().reconfigured(adjust);
      metrics =
          logFormat == LogFormat.JSON
              ? EmbeddedMetrics.Sink.logger()
              : EmbeddedMetrics.Sink.appendingTo(metricsFile(runtime.config().home()));
      metricsBefore = EmbeddedMetrics.routeTo(metrics);
    }
    return runtime;
  }

  /** Closes the runtime if one was built, and gives the metric lines back to the log. */
  @Override
  public void close() {
    if (runtime == null) {
      return;
    }
    try {
      runtime.close();
    } finally {
      EmbeddedMetrics.routeTo(metricsBefore);
      metrics.close();
      runtime = null;
    }
  }
}
