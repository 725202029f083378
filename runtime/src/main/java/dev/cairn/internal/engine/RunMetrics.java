package dev.cairn.internal.engine;

import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.metrics.EmbeddedMetrics;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import java.time.Clock;
import java.time.Duration;

/**
 * Emits a run's CloudWatch metrics as {@link EmbeddedMetrics} lines: one per stage commit, retry
 * and failure, and one at the run's end (succeeded, failed or interrupted) with its duration.
 */
final class RunMetrics implements RunListener {
  private final Clock clock;
  private final String job;
  private final String runId;

  RunMetrics(Clock clock, String job, String runId) {
    this.clock = clock;
    this.job = job;
    this.runId = runId;
  }

  @Override
  public void stageCommitted(
      String stage, int attempt, TableStore.Commit commit, String location, StageMetrics metrics) {
    EmbeddedMetrics.stageCommitted(clock.instant(), job, runId, stage, attempt, metrics);
  }

  @Override
  public void retryScheduled(
      String stage,
      int attempt,
      FailureClass failureClass,
      long delayMillis,
      int maxAttempts,
      String summary) {
    EmbeddedMetrics.stageRetried(clock.instant(), job, runId, stage, attempt, failureClass.name());
  }

  @Override
  public void stageFailed(String stage, int attempt, FailureClass failureClass, String summary) {
    EmbeddedMetrics.stageFailed(clock.instant(), job, runId, stage, attempt, failureClass.name());
  }

  @Override
  public void runSucceeded(int executed, int skipped, int recovered, Duration took) {
    runEnded(RunStatus.SUCCEEDED, took);
  }

  @Override
  public void runFailed(String message, Duration took) {
    runEnded(RunStatus.FAILED, took);
  }

  @Override
  public void runInterrupted(String reason, Duration took) {
    runEnded(RunStatus.INTERRUPTED, took);
  }

  private void runEnded(RunStatus status, Duration took) {
    EmbeddedMetrics.runEnded(clock.instant(), job, runId, status.name(), took.toMillis());
  }
}
