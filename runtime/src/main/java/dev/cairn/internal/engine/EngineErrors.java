package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.InvalidParameterException;
import dev.cairn.RetryPolicy;
import dev.cairn.RunHeldException;
import dev.cairn.RunInterruptedException;
import dev.cairn.StageFailedException;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunRecord;
import java.util.List;

/**
 * The user-facing texts of the engine's errors, in one place: each says what happened, why, and the
 * command that fixes it. Builds exceptions; throws none.
 */
final class EngineErrors {
  private EngineErrors() {}

  /** The run id exists for other parameters: a hash collision of two parameter sets. */
  static InvalidParameterException parametersCollide(RunRecord run) {
    return new InvalidParameterException(
        "run " + run.runId() + " exists with other parameters (" + run.runKey() + ")",
        "this is a run id collision; change any parameter value to get a new run");
  }

  /** Another driver holds the run's lease ({@code current} is the run as last read). */
  static RunHeldException runHeld(String runId, RunRecord current) {
    String who = current.holder().map(LeaseHolder::describe).orElse("another driver");
    return new RunHeldException(
        "run "
            + runId
            + " is held by "
            + who
            + " since "
            + current.leaseSince()
            + " (lease expires "
            + current.leaseExpiresAt()
            + "). Fix: wait for it to finish and check `cairn status "
            + runId
            + "`; if that driver is dead on another host, run `cairn resume "
            + runId
            + "` after the lease expires");
  }

  /** A stop was requested; {@code reason} names the notice and the stage the run stopped at. */
  static RunInterruptedException runInterrupted(String runId, String reason, String stage) {
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

  /** A stage failed for good: its class, what a person needs to read, and the fix. */
  static StageFailedException stageFailed(
      String stage,
      String runId,
      FailureClass failureClass,
      String summary,
      RetryPolicy policy,
      Throwable cause) {
    String tries =
        failureClass.retryable() && policy.maxAttempts() > 1
            ? " after " + policy.maxAttempts() + " attempts"
            : "";
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

  /** The driver's thread was interrupted during a retry's backoff. */
  static StageFailedException interruptedWhileWaiting(
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

  /**
   * The table's transactions hold ({@code appId}, {@code txnVersion}) but its log lost the commit.
   */
  static CairnException commitCleanedFromLog(
      String location, String appId, long txnVersion, String what, String runId, String stage) {
    return new CairnException(
        "table "
            + location
            + " holds transaction ("
            + appId
            + ", "
            + txnVersion
            + ")"
            + what
            + " but its log no longer has the commit (log retention cleaned it)."
            + " Fix: `cairn rerun "
            + runId
            + " --from "
            + stage
            + "` to write the stage again");
  }

  /** Some expectations failed: names each failed check and its detail. */
  static DataQualityException checksFailed(String stage, List<CheckResult> results) {
    List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
    StringBuilder message =
        new StringBuilder("data-quality check(s) of stage '" + stage + "' failed: ");
    for (int i = 0; i < failed.size(); i++) {
      message
          .append(i == 0 ? "" : "; ")
          .append(failed.get(i).check())
          .append(": ")
          .append(failed.get(i).detail());
    }
    return new DataQualityException(message.toString(), results);
  }

  /** A stage read an upstream stage it does not declare. */
  static IllegalArgumentException undeclaredInput(String stage, String upstream) {
    return new IllegalArgumentException(
        "stage '"
            + stage
            + "' reads stage '"
            + upstream
            + "' but does not depend on it. Fix: add .dependsOn(\""
            + upstream
            + "\") to its definition");
  }

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

  /**
   * What a person needs to read: a message Cairn or the job wrote (it names the input and the fix),
   * else Spark's message about an unreadable file (it names the file) and the root cause, else the
   * root cause.
   */
  static String summary(Throwable failure, FailureClass failureClass) {
    List<Throwable> chain = FailureClassifier.chain(failure);
    for (Throwable t : chain) {
      if (t instanceof CairnException) {
        return oneLine(t.getMessage());
      }
    }
    Throwable root = chain.get(chain.size() - 1);
    String rootText = root.getClass().getSimpleName() + ": " + oneLine(root.getMessage());
    if (failureClass == FailureClass.BAD_INPUT) {
      for (Throwable t : chain) {
        if (t != root
            && t instanceof org.apache.spark.SparkThrowable
            && t.getMessage() != null
            && t.getMessage().contains("file")) {
          return oneLine(t.getMessage()) + " (cause: " + rootText + ")";
        }
      }
    }
    return rootText;
  }

  private static String oneLine(String message) {
    return String.valueOf(message).strip().replaceAll("\\s*\\n\\s*", " ");
  }
}
