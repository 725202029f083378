package dev.cairn.internal.errors;

import dev.cairn.FailureClass;
import dev.cairn.InvalidParameterException;
import dev.cairn.RunHeldException;
import dev.cairn.RunInterruptedException;
import dev.cairn.StageFailedException;
import java.time.Instant;

/**
 * Errors of a run as a whole and of its stages: a run that cannot be found, is held by another
 * driver, was interrupted, or whose stage failed for good. Each names the run and the command that
 * continues it ({@code cairn resume}, {@code cairn status}, {@code cairn runbook}).
 */
public final class RunErrors {
  private RunErrors() {}

  /** No run {@code runId} is recorded (the CLI's commands that read a run). */
  public static InvalidParameterException noSuchRun(String runId) {
    return new InvalidParameterException("no run '" + runId + "'", "list runs with `cairn runs`");
  }

  /** No run {@code runId} is recorded in checkpoint table {@code table}. */
  public static InvalidParameterException noSuchRun(String runId, String table) {
    return new InvalidParameterException(
        "no run '" + runId + "' in checkpoint table " + table, "list runs with `cairn runs`");
  }

  /**
   * Run {@code runId} exists for other parameters: a hash collision of two parameter sets.
   *
   * @param runKey the recorded run's key (its job and parameters)
   */
  public static InvalidParameterException parametersCollide(String runId, String runKey) {
    return new InvalidParameterException(
        "run " + runId + " exists with other parameters (" + runKey + ")",
        "this is a run id collision; change any parameter value to get a new run");
  }

  /**
   * Another driver holds run {@code runId}'s lease.
   *
   * @param holder the holder as described to a person, or {@code "another driver"} when unknown
   * @param since when it took the lease
   * @param expiresAt when its lease runs out unless renewed
   */
  public static RunHeldException runHeld(
      String runId, String holder, Instant since, Instant expiresAt) {
    return new RunHeldException(
        "run "
            + runId
            + " is held by "
            + holder
            + " since "
            + since
            + " (lease expires "
            + expiresAt
            + "). Fix: wait for it to finish and check `cairn status "
            + runId
            + "`; if that driver is dead on another host, run `cairn resume "
            + runId
            + "` after the lease expires");
  }

  /**
   * A stage attempt of run {@code runId} stopped because this driver could not be sure it still
   * held the lease: the write fence refused its commit, or the store its write.
   *
   * @param cause what refused it, in one line
   */
  public static RunHeldException leaseUncertain(String runId, String stage, String cause) {
    return new RunHeldException(
        "stage "
            + stage
            + " of run "
            + runId
            + " stopped: this driver could not be sure it still held the run's lease, so its"
            + " writes were refused ("
            + cause
            + "). Fix: nothing to do if another driver took the run over (`cairn status "
            + runId
            + "`); otherwise `cairn resume "
            + runId
            + "`");
  }

  /**
   * {@code cairn lease break} without {@code --force} refused: the holder still renews its lease.
   *
   * @param holder the holder as described to a person
   * @param since when it took the lease
   * @param expiresAt when its lease runs out unless renewed
   */
  public static RunHeldException leaseStillRenewed(
      String runId, String holder, Instant since, Instant expiresAt) {
    return new RunHeldException(
        "run "
            + runId
            + " is held by "
            + holder
            + " since "
            + since
            + ", and its lease is being renewed (it expires "
            + expiresAt
            + "): that driver looks alive. Fix: stop that driver; if you know it is dead (its"
            + " machine is gone), `cairn lease break "
            + runId
            + " --force`");
  }

  /** Run {@code runId} changed while {@code cairn lease break} was breaking its lease. */
  public static RunHeldException changedWhileBreakingLease(String runId) {
    return new RunHeldException(
        "run "
            + runId
            + " changed while its lease was being broken (another driver took it, or it"
            + " finished). Nothing was changed. Fix: check `cairn status "
            + runId
            + "` and try again if still needed");
  }

  /**
   * A stop was requested.
   *
   * @param reason names the notice
   * @param stage the stage the run stopped at
   */
  public static RunInterruptedException runInterrupted(String runId, String reason, String stage) {
    return new RunInterruptedException(
        "run "
            + runId
            + " was interrupted ("
            + reason
            + "). It is recorded INTERRUPTED and its lease is released; committed stages"
            + " stay committed. Fix: `cairn resume "
            + runId
            + "` (on this or any machine) continues from stage "
            + stage);
  }

  /**
   * Stage {@code stage} failed for good, of class {@code failureClass}.
   *
   * @param summary what a person needs to read of the failure, on one line
   * @param maxAttempts the stage's retry policy's attempts (named when the class is retryable)
   */
  public static StageFailedException stageFailed(
      String stage,
      String runId,
      FailureClass failureClass,
      String summary,
      int maxAttempts,
      Throwable cause) {
    String tries =
        failureClass.retryable() && maxAttempts > 1 ? " after " + maxAttempts + " attempts" : "";
    return new StageFailedException(
        stage,
        failureClass,
        "stage '"
            + stage
            + "' of run "
            + runId
            + " failed"
            + tries
            + " ("
            + failureClass
            + "): "
            + summary
            + ". Nothing from it was published. "
            + fixFor(failureClass, runId),
        cause);
  }

  /**
   * The driver's thread was interrupted during a retry's backoff. Unclassified, as it always was:
   * the interrupt decides.
   */
  public static StageFailedException interruptedWhileWaiting(
      String stage, String runId, InterruptedException cause) {
    return new StageFailedException(
        stage,
        "stage '"
            + stage
            + "' of run "
            + runId
            + " was interrupted while waiting to retry. Fix: `cairn resume "
            + runId
            + "`",
        cause);
  }

  /** The fix of a failed stage of class {@code failureClass}: {@code "Fix: ..."}. */
  static String fixFor(FailureClass failureClass, String runId) {
    String resume = "`cairn resume " + runId + "`";
    String runbook = "; `cairn runbook " + runId + "` shows the recovery commands";
    return switch (failureClass) {
      case BAD_INPUT -> "Fix: correct the input named above, then " + resume + runbook;
      case DATA_QUALITY ->
          "Fix: correct the rows or the upstream data the check names, then " + resume + runbook;
      case TRANSIENT ->
          "Fix: check the service named above is healthy (throttling, outage), then "
              + resume
              + runbook;
      default -> "Fix: correct the cause, then " + resume + runbook;
    };
  }
}
