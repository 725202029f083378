package dev.cairn.internal.engine;

import dev.cairn.Expectation;
import dev.cairn.FailureClass;
import dev.cairn.Output;
import dev.cairn.internal.config.SparkApplication;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkDecision;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes a run's progress to the log: runs, stages, chunks, commits, checks, retries, failures and
 * interruptions. The log's context (run, stage, attempt) is the caller's thread context.
 */
final class RunLog implements RunListener {
  // The driver's progress log keeps the name it always had.
  private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

  private final String runId;
  private final String runKey;
  private final long epoch;

  RunLog(String runId, String runKey, long epoch) {
    this.runId = runId;
    this.runKey = runKey;
    this.epoch = epoch;
  }

  @Override
  public void started(String holder) {
    LOG.info("Run {} ({}) started at epoch {} by {}", runId, runKey, epoch, holder);
  }

  @Override
  public void sparkStarted(SparkApplication application) {
    LOG.info(
        "Spark application {}{}",
        application.id(),
        application
            .eventLogDir()
            .map(dir -> ", event log in " + dir + " (Spark's History Server shows it)")
            .orElse(""));
  }

  @Override
  public void rerunRecorded(RerunPlan plan, String by) {
    LOG.info(
        "Run {} rerun from stage {} by {}: invalidated {}; parameter changes {}",
        plan.run().runId(),
        plan.from(),
        by,
        plan.stageNames(),
        plan.parameterChanges());
  }

  @Override
  public void stageSkipped(StageRecord record) {
    LOG.info(
        "Stage {} skipped: committed at version {} of {}",
        record.stage(),
        record.outputVersion(),
        record.outputTable());
  }

  @Override
  public void stageRecovered(String stage, TableStore.Commit commit, String location) {
    LOG.info(
        "Stage {} recovered: its Delta commit (version {} of {}) was made before the driver"
            + " stopped; recorded without recomputing",
        stage,
        commit.version(),
        location);
  }

  @Override
  public void attemptBegun(String stage, int attempt, Output output) {
    LOG.info("Stage {} attempt {} started (output {})", stage, attempt, output);
  }

  @Override
  public void checksEvaluated(String stage, List<CheckResult> results) {
    for (CheckResult result : results) {
      if (!result.passed() && result.severity() == Expectation.Severity.WARN) {
        LOG.warn(
            "Stage {} check {}: FAILED, a warning only: the stage commits ({})",
            stage,
            result.check(),
            result.detail());
        continue;
      }
      LOG.info(
          "Stage {} check {}: {} ({}{})",
          stage,
          result.check(),
          result.passed() ? "passed" : "FAILED",
          result.detail(),
          result.provenByPlan() ? "; proven by the query plan, no rows read" : "");
    }
  }

  @Override
  public void duplicateSkipped(String stage, TableStore.Commit commit) {
    LOG.warn(
        "Stage {}: Delta skipped the write as a duplicate of version {}; recorded as"
            + " skippedDuplicate",
        stage,
        commit.version());
  }

  @Override
  public void stageCommitted(
      String stage, int attempt, TableStore.Commit commit, String location, StageMetrics metrics) {
    LOG.info(
        "Stage {} committed: version {} of {}, {} rows in {} ms",
        stage,
        commit.version(),
        location,
        commit.rowsWritten(),
        metrics.durationMs());
  }

  @Override
  public void chunksPlanned(String stage, ChunkPlan plan, long committedBefore, long inDeltaLog) {
    LOG.info(
        "Stage {} runs in {} chunks ({} committed before this attempt, {} in the Delta log): {}",
        stage,
        plan.size(),
        committedBefore,
        inDeltaLog,
        plan.decision()
            .map(ChunkDecision::describe)
            .orElse(plan.units().size() + " units, one chunk each"));
  }

  @Override
  public void chunkRecovered(String stage, int index, String key, long version) {
    if (version < 0) {
      LOG.info(
          "Stage {} chunk {} ({}) recovered: its files were staged before the driver stopped;"
              + " recorded without recomputing",
          stage,
          index,
          key);
      return;
    }
    LOG.info(
        "Stage {} chunk {} ({}) recovered: its Delta commit (version {}) was made before the"
            + " driver stopped; recorded without recomputing",
        stage,
        index,
        key,
        version);
  }

  @Override
  public void chunkCommitted(
      String stage, int index, int chunks, String key, TableStore.Commit commit) {
    if (commit.version() < 0) {
      LOG.info(
          "Stage {} chunk {}/{} ({}) staged: {} rows, published with the stage's last chunk",
          stage,
          index + 1,
          chunks,
          key,
          commit.rowsWritten());
      return;
    }
    LOG.info(
        "Stage {} chunk {}/{} ({}) committed: version {}, {} rows",
        stage,
        index + 1,
        chunks,
        key,
        commit.version(),
        commit.rowsWritten());
  }

  @Override
  public void chunksPublished(String stage, int chunks, TableStore.Commit commit) {
    LOG.info(
        "Stage {}: its {} chunks published in one commit, version {}",
        stage,
        chunks,
        commit.version());
  }

  @Override
  public void retryScheduled(
      String stage,
      int attempt,
      FailureClass failureClass,
      long delayMillis,
      int maxAttempts,
      String summary) {
    LOG.warn(
        "Stage {} attempt {} failed ({}), retrying in {} ms ({} attempts per driver): {}",
        stage,
        attempt,
        failureClass,
        delayMillis,
        maxAttempts,
        summary);
  }

  @Override
  public void stageFailed(String stage, int attempt, FailureClass failureClass, String summary) {
    LOG.error("Stage {} failed ({}): {}", stage, failureClass, summary);
  }

  @Override
  public void runSucceeded(int executed, int skipped, int recovered) {
    LOG.info(
        "Run {} succeeded: {} executed, {} skipped, {} recovered",
        runId,
        executed,
        skipped,
        recovered);
  }

  @Override
  public void runInterrupted(String reason) {
    LOG.warn("Run {} interrupted: {}", runId, reason);
  }
}
