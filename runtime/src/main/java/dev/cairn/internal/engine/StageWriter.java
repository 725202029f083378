package dev.cairn.internal.engine;

import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.quality.QualityGate;
import dev.cairn.internal.store.CheckResult;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The one step that turns a stage's compute into a Delta commit, for a whole stage and for each
 * chunk alike: compute the rows, evaluate the stage's expectations on them, and write them in one
 * commit. When a check scans the rows they are persisted for the step, so the checks see exactly
 * what is written, and unpersisted after it whatever happens. Nothing is written if a check fails.
 * Records nothing in the checkpoint store: the caller marks the start and the commit.
 */
final class StageWriter {
  private final RunListener listener;

  StageWriter(RunListener listener) {
    this.listener = listener;
  }

  /** Writes the rows of a step to its table, in one Delta commit. */
  @FunctionalInterface
  interface Target {
    TableStore.Commit write(Dataset<Row> rows);
  }

  /** A step's commit, and its checks' results (empty without expectations). */
  record Written(TableStore.Commit commit, List<CheckResult> checks) {}

  /**
   * Computes {@code stage} in {@code context} and writes the rows to {@code target}.
   *
   * @throws DataQualityException an expectation failed; nothing was written
   */
  Written write(Stage stage, StageContext context, Target target) {
    Dataset<Row> rows = stage.compute().rows(context);
    boolean persisted = false;
    List<CheckResult> checks = List.of();
    try {
      if (!stage.expectations().isEmpty()) {
        persisted = QualityGate.scansRows(stage.expectations());
        if (persisted) {
          // Checked and written from one computation: the checks see exactly what is written.
          rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
        }
        checks = gate(stage, rows, context);
      }
      return new Written(target.write(rows), checks);
    } finally {
      if (persisted) {
        rows.unpersist(false);
      }
    }
  }

  /** Evaluates the stage's expectations; throws {@link DataQualityException} if any fails. */
  private List<CheckResult> gate(Stage stage, Dataset<Row> rows, StageContext context) {
    List<CheckResult> results = QualityGate.evaluate(stage.expectations(), rows, context::input);
    listener.checksEvaluated(stage.name(), results);
    if (results.stream().allMatch(CheckResult::passed)) {
      return results;
    }
    throw DataQualityException.checksFailed(stage.name(), results);
  }
}
