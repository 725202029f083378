package dev.cairn.internal.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** How each kind of {@link Expectation} is evaluated on a stage's rows. */
final class Checks {
  /** How many offending values a failed check quotes. */
  static final int EXAMPLES = 5;

  private Checks() {}

  /** The evaluator of {@code expectation}. */
  static Check of(Expectation expectation) {
    if (expectation instanceof Expectation.NotNull spec) {
      return new NotNull(spec);
    } else if (expectation instanceof Expectation.UniqueKey spec) {
      return new UniqueKey(spec);
    } else if (expectation instanceof Expectation.RowCount spec) {
      return new RowCount(spec);
    } else if (expectation instanceof Expectation.References spec) {
      return new References(spec);
    } else if (expectation instanceof Expectation.Schema spec) {
      return new Schema(spec);
    } else if (expectation instanceof Expectation.CountsBy spec) {
      return new CountsBy(spec);
    }
    throw new IllegalStateException("no evaluator for " + expectation.describe());
  }

  /**
   * Answers the row-count and not-null checks among {@code checks}, and the first unique-key check,
   * with one aggregation over {@code rows}: grouped by that key (one shuffle) when there is one,
   * else a plain aggregate. Each result and its detail are what the check alone would give; a
   * failed unique key then reads a few duplicates as examples, as alone. Checks whose columns are
   * missing, other kinds of check, and a lone foldable check are left out of the returned map (the
   * caller evaluates them on their own).
   *
   * @return the results by check (identity), possibly empty
   */
  static Map<Check, CheckResult> evaluateTogether(List<Check> checks, Dataset<Row> rows) {
    Set<String> present = Set.of(rows.columns());
    List<Check> folded = new ArrayList<>();
    UniqueKey key = null;
    for (Check check : checks) {
      if (check instanceof RowCount) {
        folded.add(check);
      } else if (check instanceof NotNull n && present.containsAll(n.columns())) {
        folded.add(check);
      } else if (check instanceof UniqueKey u && key == null && present.containsAll(u.columns())) {
        folded.add(check);
        key = u;
      }
    }
    Map<Check, CheckResult> results = new IdentityHashMap<>();
    if (folded.size() < 2) {
      return results;
    }
    List<String> nullColumns = new ArrayList<>();
    for (Check check : folded) {
      if (check instanceof NotNull n) {
        n.columns().stream().filter(c -> !nullColumns.contains(c)).forEach(nullColumns::add);
      }
    }
    List<Column> totals = new ArrayList<>();
    Dataset<Row> source;
    if (key != null) {
      List<Column> perKey = new ArrayList<>();
      perKey.add(count(lit(1)).alias("__n"));
      for (int i = 0; i < nullColumns.size(); i++) {
        perKey.add(sum(when(col(nullColumns.get(i)).isNull(), 1).otherwise(0)).alias("__null" + i));
      }
      Column[] keys = key.columns().stream().map(c -> col(c)).toArray(Column[]::new);
      source =
          rows.groupBy(keys)
              .agg(perKey.get(0), perKey.subList(1, perKey.size()).toArray(Column[]::new));
      totals.add(sum(col("__n")).alias("rows"));
      for (int i = 0; i < nullColumns.size(); i++) {
        totals.add(sum(col("__null" + i)).alias("nulls" + i));
      }
      totals.add(sum(when(col("__n").gt(1), 1).otherwise(0)).alias("dup_keys"));
      totals.add(sum(when(col("__n").gt(1), col("__n")).otherwise(0)).alias("dup_rows"));
    } else {
      source = rows;
      totals.add(count(lit(1)).alias("rows"));
      for (int i = 0; i < nullColumns.size(); i++) {
        totals.add(sum(when(col(nullColumns.get(i)).isNull(), 1).otherwise(0)).alias("nulls" + i));
      }
    }
    Row row =
        source.agg(totals.get(0), totals.subList(1, totals.size()).toArray(Column[]::new)).first();
    long rowCount = longAt(row, 0);
    for (Check check : folded) {
      if (check instanceof RowCount r) {
        results.put(
            check,
            new CheckResult(
                r.describe(), rowCount >= r.min() && rowCount <= r.max(), rowCount + " rows"));
      } else if (check instanceof NotNull n) {
        StringJoiner nulls = new StringJoiner(", ");
        for (String c : n.columns()) {
          long count = longAt(row, 1 + nullColumns.indexOf(c));
          if (count > 0) {
            nulls.add(count + " null(s) in " + c);
          }
        }
        results.put(
            check,
            nulls.length() == 0
                ? new CheckResult(n.describe(), true, "no nulls")
                : new CheckResult(n.describe(), false, nulls.toString()));
      } else if (check instanceof UniqueKey u) {
        long keysDuplicated = longAt(row, 1 + nullColumns.size());
        long rowsDuplicated = longAt(row, 2 + nullColumns.size());
        results.put(check, u.result(rows, keysDuplicated, rowsDuplicated));
      }
    }
    return results;
  }

  /** A sum over no rows is null: 0. */
  private static long longAt(Row row, int i) {
    return row.isNullAt(i) ? 0 : row.getLong(i);
  }

  /** A failed result if any of {@code columns} is not in the rows, else null. */
  static CheckResult missingColumns(String check, Dataset<Row> rows, List<String> columns) {
    Set<String> present = Set.of(rows.columns());
    List<String> missing = columns.stream().filter(c -> !present.contains(c)).toList();
    if (missing.isEmpty()) {
      return null;
    }
    return new CheckResult(
        check,
        false,
        "column(s) "
            + String.join(", ", missing)
            + " not in the stage's rows (columns: "
            + String.join(", ", rows.columns())
            + "); fix the expectation or the stage's compute");
  }

  static String examples(List<Row> rows) {
    StringJoiner joiner = new StringJoiner("; ", "e.g. ", rows.size() > EXAMPLES ? "; …" : "");
    rows.stream().limit(EXAMPLES).forEach(r -> joiner.add(r.mkString("(", ", ", ")")));
    return joiner.toString();
  }

  record NotNull(Expectation.NotNull spec) implements Check {
    @Override
    public Expectation expectation() {
      return spec;
    }

    List<String> columns() {
      return spec.columns();
    }

    @Override
    public CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
      CheckResult missing = missingColumns(describe(), rows, columns());
      if (missing != null) {
        return missing;
      }
      List<Column> counts = new ArrayList<>();
      for (String c : columns()) {
        counts.add(sum(when(col(c).isNull(), 1).otherwise(0)).alias(c));
      }
      Row row =
          rows.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new)).first();
      StringJoiner nulls = new StringJoiner(", ");
      for (int i = 0; i < columns().size(); i++) {
        long n = row.isNullAt(i) ? 0 : row.getLong(i);
        if (n > 0) {
          nulls.add(n + " null(s) in " + columns().get(i));
        }
      }
      return nulls.length() == 0
          ? new CheckResult(describe(), true, "no nulls")
          : new CheckResult(describe(), false, nulls.toString());
    }
  }

  record UniqueKey(Expectation.UniqueKey spec) implements Check {
    @Override
    public Expectation expectation() {
      return spec;
    }

    List<String> columns() {
      return spec.columns();
    }

    @Override
    public CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
      CheckResult missing = missingColumns(describe(), rows, columns());
      if (missing != null) {
        return missing;
      }
      Row totals =
          duplicates(rows).agg(count(lit(1)).alias("keys"), sum(col("rows")).alias("rows")).first();
      return result(rows, totals.getLong(0), totals.isNullAt(1) ? 0 : totals.getLong(1));
    }

    private Dataset<Row> duplicates(Dataset<Row> rows) {
      Column[] keys = columns().stream().map(c -> col(c)).toArray(Column[]::new);
      return rows.groupBy(keys).agg(count(lit(1)).alias("rows")).where(col("rows").gt(1));
    }

    /** The result given the duplicate counts; a failure quotes a few duplicates. */
    CheckResult result(Dataset<Row> rows, long keysDuplicated, long rowsDuplicated) {
      if (keysDuplicated == 0) {
        return new CheckResult(describe(), true, "every key once");
      }
      List<Row> sample = duplicates(rows).limit(EXAMPLES + 1).collectAsList();
      return new CheckResult(
          describe(),
          false,
          keysDuplicated
              + " key(s) occur more than once, in "
              + rowsDuplicated
              + " rows; "
              + examples(sample));
    }
  }

  record RowCount(Expectation.RowCount spec) implements Check {
    @Override
    public Expectation expectation() {
      return spec;
    }

    long min() {
      return spec.min();
    }

    long max() {
      return spec.max();
    }

    @Override
    public CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
      long n = rows.count();
      return new CheckResult(describe(), n >= min() && n <= max(), n + " rows");
    }
  }

  record References(Expectation.References spec) implements Check {
    @Override
    public Expectation expectation() {
      return spec;
    }

    String column() {
      return spec.column();
    }

    String upstreamStage() {
      return spec.upstreamStage();
    }

    String upstreamColumn() {
      return spec.upstreamColumn();
    }

    @Override
    public CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
      CheckResult missing = missingColumns(describe(), rows, List.of(column()));
      if (missing != null) {
        return missing;
      }
      Dataset<Row> target = upstream.apply(upstreamStage());
      CheckResult missingUpstream =
          missingColumns(
              describe() + " (in " + upstreamStage() + ")", target, List.of(upstreamColumn()));
      if (missingUpstream != null) {
        return missingUpstream;
      }
      Dataset<Row> keys = target.select(col(upstreamColumn()).alias("__ref")).distinct();
      Dataset<Row> orphans =
          rows.select(col(column()))
              .where(col(column()).isNotNull())
              .join(keys, col(column()).equalTo(col("__ref")), "left_anti");
      long count = orphans.count();
      if (count == 0) {
        return new CheckResult(describe(), true, "every value found");
      }
      List<Row> sample = orphans.distinct().limit(EXAMPLES + 1).collectAsList();
      return new CheckResult(
          describe(),
          false,
          count
              + " row(s) have a "
              + column()
              + " not found in "
              + upstreamStage()
              + "."
              + upstreamColumn()
              + "; "
              + examples(sample));
    }
  }

  record Schema(Expectation.Schema spec) implements Check {
    @Override
    public Expectation expectation() {
      return spec;
    }

    StructType expected() {
      return spec.expected();
    }

    @Override
    public boolean scansRows() {
      return false;
    }

    @Override
    public CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
      StructField[] actual = rows.schema().fields();
      StructField[] wanted = expected().fields();
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < Math.max(actual.length, wanted.length); i++) {
        if (i >= actual.length) {
          problems.add("missing column " + wanted[i].name() + " " + wanted[i].dataType().sql());
        } else if (i >= wanted.length) {
          problems.add("unexpected column " + actual[i].name() + " " + actual[i].dataType().sql());
        } else if (!actual[i].name().equals(wanted[i].name())) {
          problems.add(
              "column " + (i + 1) + " is " + actual[i].name() + ", expected " + wanted[i].name());
        } else if (!actual[i].dataType().sameType(wanted[i].dataType())) {
          problems.add(
              "column "
                  + actual[i].name()
                  + " is "
                  + actual[i].dataType().sql()
                  + ", expected "
                  + wanted[i].dataType().sql());
        }
      }
      return problems.isEmpty()
          ? new CheckResult(describe(), true, "matches")
          : new CheckResult(describe(), false, String.join("; ", problems));
    }
  }

  record CountsBy(Expectation.CountsBy spec) implements Check {
    @Override
    public Expectation expectation() {
      return spec;
    }

    String column() {
      return spec.column();
    }

    @Override
    public CheckResult evaluate(Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
      CheckResult missing = missingColumns(describe(), rows, List.of(column()));
      if (missing != null) {
        return missing;
      }
      List<Row> top =
          rows.groupBy(col(column()))
              .agg(count(lit(1)).alias("rows"))
              .orderBy(col("rows").desc(), col(column()).asc_nulls_first())
              .limit(20)
              .collectAsList();
      StringJoiner detail = new StringJoiner("; ");
      for (Row r : top) {
        detail.add((r.isNullAt(0) ? "null" : r.get(0).toString()) + ": " + r.getLong(1));
      }
      return new CheckResult(describe(), true, top.isEmpty() ? "no rows" : detail.toString());
    }
  }
}
