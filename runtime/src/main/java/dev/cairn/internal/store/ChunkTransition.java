package dev.cairn.internal.store;

import java.time.Instant;

/**
 * One move of a chunk of a chunked stage. Like {@link StageTransition}s these are conditional on
 * the lease and carry a unique id so that a write whose outcome is unknown can be read back and
 * decided. Chunk moves write no history event: a stage's events say when it started and committed.
 */
public sealed interface ChunkTransition {

  String stage();

  long generation();

  int index();

  String key();

  String transitionId();

  Instant at();

  ChunkRecord.ChunkStatus to();

  /** "chunk 3 (2001-02-01) of stage s of run r to STATUS", for messages. */
  default String describe(String runId) {
    return "moving chunk "
        + index()
        + " ("
        + key()
        + ") of stage "
        + stage()
        + " of run "
        + runId
        + " to "
        + to();
  }

  /**
   * An execution of the chunk starts: executions + 1. Allowed when the chunk has no item or is
   * RUNNING (an execution that died or failed); refused once it is COMMITTED.
   */
  record Start(
      String stage, long generation, int index, String key, String transitionId, Instant at)
      implements ChunkTransition {
    @Override
    public ChunkRecord.ChunkStatus to() {
      return ChunkRecord.ChunkStatus.RUNNING;
    }
  }

  /**
   * The chunk's Delta commit is recorded. From RUNNING; also from "no item" when {@code recovered}
   * (the commit was found in the Delta log after a driver died between the two writes).
   */
  record Commit(
      String stage,
      long generation,
      int index,
      String key,
      long outputVersion,
      long rowsWritten,
      boolean recovered,
      String transitionId,
      Instant at)
      implements ChunkTransition {
    @Override
    public ChunkRecord.ChunkStatus to() {
      return ChunkRecord.ChunkStatus.COMMITTED;
    }
  }
}
