package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnJob;
import dev.cairn.ChunkPlanner;
import dev.cairn.Expectation;
import dev.cairn.Expectation.Severity;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.StageFailedException;
import dev.cairn.internal.chunking.SizingSettings;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.metrics.EmbeddedMetrics;
import dev.cairn.internal.metrics.SparkStageObserver;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.testing.InMemoryCheckpointStore;
import dev.cairn.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input and data-quality gates on real Spark and Delta: the failure is classified, named, not
 * retried, and nothing is published; gate results are recorded in the checkpoint.
 */
class StageGatesAndBadInputTest {
  private static final StructType FLIGHTS =
      new StructType()
          .add("day", DataTypes.StringType)
          .add("origin", DataTypes.StringType)
          .add("delay", DataTypes.IntegerType);
  private static SparkSession spark;
  private static Path root;

  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  private final List<Duration> sleeps = new ArrayList<>();
  private DeltaTableStore tables;

  @BeforeAll
  static void startSpark() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "stage-gates-test");
    root = Files.createTempDirectory("cairn-gates-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** A job of two stages: {@code load} reads a Parquet input, {@code report} aggregates it. */
  private static final class GatedJob extends CairnJob {
    private final List<Expectation> loadChecks;
    private final List<Expectation> reportChecks;
    private final List<Expectation> reportWarnings;
    private final Function<Dataset<Row>, Dataset<Row>> report;

    GatedJob(
        List<Expectation> loadChecks,
        List<Expectation> reportChecks,
        Function<Dataset<Row>, Dataset<Row>> report) {
      this(loadChecks, reportChecks, List.of(), report);
    }

    GatedJob(
        List<Expectation> loadChecks,
        List<Expectation> reportChecks,
        List<Expectation> reportWarnings,
        Function<Dataset<Row>, Dataset<Row>> report) {
      this.loadChecks = loadChecks;
      this.reportChecks = reportChecks;
      this.reportWarnings = reportWarnings;
      this.report = report;
    }

    @Override
    public String name() {
      return "gated";
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(Parameter.required("input", "Parquet input"));
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      String input = parameters.require("input");
      return List.of(
          Stage.named("load")
              .output(Output.table("loaded"))
              .expect(loadChecks.toArray(Expectation[]::new))
              .compute(ctx -> ctx.spark().read().parquet(input)),
          Stage.named("report")
              .dependsOn("load")
              .output(Output.table("report"))
              .expect(reportChecks.toArray(Expectation[]::new))
              .warn(reportWarnings.toArray(Expectation[]::new))
              .compute(ctx -> report.apply(ctx.input("load"))));
    }
  }

  /** One stage in a chunk per day, each chunk's rows its day's flights by origin. */
  private static final class ChunkedJob extends CairnJob {
    private final List<Expectation> checks;

    ChunkedJob(Expectation... checks) {
      this.checks = List.of(checks);
    }

    @Override
    public String name() {
      return "gated-chunks";
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(Parameter.required("input", "Parquet input"));
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      String input = parameters.require("input");
      return List.of(
          Stage.named("origins")
              .output(Output.table("origins"))
              .expect(checks.toArray(Expectation[]::new))
              .chunked(ctx -> ChunkPlanner.Unit.each("d1", "d2", "d3"))
              .compute(
                  ctx ->
                      ctx.spark()
                          .read()
                          .parquet(input)
                          .where(
                              org.apache
                                  .spark
                                  .sql
                                  .functions
                                  .col("day")
                                  .isin(ctx.chunk().orElseThrow().units().toArray()))
                          .select("origin", "delay")));
    }
  }

  private RunExecutor executor(Path warehouse) {
    return executor(warehouse, SizingSettings.DEFAULTS);
  }

  /** An executor whose chunks hold one unit each. */
  private RunExecutor chunkPerUnit(Path warehouse) {
    return executor(
        warehouse,
        new SizingSettings(
            OptionalDouble.of(1e-6),
            SizingSettings.DEFAULT_MTBI_SECONDS,
            SizingSettings.DEFAULT_OVERHEAD_BUDGET,
            () -> false));
  }

  private RunExecutor executor(Path warehouse, SizingSettings sizing) {
    tables = new DeltaTableStore(() -> spark, warehouse.toString());
    return new RunExecutor(
        RunServices.builder(
                store,
                tables,
                () -> spark,
                new MutableClock(Instant.parse("2026-01-01T00:00:00Z")),
                new LeaseHolder("test:1", "test-host", 999_999_999L, Instant.EPOCH),
                new RunExecutor.Settings(
                    Duration.ofMinutes(10), Duration.ZERO, "test-host", "test"))
            .sleeper(sleeps::add)
            .observer(new SparkStageObserver(() -> spark))
            .sizing(sizing)
            .build());
  }

  private static Path parquet(String name, Row... rows) {
    Path path = root.resolve(name + "-" + System.nanoTime() + ".parquet");
    spark.createDataFrame(List.of(rows), FLIGHTS).coalesce(1).write().parquet(path.toString());
    return path;
  }

  private static Row row(String day, String origin, Integer delay) {
    return RowFactory.create(day, origin, delay);
  }

  private StageRecord stage(String runId, String name) {
    return store.stages(runId).stream()
        .filter(s -> s.stage().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static String runIdOf(Path input) {
    return RunIdentity.of("gated", Parameters.of(Map.of("input", input.toString()))).runId();
  }

  @Test
  void truncatedParquet_failsAsBadInput_namingTheFile_withoutRetry() throws Exception {
    Path input = parquet("truncated", row("d1", "SFO", 5), row("d1", "LAX", 7));
    Path file;
    try (var files = Files.list(input)) {
      file = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job = new GatedJob(List.of(), List.of(), r -> r);

    assertThatThrownBy(
            () -> executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString()))))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining("failed (BAD_INPUT)")
        .hasMessageContaining(file.getFileName().toString())
        .hasMessageContaining("Fix: correct the input named above, then `cairn resume");

    String runId = runIdOf(input);
    assertThat(stage(runId, "load").errorClass()).contains("BAD_INPUT");
    assertThat(stage(runId, "load").attempts()).isEqualTo(1);
    assertThat(sleeps).isEmpty();
    assertThat(tables.currentVersion(tables.location("loaded"))).isEqualTo(-1);
  }

  @Test
  void unresolvedColumn_isPermanent_andNotRetried() throws Exception {
    Path input = parquet("ok", row("d1", "SFO", 5));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job = new GatedJob(List.of(), List.of(), r -> r.select("dep_delay"));

    assertThatThrownBy(
            () -> executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString()))))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining("stage 'report' of run " + runIdOf(input) + " failed (PERMANENT)")
        .hasMessageContaining("dep_delay");
    assertThat(sleeps).isEmpty();
  }

  @Test
  void failedGate_failsTheStageAsDataQuality_publishesNothing_andRecordsEveryResult()
      throws Exception {
    Path input = parquet("nulls", row("d1", "SFO", 5), row("d1", null, 7), row("d2", null, 1));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job =
        new GatedJob(
            List.of(Expectation.rowCount(1, 100), Expectation.notNull("day", "origin")),
            List.of(),
            r -> r);

    assertThatThrownBy(
            () -> executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString()))))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "failed (DATA_QUALITY): data-quality check(s) of stage 'load' failed: not null (day,"
                + " origin): 2 null(s) in origin. Nothing from it was published.");

    StageRecord load = stage(runIdOf(input), "load");
    assertThat(load.status()).isEqualTo(StageStatus.FAILED);
    assertThat(load.errorClass()).contains("DATA_QUALITY");
    assertThat(load.checks())
        .containsExactly(
            new CheckResult("row count in [1, 100]", true, "3 rows"),
            new CheckResult("not null (day, origin)", false, "2 null(s) in origin"));
    assertThat(tables.currentVersion(tables.location("loaded"))).isEqualTo(-1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void aKeyInTwoChunks_failsTheStageBeforeItsPublishingCommit_namingTheKeyAndBothChunks()
      throws Exception {
    Path input = parquet("chunks", row("d1", "SFO", 5), row("d2", "LAX", 7), row("d3", "SFO", 1));
    Path warehouse = Files.createTempDirectory(root, "w");
    ChunkedJob job = new ChunkedJob(Expectation.uniqueKey("origin"));
    Parameters parameters = Parameters.of(Map.of("input", input.toString()));

    assertThatThrownBy(() -> chunkPerUnit(warehouse).run(job, parameters))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "failed (DATA_QUALITY): data-quality check(s) of stage 'origins' failed: unique key"
                + " (origin): 1 key(s) occur more than once, in 2 rows; e.g. (SFO) in chunks 0"
                + " (d1) and 2 (d3). Nothing from it was published.");

    String runId = RunIdentity.of(job.name(), parameters).runId();
    assertThat(store.chunks(runId, "origins", 1)).hasSize(3);
    assertThat(stage(runId, "origins").checks())
        .containsExactly(
            new CheckResult(
                "unique key (origin)",
                false,
                "1 key(s) occur more than once, in 2 rows; e.g. (SFO) in chunks 0 (d1) and 2"
                    + " (d3)"));
    // Staged, never published: a reader sees no table at all, let alone SFO twice.
    assertThat(tables.currentVersion(tables.location("origins"))).isEqualTo(-1);
  }

  @Test
  void aChunkedStage_isCheckedAsAWhole_andRecordsTheChecksOfAllItsChunks() throws Exception {
    Path input = parquet("chunks", row("d1", "SFO", 5), row("d2", "LAX", 7), row("d3", "SEA", 1));
    Path warehouse = Files.createTempDirectory(root, "w");
    // Each chunk holds one row: checked alone, a count of exactly three would fail each of them.
    ChunkedJob job =
        new ChunkedJob(
            Expectation.notNull("origin"),
            Expectation.rowCount(3, 3),
            Expectation.uniqueKey("origin"),
            Expectation.countsBy("origin"));
    Parameters parameters = Parameters.of(Map.of("input", input.toString()));

    chunkPerUnit(warehouse).run(job, parameters);

    String runId = RunIdentity.of(job.name(), parameters).runId();
    assertThat(store.chunks(runId, "origins", 1)).hasSize(3);
    assertThat(stage(runId, "origins").checks())
        .containsExactly(
            new CheckResult("not null (origin)", true, "no nulls"),
            new CheckResult("row count in [3, 3]", true, "3 rows"),
            new CheckResult("unique key (origin)", true, "every key once"),
            new CheckResult("counts by origin", true, "LAX: 1; SEA: 1; SFO: 1"));
    assertThat(tables.read(tables.location("origins"), 0).count()).isEqualTo(3);
  }

  @Test
  void aFailedCheckThatOnlyWarns_isRecordedLoggedAndCounted_andTheStageCommits() throws Exception {
    Path input = parquet("warned", row("d1", "SFO", 5), row("d1", "LAX", 7), row("d2", null, 1));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job =
        new GatedJob(
            List.of(),
            List.of(Expectation.uniqueKey("day", "origin")),
            List.of(Expectation.notNull("origin"), Expectation.rowCount(10, 20)),
            r -> r.groupBy("day", "origin").count());
    List<String> metrics = new ArrayList<>();
    EmbeddedMetrics.Sink original = EmbeddedMetrics.routeTo(metrics::add);
    try {
      executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString())));
    } finally {
      EmbeddedMetrics.routeTo(original);
    }

    StageRecord report = stage(runIdOf(input), "report");
    assertThat(report.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(report.checks())
        .containsExactly(
            new CheckResult("unique key (day, origin)", true, "every key once", true),
            new CheckResult(
                "not null (origin)", false, "1 null(s) in origin", false, Severity.WARN),
            new CheckResult("row count in [10, 20]", false, "3 rows", false, Severity.WARN));
    assertThat(tables.read(tables.location("report"), report.outputVersion()).count()).isEqualTo(3);
    assertThat(metrics)
        .filteredOn(line -> line.contains("DataQualityWarnings"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("\"Stage\":\"report\"")
                    .contains("\"DataQualityWarnings\":2"));
  }

  @Test
  void passedGates_areRecordedOnTheCommittedStage() throws Exception {
    Path input = parquet("good", row("d1", "SFO", 5), row("d1", "LAX", 7), row("d2", "SFO", 1));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job =
        new GatedJob(
            List.of(Expectation.schema(FLIGHTS), Expectation.countsBy("origin")),
            List.of(
                Expectation.uniqueKey("day", "origin"),
                Expectation.references("origin", "load", "origin")),
            r -> r.groupBy("day", "origin").count());

    executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString())));

    String runId = runIdOf(input);
    assertThat(stage(runId, "load").checks())
        .containsExactly(
            new CheckResult("schema struct<day:string,origin:string,delay:int>", true, "matches"),
            new CheckResult("counts by origin", true, "SFO: 2; LAX: 1"));
    assertThat(stage(runId, "report").checks())
        .containsExactly(
            new CheckResult("unique key (day, origin)", true, "every key once", true),
            new CheckResult("origin references load.origin", true, "every value found", true));
    assertThat(stage(runId, "report").rowsWritten()).isEqualTo(3);
    StageMetrics metrics = stage(runId, "report").metrics();
    assertThat(metrics.recordsWritten()).isEqualTo(3);
    assertThat(metrics.recordsRead()).isPositive();
    assertThat(metrics.bytesWritten()).isPositive();
    assertThat(metrics.shuffleBytes()).isPositive();
    assertThat(metrics.failedTasks()).isZero();
    assertThat(stage(runId, "load").metrics().recordsWritten()).isEqualTo(3);
  }

  @Test
  void duplicateKeys_andOrphanReferences_areNamedWithExamples() throws Exception {
    Path input = parquet("dups", row("d1", "SFO", 5), row("d1", "SFO", 7));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job =
        new GatedJob(
            List.of(),
            List.of(
                Expectation.uniqueKey("day", "origin"),
                Expectation.references("origin", "load", "day"),
                Expectation.schema(new StructType().add("day", DataTypes.StringType))),
            r -> r);

    assertThatThrownBy(
            () -> executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString()))))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "unique key (day, origin): 1 key(s) occur more than once, in 2 rows; e.g. (d1, SFO,"
                + " 2)")
        .hasMessageContaining(
            "origin references load.day: 2 row(s) have a origin not found in load.day; e.g. (SFO)")
        .hasMessageContaining(
            "schema struct<day:string>: unexpected column origin STRING; unexpected column delay"
                + " INT");
    assertThat(tables.currentVersion(tables.location("report"))).isEqualTo(-1);
    assertThat(tables.currentVersion(tables.location("loaded"))).isZero();
  }

  @Test
  void aCheckOnAMissingColumn_failsNamingTheColumns() throws Exception {
    Path input = parquet("ok2", row("d1", "SFO", 5));
    Path warehouse = Files.createTempDirectory(root, "w");
    GatedJob job = new GatedJob(List.of(Expectation.notNull("dest")), List.of(), r -> r);

    assertThatThrownBy(
            () -> executor(warehouse).run(job, Parameters.of(Map.of("input", input.toString()))))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "not null (dest): column(s) dest not in the stage's rows (columns: day, origin,"
                + " delay); fix the expectation or the stage's compute");
  }
}
