package dev.cairn.internal.quality;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** An {@link Expectation} Cairn can evaluate. Implementations are immutable. */
public interface Check extends Expectation {

  /**
   * Evaluates the check on a stage's rows (already persisted by the caller).
   *
   * @param upstream the output of an upstream stage at its committed version
   */
  CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream);

  /** Upstream stages the check reads; the stage must depend on them. */
  default Set<String> reads() {
    return Set.of();
  }

  /** Whether evaluating it runs a Spark job over the rows (so they are worth persisting). */
  default boolean scansRows() {
    return true;
  }
}
