package dev.cairn.internal.engine;

import dev.cairn.internal.config.SparkApplication;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunEvent;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes the run-level events of a run's history ({@code cairn history}) to the checkpoint store:
 * attempt started, rerun, run succeeded, failed or interrupted, lease lost. History is for people:
 * a failure to record an event is logged and does not fail the run.
 */
final class RunHistory implements RunListener {
  // The driver's progress log keeps the name it always had.
  private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

  private final CheckpointStore store;
  private final Clock clock;
  private final EventIds ids;
  private final String runId;
  private final long epoch;

  RunHistory(CheckpointStore store, Clock clock, EventIds ids, String runId, long epoch) {
    this.store = store;
    this.clock = clock;
    this.ids = ids;
    this.runId = runId;
    this.epoch = epoch;
  }

  @Override
  public void attemptStarted(LeaseHolder holder, String codeVersion, List<String> committedBefore) {
    Map<String, String> details = new HashMap<>();
    details.put(RunEvent.DETAIL_HOST, holder.host());
    details.put(RunEvent.DETAIL_PID, Long.toString(holder.pid()));
    if (!committedBefore.isEmpty()) {
      details.put(RunEvent.DETAIL_COMMITTED_BEFORE, String.join(",", committedBefore));
    }
    record(
        RunEvent.Type.ATTEMPT_STARTED,
        details,
        "epoch "
            + epoch
            + " by "
            + holder.describe()
            + " (code "
            + codeVersion
            + ")"
            + (committedBefore.isEmpty()
                ? ""
                : "; already committed: " + String.join(", ", committedBefore)));
  }

  @Override
  public void sparkStarted(SparkApplication application) {
    Map<String, String> details = new HashMap<>();
    details.put(RunEvent.DETAIL_SPARK_APP_ID, application.id());
    application.eventLogDir().ifPresent(dir -> details.put(RunEvent.DETAIL_EVENT_LOG_DIR, dir));
    record(
        RunEvent.Type.SPARK_STARTED,
        details,
        "Spark application "
            + application.id()
            + application.eventLogDir().map(dir -> ", event log in " + dir).orElse(""));
  }

  @Override
  public void rerunRecorded(RerunPlan plan, String by) {
    record(
        RunEvent.Type.OPERATOR,
        "rerun from "
            + plan.from()
            + " by "
            + by
            + ": invalidated "
            + plan.stageNames()
            + (plan.parameterChanges().isEmpty()
                ? ""
                : "; parameter changes " + plan.parameterChanges()));
  }

  @Override
  public void runSucceeded(int executed, int skipped, int recovered) {
    record(
        RunEvent.Type.RUN_SUCCEEDED,
        executed + " executed, " + skipped + " skipped, " + recovered + " recovered");
  }

  @Override
  public void runFailed(String message) {
    record(RunEvent.Type.RUN_FAILED, message);
  }

  @Override
  public void runInterrupted(String reason) {
    record(RunEvent.Type.RUN_INTERRUPTED, reason);
  }

  @Override
  public void leaseLost(String message) {
    record(RunEvent.Type.LEASE_LOST, message);
  }

  private void record(RunEvent.Type type, String message) {
    record(type, Map.of(), message);
  }

  private void record(RunEvent.Type type, Map<String, String> details, String message) {
    RunEvent event =
        RunEvent.ofRun(runId, clock.instant(), ids.next(), type, epoch, message, details);
    try {
      store.recordEvent(event);
    } catch (RuntimeException notRecorded) {
      LOG.warn("Could not record event {}: {}", event.type(), notRecorded.getMessage());
    }
  }
}
