package dev.cairn.internal.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.internal.store.StageMetrics;
import java.math.BigDecimal;
import java.math.BigInteger;
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
 * <p>Lines go to the logger {@code cairn.metrics} (its own appender in {@code
 * src/conf/log4j2*.properties}). Thread-safe.
 */
public final class EmbeddedMetrics {
  public static final String NAMESPACE = "Cairn";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger METRICS = LogManager.getLogger("cairn.metrics");

  private EmbeddedMetrics() {}

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
    if (METRICS.isInfoEnabled()) {
      METRICS.info(line(at, job, runId, stage, attempt, errorClass, values));
    }
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
}
