package dev.cairn.internal.store;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * One move of a stage along its state machine. Each carries a unique id so that a write whose
 * outcome is unknown can be read back and decided.
 */
public sealed interface StageTransition {

  String stage();

  String transitionId();

  Instant at();

  /** The states the stage may be in for this move to apply (PENDING means "no item yet"). */
  Set<StageStatus> allowedFrom();

  StageStatus to();

  /** "moving stage s of run r to STATUS", for messages. */
  default String describe(String runId) {
    return "moving stage " + stage() + " of run " + runId + " to " + to();
  }

  /** An attempt starts computing: attempts + 1. */
  record Start(
      String stage,
      String outputTable,
      String txnAppId,
      long txnVersion,
      long baseVersion,
      String transitionId,
      Instant at)
      implements StageTransition {
    @Override
    public Set<StageStatus> allowedFrom() {
      return EnumSet.of(StageStatus.PENDING, StageStatus.RUNNING, StageStatus.FAILED);
    }

    @Override
    public StageStatus to() {
      return StageStatus.RUNNING;
    }
  }

  /** The stage's Delta commit is recorded. From PENDING or FAILED only when {@code recovered}. */
  record Commit(
      String stage,
      String outputTable,
      String txnAppId,
      long txnVersion,
      long outputVersion,
      long rowsWritten,
      boolean recovered,
      boolean skippedDuplicate,
      String transitionId,
      Instant at)
      implements StageTransition {
    @Override
    public Set<StageStatus> allowedFrom() {
      return recovered
          ? EnumSet.of(StageStatus.PENDING, StageStatus.RUNNING, StageStatus.FAILED)
          : EnumSet.of(StageStatus.RUNNING);
    }

    @Override
    public StageStatus to() {
      return StageStatus.COMMITTED;
    }
  }

  /**
   * {@code cairn rerun} invalidates the stage: back to PENDING, carrying the transaction version
   * its next write will use (the rerun's generation, one above the last), so that Delta does not
   * skip that write as a duplicate of the previous generation's. Allowed from any state; clears the
   * output version, rows, error and expiry, keeps {@code attempts}.
   */
  record Invalidate(
      String stage,
      String outputTable,
      String txnAppId,
      long txnVersion,
      String transitionId,
      Instant at)
      implements StageTransition {
    @Override
    public Set<StageStatus> allowedFrom() {
      return EnumSet.allOf(StageStatus.class);
    }

    @Override
    public StageStatus to() {
      return StageStatus.PENDING;
    }
  }

  /** The attempt failed; nothing was published. */
  record Fail(String stage, String errorClass, String errorMessage, String transitionId, Instant at)
      implements StageTransition {
    @Override
    public Set<StageStatus> allowedFrom() {
      return EnumSet.of(StageStatus.RUNNING);
    }

    @Override
    public StageStatus to() {
      return StageStatus.FAILED;
    }
  }
}
