package dev.cairn.internal.engine;

import dev.cairn.Expectation;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.quality.QualityGate;
import dev.cairn.internal.quality.WriteGate;
import dev.cairn.internal.store.CheckResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The one step that turns a stage's compute into a Delta commit, for a whole stage and for each
 * chunk alike: compute the rows, evaluate the stage's expectations on them, and write them in one
 * commit. Nothing is committed if a check fails.
 *
 * <p>Where the target decides between writing its files and committing them, the checks ride on the
 * write ({@link WriteGate}): metrics of the write job, keys the plan proves, and reads of the files
 * written, before the commit. Elsewhere (a MERGE into an existing table, a rerun's APPEND
 * generation; or a check that fails before anything is written) the rows are persisted, checked,
 * and written from the cache, so the checks see exactly what is written. Records nothing in the
 * checkpoint store: the caller marks the start and the commit.
 */
final class StageWriter {
  private final RunListener listener;

  StageWriter(RunListener listener) {
    this.listener = listener;
  }

  /** Writes the rows of a step to its table, in one Delta commit. */
  @FunctionalInterface
  interface Target {
    /**
     * Writes {@code rows}, calling {@code beforeCommit} between the files and the commit when the
     * target decides before committing (see {@link StageWriter#write}).
     */
    TableStore.Commit write(Dataset<Row> rows, TableStore.BeforeCommit beforeCommit);
  }

  /**
   * A step's commit, its checks' results (empty without expectations, or when Delta skipped the
   * write as a duplicate), and the time the checks took on the driver beside the write job.
   */
  record Written(TableStore.Commit commit, List<CheckResult> checks, long checkMillis) {}

  /**
   * Computes {@code stage} in {@code context} and writes the rows to {@code target}.
   *
   * @param decidesBeforeCommit whether {@code target} calls its {@link TableStore.BeforeCommit}
   *     before committing
   * @throws DataQualityException an expectation failed; nothing was committed
   */
  Written write(Stage stage, StageContext context, boolean decidesBeforeCommit, Target target) {
    return write(stage, stage.expectations(), context, decidesBeforeCommit, target);
  }

  /** {@link #write}, checking {@code expectations} (some of the stage's) instead of all of them. */
  Written write(
      Stage stage,
      List<Expectation> expectations,
      StageContext context,
      boolean decidesBeforeCommit,
      Target target) {
    Dataset<Row> rows = stage.compute().rows(context);
    if (expectations.isEmpty()) {
      return new Written(target.write(rows, TableStore.BeforeCommit.NONE), List.of(), 0);
    }
    if (decidesBeforeCommit) {
      long planning = System.nanoTime();
      WriteGate gate = WriteGate.of(expectations, rows);
      long[] checkNanos = {System.nanoTime() - planning};
      if (!gate.failsBeforeWriting()) {
        List<List<CheckResult>> results = new ArrayList<>(1);
        TableStore.Commit commit =
            target.write(
                gate.rows(),
                written -> {
                  long started = System.nanoTime();
                  List<CheckResult> evaluated = gate.evaluate(written, context::input);
                  checkNanos[0] += System.nanoTime() - started;
                  results.add(decide(stage, expectations, evaluated));
                });
        return new Written(
            commit,
            results.isEmpty() ? List.of() : results.get(0),
            TimeUnit.NANOSECONDS.toMillis(checkNanos[0]));
      }
    }
    long started = System.nanoTime();
    boolean persisted = QualityGate.scansRows(expectations);
    if (persisted) {
      // Checked and written from one computation: the checks see exactly what is written.
      rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
    }
    try {
      List<CheckResult> checks =
          decide(stage, expectations, QualityGate.evaluate(expectations, rows, context::input));
      long checkMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      return new Written(target.write(rows, TableStore.BeforeCommit.NONE), checks, checkMillis);
    } finally {
      if (persisted) {
        rows.unpersist(false);
      }
    }
  }

  /**
   * The results (one per expectation, in order) with each expectation's severity, recorded; throws
   * {@link DataQualityException} if one whose failure fails the stage failed (a failed warning is
   * recorded and the stage goes on).
   */
  List<CheckResult> decide(Stage stage, List<Expectation> expectations, List<CheckResult> results) {
    List<CheckResult> tagged = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      tagged.add(results.get(i).withSeverity(stage.severity(expectations.get(i))));
    }
    listener.checksEvaluated(stage.name(), tagged);
    if (tagged.stream().anyMatch(CheckResult::blocks)) {
      throw DataQualityException.checksFailed(stage.name(), tagged);
    }
    return tagged;
  }
}
