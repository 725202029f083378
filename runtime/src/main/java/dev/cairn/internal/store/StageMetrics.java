package dev.cairn.internal.store;

/**
 * What one stage attempt cost, kept in its checkpoint. Counts are summed over the Spark tasks of
 * the attempt's jobs; -1 means not measured (a stage recovered from the Delta log ran no job).
 *
 * @param durationMs wall-clock time from the attempt's start to its Delta commit
 * @param recordsRead records read from sources and tables
 * @param bytesRead bytes read from sources and tables
 * @param recordsWritten records written to the output table's files
 * @param bytesWritten bytes written to the output table's files
 * @param shuffleBytes shuffle bytes written plus read
 * @param spillBytes bytes spilled to memory and disk
 * @param failedTasks task attempts that failed (Spark retried them)
 * @param executorsLost executors removed while the attempt ran
 * @param sparkJobMs wall-clock time during which at least one of the attempt's Spark jobs ran; the
 *     rest of {@code durationMs} is the driver's own (planning, commits, checkpoint writes)
 * @param checkMs time the data-quality checks took beside the writes (their own Spark jobs
 *     included), summed over the chunks; -1 when not measured
 */
public record StageMetrics(
    long durationMs,
    long recordsRead,
    long bytesRead,
    long recordsWritten,
    long bytesWritten,
    long shuffleBytes,
    long spillBytes,
    long failedTasks,
    long executorsLost,
    long sparkJobMs,
    long checkMs) {

  /** Nothing measured. */
  public static final StageMetrics NONE = new StageMetrics(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1);

  /** Spark's counters, the checks' time not measured. */
  public StageMetrics(
      long durationMs,
      long recordsRead,
      long bytesRead,
      long recordsWritten,
      long bytesWritten,
      long shuffleBytes,
      long spillBytes,
      long failedTasks,
      long executorsLost,
      long sparkJobMs) {
    this(
        durationMs,
        recordsRead,
        bytesRead,
        recordsWritten,
        bytesWritten,
        shuffleBytes,
        spillBytes,
        failedTasks,
        executorsLost,
        sparkJobMs,
        -1);
  }

  /** These metrics with the checks' time. */
  public StageMetrics withCheckMs(long checkMs) {
    return new StageMetrics(
        durationMs,
        recordsRead,
        bytesRead,
        recordsWritten,
        bytesWritten,
        shuffleBytes,
        spillBytes,
        failedTasks,
        executorsLost,
        sparkJobMs,
        checkMs);
  }

  /** Only the duration (no Spark job was observed). */
  public static StageMetrics ofDuration(long durationMs) {
    return new StageMetrics(durationMs, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /**
   * The driver's own time per commit, in seconds: the attempt's time outside Spark jobs (planning,
   * Delta commits, checkpoint writes) divided over its {@code commits}; empty when not measured.
   */
  public java.util.OptionalDouble fixedSecondsPerCommit(int commits) {
    if (durationMs <= 0 || sparkJobMs < 0 || commits <= 0) {
      return java.util.OptionalDouble.empty();
    }
    return java.util.OptionalDouble.of(Math.max(0, durationMs - sparkJobMs) / 1000.0 / commits);
  }
}
