package dev.cairn.internal.quality;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** How Cairn evaluates one {@link Expectation}. Implementations are immutable. */
interface Check {

  /** The expectation evaluated. */
  Expectation expectation();

  /** What is checked: the expectation's own description. */
  default String describe() {
    return expectation().describe();
  }

  /**
   * Evaluates the check on a stage's rows (already persisted by the caller).
   *
   * @param upstream the output of an upstream stage at its committed version
   */
  CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream);

  /** Whether evaluating it runs a Spark job over the rows (so they are worth persisting). */
  default boolean scansRows() {
    return true;
  }
}
