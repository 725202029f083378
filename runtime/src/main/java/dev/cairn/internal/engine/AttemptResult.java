package dev.cairn.internal.engine;

import dev.cairn.RunInterruptedException;
import dev.cairn.StageFailedException;
import dev.cairn.internal.store.StageRecord;
import java.time.Duration;

/**
 * How one attempt of a stage ended. Every outcome but {@link Committed} has been recorded on the
 * stage's checkpoint already (a FAILED transition); what is left is to act on it.
 */
sealed interface AttemptResult {

  /** The stage is COMMITTED; {@code record} is its checkpoint. */
  record Committed(StageRecord record) implements AttemptResult {}

  /** The attempt failed transiently: try again after {@code delay}. */
  record Retry(Duration delay) implements AttemptResult {}

  /** The stage failed for good: throw {@code failure}. */
  record Failed(StageFailedException failure) implements AttemptResult {}

  /**
   * A stop was requested and the attempt ended without committing (stopped between chunks, or
   * failed while stopping); the run is recorded INTERRUPTED: throw {@code stop}.
   */
  record Stopped(RunInterruptedException stop) implements AttemptResult {}
}
