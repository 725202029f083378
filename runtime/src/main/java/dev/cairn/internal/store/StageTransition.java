package dev.cairn.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
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

  /** An attempt starts computing: attempts + 1 ({@code attempt} is that new count). */
  record Start(
      String stage,
      int attempt,
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
      List<CheckResult> checks,
      StageMetrics metrics,
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

  /**
   * The attempt failed; nothing was published.
   *
   * @param errorClass the failure class (see {@code FailureClass})
   * @param retryIn when the attempt will be retried after this delay; empty when it will not
   */
  record Fail(
      String stage,
      int attempt,
      String errorClass,
      String errorMessage,
      Optional<Duration> retryIn,
      List<CheckResult> checks,
      String transitionId,
      Instant at)
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
