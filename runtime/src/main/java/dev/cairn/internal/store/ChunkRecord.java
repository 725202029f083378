package dev.cairn.internal.store;

import java.time.Instant;
import java.util.Optional;

/**
 * The checkpoint of one chunk of a chunked stage, in one generation of that stage (a rerun starts a
 * new generation with no chunks done).
 *
 * @param generation the stage's transaction generation the chunk belongs to (the stage's {@code
 *     txnVersion})
 * @param index the chunk's position in the stage's frozen plan, from 0; its Delta write carries
 *     transaction version {@code index + 1}
 * @param key the chunk as the plan names it
 * @param status RUNNING while an execution is in flight (or died), COMMITTED once its Delta commit
 *     is recorded
 * @param executions how many times the chunk's compute started, across attempts and drivers
 * @param outputVersion the Delta version holding the chunk's commit, -1 until committed
 * @param rowsWritten rows the commit wrote, -1 until committed (or when Delta did not say)
 * @param recovered true when a driver found the commit in the Delta log and did not recompute
 */
public record ChunkRecord(
    String runId,
    String stage,
    long generation,
    int index,
    String key,
    ChunkStatus status,
    int executions,
    long outputVersion,
    long rowsWritten,
    boolean recovered,
    long epoch,
    String transitionId,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt) {

  /** Where a chunk is. A chunk with no item has not started. */
  public enum ChunkStatus {
    RUNNING,
    COMMITTED
  }

  /** Executions beyond the first: the work a kill or a retry made the stage do again. */
  public int reexecutions() {
    return Math.max(0, executions - 1);
  }
}
