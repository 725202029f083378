package dev.cairn.internal.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.Expectation;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.store.CheckResult;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks riding on the write: the same results as checking before it, with the Spark jobs of the
 * checks themselves counted.
 */
class WriteGateTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("day", DataTypes.StringType)
          .add("origin", DataTypes.StringType)
          .add("flights", DataTypes.LongType);
  private static SparkSession spark;
  private static final AtomicInteger JOBS = new AtomicInteger();

  @BeforeAll
  static void startSpark() {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "write-gate-test");
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onJobStart(SparkListenerJobStart jobStart) {
                JOBS.incrementAndGet();
              }
            });
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Dataset<Row> rows(Object[]... values) {
    return spark.createDataFrame(Arrays.stream(values).map(RowFactory::create).toList(), SCHEMA);
  }

  /** The rows written as a write would write them: one Spark job over every row, to no sink. */
  private static Dataset<Row> write(WriteGate gate) {
    gate.rows().write().format("noop").mode("overwrite").save();
    return gate.rows();
  }

  /** How many Spark jobs {@code action} started. */
  private static <T> Jobs<T> counting(Supplier<T> action) throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    int before = JOBS.get();
    T result = action.get();
    spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    return new Jobs<>(result, JOBS.get() - before);
  }

  private record Jobs<T>(T result, int started) {}

  @Test
  void rowCountsAndNulls_areMetricsOfTheWriteJob_withNoSparkJobOfTheirOwn() throws Exception {
    Dataset<Row> rows =
        rows(
            new Object[] {"d1", "SFO", 3L},
            new Object[] {"d1", null, 1L},
            new Object[] {null, null, 2L});
    List<Expectation> checks =
        List.of(Expectation.rowCount(1, 2), Expectation.notNull("day", "origin"));
    WriteGate gate = WriteGate.of(checks, rows);
    Dataset<Row> written = write(gate);

    Jobs<List<CheckResult>> evaluated = counting(() -> gate.evaluate(written, s -> null));

    assertThat(evaluated.started()).isZero();
    assertThat(evaluated.result()).isEqualTo(QualityGate.evaluate(checks, rows, s -> null));
    assertThat(evaluated.result())
        .extracting(CheckResult::detail)
        .containsExactly("3 rows", "1 null(s) in day, 2 null(s) in origin");
  }

  @Test
  void aUniqueKeyTheRowsAreGroupedBy_isProvenByThePlan_readingNoRow() throws Exception {
    Dataset<Row> perDayAndOrigin =
        rows(
                new Object[] {"d1", "SFO", 3L},
                new Object[] {"d1", "SFO", 1L},
                new Object[] {"d2", "SFO", 2L})
            .groupBy(col("day"), col("origin"))
            .agg(sum(col("flights")).alias("flights"));
    WriteGate gate = WriteGate.of(List.of(Expectation.uniqueKey("origin", "day")), perDayAndOrigin);
    Dataset<Row> written = write(gate);

    Jobs<List<CheckResult>> evaluated = counting(() -> gate.evaluate(written, s -> null));

    assertThat(evaluated.started()).isZero();
    assertThat(evaluated.result())
        .containsExactly(new CheckResult("unique key (origin, day)", true, "every key once", true));
  }

  @Test
  void aKeyThePlanDoesNotProve_isCheckedOnTheWrittenRows_withTheSameDuplicatesAsBefore() {
    Dataset<Row> perDayAndOrigin =
        rows(
                new Object[] {"d1", "SFO", 3L},
                new Object[] {"d1", "LAX", 1L},
                new Object[] {"d2", "SFO", 2L})
            .groupBy(col("day"), col("origin"))
            .agg(sum(col("flights")).alias("flights"));
    List<Expectation> checks = List.of(Expectation.uniqueKey("day"), Expectation.notNull("origin"));
    WriteGate gate = WriteGate.of(checks, perDayAndOrigin);

    List<CheckResult> results = gate.evaluate(write(gate), s -> null);

    assertThat(results).isEqualTo(QualityGate.evaluate(checks, perDayAndOrigin, s -> null));
    assertThat(results.get(0).passed()).isFalse();
    assertThat(results.get(0).provenByPlan()).isFalse();
    assertThat(results.get(0).detail())
        .startsWith("1 key(s) occur more than once, in 2 rows; e.g. (d1, 2)");
  }

  @Test
  void aSchemaOrAColumnTheRowsLack_failsBeforeAnythingIsWritten() {
    Dataset<Row> rows = rows(new Object[] {"d1", "SFO", 3L});

    assertThat(WriteGate.of(List.of(Expectation.notNull("dest")), rows).failsBeforeWriting())
        .isTrue();
    assertThat(
            WriteGate.of(
                    List.of(Expectation.schema(new StructType().add("day", DataTypes.StringType))),
                    rows)
                .failsBeforeWriting())
        .isTrue();
    assertThat(WriteGate.of(List.of(Expectation.notNull("day")), rows).failsBeforeWriting())
        .isFalse();
  }

  @Test
  void aReferenceThePlanTakesFromTheUpstreamColumn_isProven_readingNoRow(@TempDir Path dir)
      throws Exception {
    String table = dir.resolve("up").toString();
    rows(
            new Object[] {"d1", "SFO", 3L},
            new Object[] {"d1", "LAX", 1L},
            new Object[] {"d2", "SEA", 2L})
        .write()
        .format("delta")
        .save(table);
    Function<String, Dataset<Row>> upstream =
        stage -> spark.read().format("delta").option("versionAsOf", 0).load(table);
    // The busiest airport of each day: one of the upstream's origins, value for value.
    Dataset<Row> busiest =
        upstream
            .apply("up")
            .where(col("flights").gt(0))
            .groupBy(col("day"))
            .agg(min_by(col("origin"), col("flights").unary_$minus()).alias("busiest"));
    Expectation references = Expectation.references("busiest", "up", "origin");
    WriteGate gate = WriteGate.of(List.of(references), busiest);
    Dataset<Row> written = write(gate);

    Jobs<List<CheckResult>> evaluated = counting(() -> gate.evaluate(written, upstream));

    assertThat(evaluated.result())
        .containsExactly(
            new CheckResult("busiest references up.origin", true, "every value found", true));
    assertThat(evaluated.started()).isZero();
  }

  @Test
  void aReferenceToAnotherVersion_orThroughAnExpression_isCheckedOnTheRows(@TempDir Path dir) {
    String table = dir.resolve("up").toString();
    rows(new Object[] {"d1", "SFO", 3L}).write().format("delta").save(table);
    rows(new Object[] {"d2", "LAX", 1L}).write().format("delta").mode("append").save(table);
    Function<String, Dataset<Row>> atZero =
        stage -> spark.read().format("delta").option("versionAsOf", 0).load(table);
    Dataset<Row> atOne = spark.read().format("delta").option("versionAsOf", 1).load(table);
    Expectation references = Expectation.references("origin", "up", "origin");

    WriteGate otherVersion = WriteGate.of(List.of(references), atOne.select("origin"));
    WriteGate expression =
        WriteGate.of(
            List.of(references),
            atZero.apply("up").select(concat(col("origin"), lit("X")).alias("origin")));

    assertThat(otherVersion.evaluate(write(otherVersion), atZero))
        .containsExactly(
            new CheckResult(
                "origin references up.origin",
                false,
                "1 row(s) have a origin not found in up.origin; e.g. (LAX)"));
    assertThat(expression.evaluate(write(expression), atZero))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.passed()).isFalse();
              assertThat(r.provenByPlan()).isFalse();
            });
  }
}
