package dev.cairn.internal.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.internal.store.StageMetrics;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes metrics as CloudWatch Embedded Metric Format lines, so alarms can be set on stage
 * failures, retries and durations without a CloudWatch SDK: the CloudWatch agent (or Lambda, ECS
 * log drivers) turns each line into metrics in namespace {@value #NAMESPACE}, dimensions {@code
 * Job} and {@code Job, Stage}.
 *
 * <p>Lines go to the current {@link Sink}: by default the logger {@code cairn.metrics} (its own
 * appender in {@code src/conf/log4j2*.properties}); the CLI routes them to {@code
 * $CAIRN_HOME/logs/metrics.emf} while a command runs ({@link #routeTo}). Thread-safe.
 */
public final class EmbeddedMetrics {
  public static final String NAMESPACE = "Cairn";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile Sink sink = Sink.logger();

  private EmbeddedMetrics() {}

  /**
   * Where EMF lines go, one complete line per {@link #accept} (without its newline).
   * Implementations are thread-safe and never throw: metrics must not fail a run.
   */
  public interface Sink extends AutoCloseable {
    void accept(String line);

    /** Releases what the sink holds open; lines accepted later may be dropped. */
    @Override
    default void close() {}

    /** The logger {@code cairn.metrics}, at INFO: where the log configuration sends it. */
    static Sink logger() {
      Logger metrics = LogManager.getLogger("cairn.metrics");
      return line -> {
        if (metrics.isInfoEnabled()) {
          metrics.info(line);
        }
      };
    }

    /**
     * Appends each line to {@code file}, flushed at once (a killed driver loses none). The file and
     * its directories are created on the first line; a failure to write is logged once and the
     * lines are dropped.
     */
    static Sink appendingTo(Path file) {
      return new FileSink(file);
    }
  }

  /**
   * Sends every line to {@code next} from now on.
   *
   * @return the sink lines went to before, to route them back to when done
   */
  public static Sink routeTo(Sink next) {
    Sink before = sink;
    sink = next;
    return before;
  }

  /** A committed stage attempt: its duration and Spark counters. */
  public static void stageCommitted(
      Instant at, String job, String runId, String stage, int attempt, StageMetrics m) {
    Map<String, Number> values = new LinkedHashMap<>();
    values.put("StageDurationMs", m.durationMs());
    values.put("RecordsWritten", Math.max(0, m.recordsWritten()));
    values.put("BytesWritten", Math.max(0, m.bytesWritten()));
    values.put("ShuffleBytes", Math.max(0, m.shuffleBytes()));
    values.put("SpillBytes", Math.max(0, m.spillBytes()));
    values.put("FailedTasks", Math.max(0, m.failedTasks()));
    values.put("StageCommits", 1);
    emit(at, job, runId, stage, attempt, null, values);
  }

  /** A stage attempt whose checks failed {@code warned} expectations that only warn. */
  public static void checksWarned(
      Instant at, String job, String runId, String stage, int attempt, long warned) {
    emit(at, job, runId, stage, attempt, null, Map.of("DataQualityWarnings", warned));
  }

  /** A stage attempt that failed transiently and will be retried. */
  public static void stageRetried(
      Instant at, String job, String runId, String stage, int attempt, String errorClass) {
    emit(at, job, runId, stage, attempt, errorClass, Map.of("StageRetries", 1));
  }

  /** A stage that failed for good. */
  public static void stageFailed(
      Instant at, String job, String runId, String stage, int attempt, String errorClass) {
    emit(at, job, runId, stage, attempt, errorClass, Map.of("StageFailures", 1));
  }

  /** The end of a driver's work on a run: succeeded, failed or interrupted. */
  public static void runEnded(
      Instant at, String job, String runId, String status, long durationMs) {
    Map<String, Number> values = new LinkedHashMap<>();
    values.put("Run" + status.charAt(0) + status.substring(1).toLowerCase(Locale.ROOT), 1);
    values.put("RunDurationMs", durationMs);
    emit(at, job, runId, null, 0, null, values);
  }

  /**
   * The EMF line for these values: the {@code _aws} directive, then {@code Job}, {@code Stage} and
   * {@code attempt} (for a stage), {@code runId}, {@code errorClass} (if given) and the values, in
   * their order. Public for tests and documentation.
   */
  public static String line(
      Instant at,
      String job,
      String runId,
      String stage,
      int attempt,
      String errorClass,
      Map<String, Number> values) {
    ObjectNode line = JSON.createObjectNode();
    ObjectNode directive =
        line.putObject("_aws")
            .put("Timestamp", at.toEpochMilli())
            .putArray("CloudWatchMetrics")
            .addObject()
            .put("Namespace", NAMESPACE);
    ArrayNode dimensions = directive.putArray("Dimensions");
    dimensions.addArray().add("Job");
    if (stage != null) {
      dimensions.addArray().add("Job").add("Stage");
    }
    ArrayNode metrics = directive.putArray("Metrics");
    values.keySet().forEach(name -> metrics.addObject().put("Name", name).put("Unit", unit(name)));
    line.put("Job", job);
    if (stage != null) {
      line.put("Stage", stage);
      line.put("attempt", attempt);
    }
    line.put("runId", runId);
    if (errorClass != null) {
      line.put("errorClass", errorClass);
    }
    values.forEach((name, value) -> put(line, name, value));
    return line.toString();
  }

  private static void put(ObjectNode line, String name, Number value) {
    if (value instanceof BigDecimal decimal) {
      line.put(name, decimal);
    } else if (value instanceof BigInteger integer) {
      line.put(name, integer);
    } else if (value instanceof Double || value instanceof Float) {
      line.put(name, value.doubleValue());
    } else {
      line.put(name, value.longValue());
    }
  }

  private static void emit(
      Instant at,
      String job,
      String runId,
      String stage,
      int attempt,
      String errorClass,
      Map<String, Number> values) {
    sink.accept(line(at, job, runId, stage, attempt, errorClass, values));
  }

  private static String unit(String name) {
    if (name.endsWith("Ms")) {
      return "Milliseconds";
    }
    if (name.endsWith("Bytes") || name.startsWith("Bytes")) {
      return "Bytes";
    }
    return "Count";
  }

  /** {@link Sink#appendingTo}. */
  private static final class FileSink implements Sink {
    private static final Logger LOG = LogManager.getLogger(EmbeddedMetrics.class);
    private final Path file;
    private Writer writer;
    private boolean failed;

    FileSink(Path file) {
      this.file = file;
    }

    @Override
    public synchronized void accept(String line) {
      if (failed) {
        return;
      }
      try {
        if (writer == null) {
          Files.createDirectories(file.toAbsolutePath().getParent());
          writer =
              Files.newBufferedWriter(
                  file,
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
        }
        writer.write(line);
        writer.write('\n');
        writer.flush();
      } catch (IOException e) {
        // Metrics must not fail a run: say so once, then drop them.
        failed = true;
        LOG.warn(
            "Cannot write metric lines to {} ({}); dropping them for this command. Fix: make"
                + " that directory writable, or set CAIRN_LOG_FORMAT=json to send them to the log",
            file,
            e.toString());
      }
    }

    @Override
    public synchronized void close() {
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException e) {
          LOG.warn("Cannot close the metrics file {}: {}", file, e.toString());
        }
        writer = null;
      }
    }
  }
}
