package dev.cairn.internal.metrics;

import dev.cairn.internal.store.StageMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes metrics as CloudWatch Embedded Metric Format lines to the logger {@code cairn.metrics}
 * (its own appender in {@code src/conf/log4j2*.properties}), so alarms can be set on stage
 * failures, retries and durations without a CloudWatch SDK: the CloudWatch agent (or Lambda, ECS
 * log drivers) turns each line into metrics in namespace {@value #NAMESPACE}, dimensions {@code
 * Job} and {@code Job, Stage}.
 */
public final class EmbeddedMetrics {
  public static final String NAMESPACE = "Cairn";
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
    values.put(
        "Run" + status.charAt(0) + status.substring(1).toLowerCase(java.util.Locale.ROOT), 1);
    values.put("RunDurationMs", durationMs);
    emit(at, job, runId, null, 0, null, values);
  }

  /** The EMF line for these values; public for tests and documentation. */
  public static String line(
      Instant at,
      String job,
      String runId,
      String stage,
      int attempt,
      String errorClass,
      Map<String, Number> values) {
    StringBuilder metrics = new StringBuilder();
    for (Map.Entry<String, Number> v : values.entrySet()) {
      metrics
          .append(metrics.length() == 0 ? "" : ",")
          .append("{\"Name\":")
          .append(quote(v.getKey()))
          .append(",\"Unit\":")
          .append(quote(unit(v.getKey())))
          .append('}');
    }
    StringBuilder line = new StringBuilder();
    line.append("{\"_aws\":{\"Timestamp\":")
        .append(at.toEpochMilli())
        .append(",\"CloudWatchMetrics\":[{\"Namespace\":\"")
        .append(NAMESPACE)
        .append("\",\"Dimensions\":[")
        .append(stage == null ? "[\"Job\"]" : "[\"Job\"],[\"Job\",\"Stage\"]")
        .append("],\"Metrics\":[")
        .append(metrics)
        .append("]}]},\"Job\":")
        .append(quote(job));
    if (stage != null) {
      line.append(",\"Stage\":").append(quote(stage));
      line.append(",\"attempt\":").append(attempt);
    }
    line.append(",\"runId\":").append(quote(runId));
    if (errorClass != null) {
      line.append(",\"errorClass\":").append(quote(errorClass));
    }
    for (Map.Entry<String, Number> v : values.entrySet()) {
      line.append(',').append(quote(v.getKey())).append(':').append(v.getValue());
    }
    return line.append('}').toString();
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

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
