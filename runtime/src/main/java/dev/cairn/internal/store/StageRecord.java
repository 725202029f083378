package dev.cairn.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The checkpoint of one stage of a run. Version fields are -1 when unknown.
 *
 * @param attempts how many times the stage's compute started
 * @param outputTable the output table's full URI or path
 * @param txnAppId the Delta transaction app id of the stage's write
 * @param txnVersion the Delta transaction version of the stage's write: 1, plus one for each rerun
 *     that invalidated the stage (its generation)
 * @param baseVersion the output table's version when the current attempt started (-1 if absent)
 * @param outputVersion the Delta version holding the stage's commit
 * @param rowsWritten rows the commit wrote, from Delta's operation metrics
 * @param recovered true when resume found the commit in the Delta log and did not recompute
 * @param skippedDuplicate true when Delta skipped the write as a duplicate of an earlier commit
 * @param epoch the epoch of the driver that made the last transition
 * @param transitionId the id of the last transition, to read back a write of unknown outcome
 * @param checks the results of the stage's data-quality checks at its last commit or failure
 * @param metrics what the committed attempt cost ({@link StageMetrics#NONE} when not committed)
 * @param chunkPlan the frozen chunk plan of a chunked stage's current generation; {@link
 *     ChunkPlan#NONE} for a stage that is not chunked or not planned yet
 */
public record StageRecord(
    String runId,
    String stage,
    StageStatus status,
    int attempts,
    String outputTable,
    String txnAppId,
    long txnVersion,
    long baseVersion,
    long outputVersion,
    long rowsWritten,
    boolean recovered,
    boolean skippedDuplicate,
    long epoch,
    String transitionId,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    Optional<String> errorClass,
    Optional<String> errorMessage,
    List<CheckResult> checks,
    StageMetrics metrics,
    ChunkPlan chunkPlan) {

  public StageRecord {
    checks = List.copyOf(checks);
  }

  /**
   * The stage's generation: its Delta transaction version, 1 until its first rerun (also before it
   * started, when {@code txnVersion} is 0). A chunked stage's chunk items are keyed by it.
   */
  public long generation() {
    return txnVersion > 0 ? txnVersion : 1;
  }

  /** Whether the stage's current generation has a frozen chunk plan. */
  public boolean chunked() {
    return chunkPlan.planned();
  }

  /** The record of a stage that has no checkpoint yet. */
  public static StageRecord pending(String runId, String stage, String outputTable) {
    return new StageRecord(
        runId,
        stage,
        StageStatus.PENDING,
        0,
        outputTable,
        "",
        0,
        -1,
        -1,
        -1,
        false,
        false,
        0,
        "",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        StageMetrics.NONE,
        ChunkPlan.NONE);
  }
}
