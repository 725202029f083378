package dev.cairn.internal.engine;

import dev.cairn.FailureClass;
import dev.cairn.Output;
import dev.cairn.internal.config.SparkApplication;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import java.util.List;

/** Tells several listeners, in list order. */
final class AllListeners implements RunListener {
  private final List<RunListener> listeners;

  AllListeners(List<RunListener> listeners) {
    this.listeners = listeners;
  }

  @Override
  public void started(String holder) {
    listeners.forEach(l -> l.started(holder));
  }

  @Override
  public void attemptStarted(LeaseHolder holder, String codeVersion, List<String> committedBefore) {
    listeners.forEach(l -> l.attemptStarted(holder, codeVersion, committedBefore));
  }

  @Override
  public void sparkStarted(SparkApplication application) {
    listeners.forEach(l -> l.sparkStarted(application));
  }

  @Override
  public void rerunRecorded(RerunPlan plan, String by) {
    listeners.forEach(l -> l.rerunRecorded(plan, by));
  }

  @Override
  public void stageSkipped(StageRecord record) {
    listeners.forEach(l -> l.stageSkipped(record));
  }

  @Override
  public void stageRecovered(String stage, TableStore.Commit commit, String location) {
    listeners.forEach(l -> l.stageRecovered(stage, commit, location));
  }

  @Override
  public void attemptBegun(String stage, int attempt, Output output) {
    listeners.forEach(l -> l.attemptBegun(stage, attempt, output));
  }

  @Override
  public void checksEvaluated(String stage, List<CheckResult> results) {
    listeners.forEach(l -> l.checksEvaluated(stage, results));
  }

  @Override
  public void duplicateSkipped(String stage, TableStore.Commit commit) {
    listeners.forEach(l -> l.duplicateSkipped(stage, commit));
  }

  @Override
  public void stageCommitted(
      String stage, int attempt, TableStore.Commit commit, String location, StageMetrics metrics) {
    listeners.forEach(l -> l.stageCommitted(stage, attempt, commit, location, metrics));
  }

  @Override
  public void chunksPlanned(String stage, ChunkPlan plan, long committedBefore, long inDeltaLog) {
    listeners.forEach(l -> l.chunksPlanned(stage, plan, committedBefore, inDeltaLog));
  }

  @Override
  public void chunkRecovered(String stage, int index, String key, long version) {
    listeners.forEach(l -> l.chunkRecovered(stage, index, key, version));
  }

  @Override
  public void chunkCommitted(
      String stage, int index, int chunks, String key, TableStore.Commit commit) {
    listeners.forEach(l -> l.chunkCommitted(stage, index, chunks, key, commit));
  }

  @Override
  public void chunksPublished(String stage, int chunks, TableStore.Commit commit) {
    listeners.forEach(l -> l.chunksPublished(stage, chunks, commit));
  }

  @Override
  public void retryScheduled(
      String stage,
      int attempt,
      FailureClass failureClass,
      long delayMillis,
      int maxAttempts,
      String summary) {
    listeners.forEach(
        l -> l.retryScheduled(stage, attempt, failureClass, delayMillis, maxAttempts, summary));
  }

  @Override
  public void stageFailed(String stage, int attempt, FailureClass failureClass, String summary) {
    listeners.forEach(l -> l.stageFailed(stage, attempt, failureClass, summary));
  }

  @Override
  public void runSucceeded(int executed, int skipped, int recovered) {
    listeners.forEach(l -> l.runSucceeded(executed, skipped, recovered));
  }

  @Override
  public void runFailed(String message) {
    listeners.forEach(l -> l.runFailed(message));
  }

  @Override
  public void runInterrupted(String reason) {
    listeners.forEach(l -> l.runInterrupted(reason));
  }

  @Override
  public void leaseLost(String message) {
    listeners.forEach(l -> l.leaseLost(message));
  }
}
