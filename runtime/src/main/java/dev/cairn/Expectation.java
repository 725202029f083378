package dev.cairn;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.StructType;

/**
 * A check a stage's rows must pass before Cairn commits them: a data-quality gate, declared with
 * {@link Stage.Builder#expect(Expectation...)}. Results (passed or not, with counts and example
 * values) are recorded in the stage's checkpoint and shown by {@code cairn status}. A failed check
 * fails the stage with class {@code DATA_QUALITY}: it is not retried and nothing is published; one
 * declared with {@link Stage.Builder#warn(Expectation...)} only warns ({@link Severity}).
 *
 * <p>An expectation is a description only (immutable values, from the static factories); the
 * runtime decides how to evaluate it. The set of kinds is closed: each is one of the records below.
 */
public sealed interface Expectation {

  /**
   * What a failed check does: {@link #ERROR} fails the stage and publishes nothing (the default);
   * {@link #WARN} is recorded and shown by {@code status}, logged as a warning and counted in the
   * {@code DataQualityWarnings} metric, and the stage still commits.
   */
  enum Severity {
    ERROR,
    WARN
  }

  /** What is checked, e.g. {@code "not null (origin, destination)"}. */
  String describe();

  /** Upstream stages the check reads; the stage must depend on them. */
  default Set<String> reads() {
    return Set.of();
  }

  /** No row has a null in any of these columns. */
  static Expectation notNull(String... columns) {
    return new NotNull(columnList("notNull", columns));
  }

  /** No two rows share the same values of these columns (nulls compare equal). */
  static Expectation uniqueKey(String... columns) {
    return new UniqueKey(columnList("uniqueKey", columns));
  }

  /** The stage writes between {@code min} and {@code max} rows, both included. */
  static Expectation rowCount(long min, long max) {
    return new RowCount(min, max);
  }

  /**
   * Every non-null value of {@code column} appears in column {@code upstreamColumn} of the output
   * of {@code upstreamStage} (read at the version that stage committed), which this stage must
   * depend on.
   */
  static Expectation references(String column, String upstreamStage, String upstreamColumn) {
    return new References(column, upstreamStage, upstreamColumn);
  }

  /**
   * The rows have exactly these columns, in this order, with these types (nullability is not
   * compared). Costs no Spark job.
   */
  static Expectation schema(StructType expected) {
    return new Schema(expected);
  }

  /**
   * Never fails: records how many rows have each value of {@code column} (the 20 most frequent),
   * e.g. the reasons rows were quarantined.
   */
  static Expectation countsBy(String column) {
    return new CountsBy(column);
  }

  /** See {@link #notNull}. */
  record NotNull(List<String> columns) implements Expectation {
    public NotNull {
      columns = columnList("notNull", columns == null ? null : columns.toArray(String[]::new));
    }

    @Override
    public String describe() {
      return "not null (" + String.join(", ", columns) + ")";
    }
  }

  /** See {@link #uniqueKey}. */
  record UniqueKey(List<String> columns) implements Expectation {
    public UniqueKey {
      columns = columnList("uniqueKey", columns == null ? null : columns.toArray(String[]::new));
    }

    @Override
    public String describe() {
      return "unique key (" + String.join(", ", columns) + ")";
    }
  }

  /** See {@link #rowCount}. */
  record RowCount(long min, long max) implements Expectation {
    public RowCount {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException(
            "rowCount(" + min + ", " + max + ") needs 0 <= min <= max");
      }
    }

    @Override
    public String describe() {
      return "row count in [" + min + ", " + max + "]";
    }
  }

  /** See {@link #references}. */
  record References(String column, String upstreamStage, String upstreamColumn)
      implements Expectation {
    public References {
      columnList("references", column, upstreamColumn);
      if (upstreamStage == null || upstreamStage.isBlank()) {
        throw new IllegalArgumentException("references needs the upstream stage's name");
      }
    }

    @Override
    public String describe() {
      return column + " references " + upstreamStage + "." + upstreamColumn;
    }

    @Override
    public Set<String> reads() {
      return Set.of(upstreamStage);
    }
  }

  /** See {@link #schema}. */
  record Schema(StructType expected) implements Expectation {
    public Schema {
      if (expected == null || expected.fields().length == 0) {
        throw new IllegalArgumentException("schema needs at least one column");
      }
    }

    @Override
    public String describe() {
      return "schema " + expected.simpleString();
    }
  }

  /** See {@link #countsBy}. */
  record CountsBy(String column) implements Expectation {
    public CountsBy {
      columnList("countsBy", column);
    }

    @Override
    public String describe() {
      return "counts by " + column;
    }
  }

  private static List<String> columnList(String check, String... columns) {
    if (columns == null || columns.length == 0) {
      throw new IllegalArgumentException(check + " needs at least one column");
    }
    for (String c : columns) {
      if (c == null || c.isBlank()) {
        throw new IllegalArgumentException(check + " has a blank column name");
      }
    }
    return List.copyOf(Arrays.asList(columns));
  }
}
