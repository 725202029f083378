package dev.cairn;

import dev.cairn.internal.quality.Checks;
import org.apache.spark.sql.types.StructType;

/**
 * A check a stage's rows must pass before Cairn commits them: a data-quality gate, declared with
 * {@link Stage.Builder#expect(Expectation...)}. Results (passed or not, with counts and example
 * values) are recorded in the stage's checkpoint and shown by {@code cairn status}. A failed check
 * fails the stage with class {@code DATA_QUALITY}: it is not retried and nothing is published.
 *
 * <p>Instances are immutable and come from the static factories.
 */
public interface Expectation {

  /** What is checked, e.g. {@code "not null (origin, destination)"}. */
  String describe();

  /** No row has a null in any of these columns. */
  static Expectation notNull(String... columns) {
    return Checks.notNull(columns);
  }

  /** No two rows share the same values of these columns (nulls compare equal). */
  static Expectation uniqueKey(String... columns) {
    return Checks.uniqueKey(columns);
  }

  /** The stage writes between {@code min} and {@code max} rows, both included. */
  static Expectation rowCount(long min, long max) {
    return Checks.rowCount(min, max);
  }

  /**
   * Every non-null value of {@code column} appears in column {@code upstreamColumn} of the output
   * of {@code upstreamStage} (read at the version that stage committed), which this stage must
   * depend on.
   */
  static Expectation references(String column, String upstreamStage, String upstreamColumn) {
    return Checks.references(column, upstreamStage, upstreamColumn);
  }

  /**
   * The rows have exactly these columns, in this order, with these types (nullability is not
   * compared). Costs no Spark job.
   */
  static Expectation schema(StructType expected) {
    return Checks.schema(expected);
  }

  /**
   * Never fails: records how many rows have each value of {@code column} (the 20 most frequent),
   * e.g. the reasons rows were quarantined.
   */
  static Expectation countsBy(String column) {
    return Checks.countsBy(column);
  }
}
