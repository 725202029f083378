package dev.cairn.internal.engine;

import dev.cairn.Expectation;
import dev.cairn.FailureClass;
import dev.cairn.Output;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.metrics.EmbeddedMetrics;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits a run's CloudWatch metrics as {@link EmbeddedMetrics} lines: one per stage commit, retry
 * and failure, one per stage attempt whose checks warned, and one at the run's end (succeeded,
 * failed or interrupted) with its duration.
 */
final class RunMetrics implements RunListener {
  private final Clock clock;
  private final String job;
  private final String runId;
  private final Instant begun;
  private final Map<String, Integer> attempts = new HashMap<>();

  /**
   * @param begun when this driver began working the run (before taking its lease)
   */
  RunMetrics(Clock clock, String job, String runId, Instant begun) {
    this.clock = clock;
    this.job = job;
    this.runId = runId;
    this.begun = begun;
  }

  @Override
  public void attemptBegun(String stage, int attempt, Output output) {
    attempts.put(stage, attempt);
  }

  /** A failed check that only warns is a {@code DataQualityWarnings} count on the stage. */
  @Override
  public void checksEvaluated(String stage, List<CheckResult> results) {
    long warned =
        results.stream()
            .filter(r -> !r.passed() && r.severity() == Expectation.Severity.WARN)
            .count();
    if (warned > 0) {
      EmbeddedMetrics.checksWarned(
          clock.instant(), job, runId, stage, attempts.getOrDefault(stage, 0), warned);
    }
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
  public void runSucceeded(int executed, int skipped, int recovered) {
    runEnded(RunStatus.SUCCEEDED);
  }

  @Override
  public void runFailed(String message) {
    runEnded(RunStatus.FAILED);
  }

  @Override
  public void runInterrupted(String reason) {
    runEnded(RunStatus.INTERRUPTED);
  }

  /** The run's duration in this driver: from {@code begun} to now, when the metric is emitted. */
  private void runEnded(RunStatus status) {
    EmbeddedMetrics.runEnded(
        clock.instant(),
        job,
        runId,
        status.name(),
        Duration.between(begun, clock.instant()).toMillis());
  }
}
