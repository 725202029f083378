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

/**
 * What a driver tells about one run as it works it, for people and machines: the run's history
 * ({@link RunHistory}), its metrics ({@link RunMetrics}) and its log ({@link RunLog}). Each
 * callback is made on the driver's thread, at the point it names, after the checkpoint write it
 * reports (if any) succeeded. A listener must not throw: telling is never worth failing a run.
 * Stage transitions' own history events are written by the store, atomically with them, and are not
 * told here.
 */
interface RunListener {

  /** This driver took the run's lease and starts working it. */
  default void started(String holder) {}

  /** The run's stages have been read; {@code committedBefore} are those already committed. */
  default void attemptStarted(
      LeaseHolder holder, String codeVersion, List<String> committedBefore) {}

  /** This driver's Spark application started (at most once per attempt). */
  default void sparkStarted(SparkApplication application) {}

  /** An operator's rerun was recorded; the run continues from {@code plan.from()}. */
  default void rerunRecorded(RerunPlan plan, String by) {}

  /** A stage found COMMITTED is left alone. */
  default void stageSkipped(StageRecord record) {}

  /** A stage's Delta commit was found in the log and recorded without recomputing. */
  default void stageRecovered(String stage, TableStore.Commit commit, String location) {}

  /** A stage attempt was marked RUNNING and starts computing. */
  default void attemptBegun(String stage, int attempt, Output output) {}

  /** A stage's (or a chunk's) expectations were evaluated, before any failure is thrown. */
  default void checksEvaluated(String stage, List<CheckResult> results) {}

  /** Delta skipped a stage's write as a duplicate of an earlier commit. */
  default void duplicateSkipped(String stage, TableStore.Commit commit) {}

  /** A stage attempt's commit was recorded: the stage is COMMITTED. */
  default void stageCommitted(
      String stage, int attempt, TableStore.Commit commit, String location, StageMetrics metrics) {}

  /** A chunked stage's attempt knows its plan and what is committed of it. */
  default void chunksPlanned(String stage, ChunkPlan plan, long committedBefore, long inDeltaLog) {}

  /**
   * A chunk done by an earlier driver (its Delta commit in the log, or its files staged; {@code
   * version} -1) was recorded without recomputing.
   */
  default void chunkRecovered(String stage, int index, String key, long version) {}

  /** A chunk's commit (or, {@code version} -1, its staged files) was recorded. */
  default void chunkCommitted(
      String stage, int index, int chunks, String key, TableStore.Commit commit) {}

  /** The one commit publishing a chunked stage's staged chunks is in the table. */
  default void chunksPublished(String stage, int chunks, TableStore.Commit commit) {}

  /** A stage attempt failed transiently; its failure is recorded and it runs again after delay. */
  default void retryScheduled(
      String stage,
      int attempt,
      FailureClass failureClass,
      long delayMillis,
      int maxAttempts,
      String summary) {}

  /** A stage failed for good; its failure is recorded. */
  default void stageFailed(String stage, int attempt, FailureClass failureClass, String summary) {}

  /** The run is recorded SUCCEEDED. */
  default void runSucceeded(int executed, int skipped, int recovered) {}

  /** The run is FAILED (recorded unless the store refused) with {@code message}. */
  default void runFailed(String message) {}

  /** The run is INTERRUPTED (recorded unless the store refused), its lease released. */
  default void runInterrupted(String reason) {}

  /** This driver found its lease taken by another and stops. */
  default void leaseLost(String message) {}

  /** Tells each of {@code listeners}, in order. */
  static RunListener all(List<RunListener> listeners) {
    return new AllListeners(List.copyOf(listeners));
  }
}
