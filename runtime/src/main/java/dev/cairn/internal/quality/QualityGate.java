package dev.cairn.internal.quality;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Evaluates a stage's expectations on its rows, before they are committed. */
public final class QualityGate {
  private QualityGate() {}

  /** Whether any of {@code expectations} runs a Spark job over the rows. */
  public static boolean scansRows(List<Expectation> expectations) {
    return expectations.stream().anyMatch(e -> check(e).scansRows());
  }

  /**
   * Every expectation's result, in declaration order. The row-count, not-null and (first)
   * unique-key checks of a stage are answered together by one aggregation over the rows (one Spark
   * job instead of one or two each; see {@link Checks#evaluateTogether}); the others run on their
   * own. Results and their details are the same either way.
   */
  public static List<CheckResult> evaluate(
      List<Expectation> expectations, Dataset<Row> rows, Function<String, Dataset<Row>> upstream) {
    List<Check> checks = expectations.stream().map(QualityGate::check).toList();
    Map<Check, CheckResult> together = Checks.evaluateTogether(checks, rows);
    List<CheckResult> results = new ArrayList<>();
    for (Check check : checks) {
      CheckResult done = together.get(check);
      results.add(done != null ? done : check.evaluate(rows, upstream));
    }
    return results;
  }

  private static Check check(Expectation expectation) {
    return Checks.of(expectation);
  }
}
