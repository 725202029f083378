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
    long executorsLost) {

  /** Nothing measured. */
  public static final StageMetrics NONE = new StageMetrics(-1, -1, -1, -1, -1, -1, -1, -1, -1);

  /** Only the duration (no Spark job was observed). */
  public static StageMetrics ofDuration(long durationMs) {
    return new StageMetrics(durationMs, 0, 0, 0, 0, 0, 0, 0, 0);
  }
}
