package dev.cairn.internal.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.Expectation;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.store.CheckResult;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChecksTogetherTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "checks-together-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Dataset<Row> rows(Object[]... values) {
    StructType schema =
        new StructType()
            .add("day", DataTypes.StringType)
            .add("origin", DataTypes.StringType)
            .add("flights", DataTypes.LongType);
    return spark.createDataFrame(
        java.util.Arrays.stream(values).map(RowFactory::create).toList(), schema);
  }

  private static List<CheckResult> alone(List<Expectation> checks, Dataset<Row> rows) {
    return checks.stream().map(c -> Checks.of(c).evaluate(rows, s -> null)).toList();
  }

  @Test
  void passingChecks_giveTheSameResults_togetherAsAlone() {
    Dataset<Row> rows =
        rows(
            new Object[] {"d1", "SFO", 3L},
            new Object[] {"d1", "LAX", 1L},
            new Object[] {"d2", "SFO", 2L});
    List<Expectation> checks =
        List.of(
            Expectation.notNull("day", "origin"),
            Expectation.uniqueKey("day", "origin"),
            Expectation.rowCount(1, 366));

    assertThat(QualityGate.evaluate(checks, rows, s -> null)).isEqualTo(alone(checks, rows));
    assertThat(Checks.evaluateTogether(checks.stream().map(Checks::of).toList(), rows)).hasSize(3);
  }

  @Test
  void failingChecks_giveTheSameResults_andExamples_togetherAsAlone() {
    Dataset<Row> rows =
        rows(
            new Object[] {"d1", "SFO", 3L},
            new Object[] {"d1", "SFO", 1L},
            new Object[] {"d1", null, 1L},
            new Object[] {null, null, 2L});
    List<Expectation> checks =
        List.of(
            Expectation.rowCount(5, 10),
            Expectation.notNull("origin"),
            Expectation.uniqueKey("day", "origin"),
            Expectation.notNull("day", "origin"),
            Expectation.uniqueKey("origin"));

    List<CheckResult> together = QualityGate.evaluate(checks, rows, s -> null);

    assertThat(together).isEqualTo(alone(checks, rows));
    assertThat(together.get(0).detail()).isEqualTo("4 rows");
    assertThat(together.get(2).detail())
        .isEqualTo("1 key(s) occur more than once, in 2 rows; e.g. (d1, SFO, 2)");
    assertThat(together.get(3).detail()).isEqualTo("1 null(s) in day, 2 null(s) in origin");
  }

  @Test
  void checksOnMissingColumns_andLoneChecks_areLeftToRunAlone() {
    Dataset<Row> rows = rows(new Object[] {"d1", "SFO", 3L});
    Expectation missing = Expectation.notNull("dest");
    Expectation count = Expectation.rowCount(1, 1);

    Map<Check, CheckResult> together =
        Checks.evaluateTogether(List.of(Checks.of(missing), Checks.of(count)), rows);

    assertThat(together).isEmpty();
    assertThat(QualityGate.evaluate(List.of(missing, count), rows, s -> null))
        .isEqualTo(alone(List.of(missing, count), rows));
  }
}
