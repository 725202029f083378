package dev.cairn.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One entry of a run's history, kept in the checkpoint table beside the run. Stage events are
 * written in the same atomic write as the stage transition they describe, so the history never
 * disagrees with the checkpoints.
 *
 * @param id unique within the run; a write of the same event twice keeps one
 * @param stage the stage the event is about, or empty for run events
 * @param attempt the stage attempt (1-based), or 0 when not about an attempt
 * @param epoch the epoch of the driver that recorded it (0 when it held no lease)
 * @param errorClass the failure class for failure events, or empty
 * @param details facts a machine reads back (the driver's host and pid on {@link
 *     Type#ATTEMPT_STARTED}, the Spark application id on {@link Type#SPARK_STARTED}); keys are
 *     {@code DETAIL_*}, empty for most events. Sorted by key.
 */
public record RunEvent(
    String runId,
    Instant at,
    String id,
    Type type,
    Optional<String> stage,
    int attempt,
    long epoch,
    Optional<String> errorClass,
    String message,
    Map<String, String> details) {

  /** {@link Type#ATTEMPT_STARTED}: the driver's host name. */
  public static final String DETAIL_HOST = "host";

  /** {@link Type#ATTEMPT_STARTED}: the driver's process id on its host. */
  public static final String DETAIL_PID = "pid";

  /** {@link Type#ATTEMPT_STARTED}: the stages found committed when the driver started, by comma. */
  public static final String DETAIL_COMMITTED_BEFORE = "committedBefore";

  /**
   * {@link Type#SPARK_STARTED}: Spark's application id ({@code local-1733...}, {@code app-...}).
   */
  public static final String DETAIL_SPARK_APP_ID = "sparkAppId";

  /** {@link Type#SPARK_STARTED}: the directory of Spark's event log, when it is on. */
  public static final String DETAIL_EVENT_LOG_DIR = "eventLogDir";

  public RunEvent {
    details = Collections.unmodifiableSortedMap(new TreeMap<>(details));
  }

  /** An event with no details. */
  public RunEvent(
      String runId,
      Instant at,
      String id,
      Type type,
      Optional<String> stage,
      int attempt,
      long epoch,
      Optional<String> errorClass,
      String message) {
    this(runId, at, id, type, stage, attempt, epoch, errorClass, message, Map.of());
  }

  /** What happened. */
  public enum Type {
    /** A driver took the run's lease and started (or resumed) it. */
    ATTEMPT_STARTED,
    STAGE_STARTED,
    STAGE_COMMITTED,
    /** The stage's commit was found in the Delta log on resume and recorded without recompute. */
    STAGE_RECOVERED,
    /** Delta skipped the stage's write as a duplicate of an earlier commit. */
    STAGE_SKIPPED_DUPLICATE,
    /** A stage attempt failed with a transient failure and will be retried. */
    STAGE_RETRY,
    STAGE_FAILED,
    /** A stage was invalidated by {@code cairn rerun}. */
    STAGE_INVALIDATED,
    RUN_SUCCEEDED,
    RUN_FAILED,
    RUN_INTERRUPTED,
    /** The driver found its lease taken by another driver and stopped. */
    LEASE_LOST,
    /**
     * The driver's Spark application started (at most once per driver attempt, when the attempt
     * first needs Spark): its id names the attempt's UI in Spark's History Server.
     */
    SPARK_STARTED,
    /** An operator broke the lease or changed the run (rerun, parameters). */
    OPERATOR
  }

  /** The event a stage transition records, written atomically with it. */
  public static RunEvent of(Lease lease, StageTransition transition) {
    Type type;
    int attempt = 0;
    Optional<String> errorClass = Optional.empty();
    String message;
    if (transition instanceof StageTransition.Start start) {
      type = Type.STAGE_STARTED;
      attempt = start.attempt();
      message = "attempt " + start.attempt() + " writing " + start.outputTable();
    } else if (transition instanceof StageTransition.Commit commit) {
      type =
          commit.recovered()
              ? Type.STAGE_RECOVERED
              : commit.skippedDuplicate() ? Type.STAGE_SKIPPED_DUPLICATE : Type.STAGE_COMMITTED;
      message =
          "version "
              + commit.outputVersion()
              + " of "
              + commit.outputTable()
              + (commit.rowsWritten() >= 0 ? ", " + commit.rowsWritten() + " rows" : "")
              + (commit.skippedDuplicate()
                  ? " (Delta skipped the write as a duplicate of that version)"
                  : "");
    } else if (transition instanceof StageTransition.Fail fail) {
      type = fail.retryIn().isPresent() ? Type.STAGE_RETRY : Type.STAGE_FAILED;
      attempt = fail.attempt();
      errorClass = Optional.of(fail.errorClass());
      message =
          fail.errorMessage() + fail.retryIn().map(d -> "; retrying in " + seconds(d)).orElse("");
    } else if (transition instanceof StageTransition.Invalidate invalidate) {
      type = Type.STAGE_INVALIDATED;
      message = "to be written again as transaction version " + invalidate.txnVersion();
    } else {
      type = Type.OPERATOR;
      message = transition.describe(lease.runId());
    }
    return new RunEvent(
        lease.runId(),
        transition.at(),
        transition.transitionId(),
        type,
        Optional.of(transition.stage()),
        attempt,
        lease.epoch(),
        errorClass,
        message);
  }

  /** A run-level event. */
  public static RunEvent ofRun(
      String runId, Instant at, String id, Type type, long epoch, String message) {
    return ofRun(runId, at, id, type, epoch, message, Map.of());
  }

  /** A run-level event with {@code details}. */
  public static RunEvent ofRun(
      String runId,
      Instant at,
      String id,
      Type type,
      long epoch,
      String message,
      Map<String, String> details) {
    return new RunEvent(
        runId, at, id, type, Optional.empty(), 0, epoch, Optional.empty(), message, details);
  }

  private static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
