package dev.cairn.internal.engine;

import static dev.cairn.internal.engine.RunExecutorTest.killAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnJob;
import dev.cairn.Input;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.engine.FaultPoints.Window;
import dev.cairn.internal.engine.RunExecutorTest.Killed;
import dev.cairn.internal.input.InputPlanner;
import dev.cairn.internal.input.LogStoreManifests;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.testing.CapturedLog;
import dev.cairn.testing.InMemoryCheckpointStore;
import dev.cairn.testing.MutableClock;
import java.io.FileNotFoundException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run reads one snapshot of its declared inputs, on real Spark and Delta: files that arrive while
 * it runs are read by no stage, and a Delta-table input is read at the version pinned at the run's
 * start by every stage and every later driver; a rerun re-plans.
 */
class RunInputsTest {
  private static final StructType ROWS =
      new StructType().add("id", DataTypes.IntegerType).add("what", DataTypes.StringType);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static SparkSession spark;
  private static Path root;

  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  private final MutableClock clock = new MutableClock(T0);

  @BeforeAll
  static void startSpark() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "run-inputs-test");
    root = Files.createTempDirectory("cairn-inputs-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /**
   * Two stages reading one input, neither depending on the other (like flights-daily's {@code
   * clean} and {@code rejects}); {@code duringFirst} runs while the first computes.
   */
  private static final class TwoReadersJob extends CairnJob {
    private final Input input;
    private final Consumer<StageContext> duringFirst;

    TwoReadersJob(Input input, Consumer<StageContext> duringFirst) {
      this.input = input;
      this.duringFirst = duringFirst;
    }

    @Override
    public String name() {
      return "two-readers";
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(Parameter.required("source", "the input"));
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      return List.of(
          Stage.named("first")
              .reads(input)
              .output(Output.table("first"))
              .compute(
                  ctx -> {
                    Dataset<Row> rows = read(ctx);
                    duringFirst.accept(ctx);
                    return rows;
                  }),
          Stage.named("second").reads(input).output(Output.table("second")).compute(this::read));
    }

    private Dataset<Row> read(StageContext ctx) {
      return input.kind() == Input.Kind.FILES
          ? ctx.spark().read().parquet(ctx.files("source").toArray(String[]::new))
          : ctx.table("source");
    }
  }

  private RunExecutor driver(Path warehouse, String holder, FaultPoints faults) {
    return new RunExecutor(
        RunServices.builder(
                store,
                new DeltaTableStore(() -> spark, warehouse.toString()),
                () -> spark,
                clock,
                new LeaseHolder(holder, "test-host", 999_999_999L, T0, LeaseHolder.thisMachine()),
                new RunExecutor.Settings(
                    Duration.ofMinutes(10), Duration.ZERO, "test-host", "test"))
            .faults(faults)
            .sleeper(d -> {})
            .build());
  }

  private static void writeParquet(Path dir, String file, Row... rows) {
    Path written = root.resolve("parts-" + System.nanoTime());
    spark.createDataFrame(List.of(rows), ROWS).coalesce(1).write().parquet(written.toString());
    try (var parts = Files.list(written)) {
      Path part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.createDirectories(dir);
      Files.copy(part, dir.resolve(file));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> rows(Path warehouse, String table) {
    return spark
        .read()
        .format("delta")
        .load(warehouse.resolve(table).toString())
        .orderBy("id")
        .collectAsList()
        .stream()
        .map(Row::toString)
        .toList();
  }

  @Test
  void aFileArrivingWhileTheRunRuns_isReadByNoStage_andTheLogNamesIt() throws Exception {
    Path input = root.resolve("arrivals");
    Path warehouse = root.resolve("warehouse-arrivals");
    writeParquet(input, "part-0.parquet", RowFactory.create(1, "a"), RowFactory.create(2, "b"));
    Path late = input.resolve("part-9-late.parquet");
    TwoReadersJob job =
        new TwoReadersJob(
            Input.files("source"),
            ctx -> writeParquet(input, late.getFileName().toString(), RowFactory.create(3, "bad")));

    try (CapturedLog log = CapturedLog.of(InputPlanner.class)) {
      var outcome =
          driver(warehouse, "d1", FaultPoints.NONE)
              .run(job, Parameters.of(Map.of("source", input.toString())));

      assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(rows(warehouse, "first")).containsExactly("[1,a]", "[2,b]");
      assertThat(rows(warehouse, "second"))
          .as("planned once for the run, before the file arrived")
          .containsExactly("[1,a]", "[2,b]");
      assertThat(log.at(Level.INFO))
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith(
                          "Input source of stage second: 1 files arrived after the run planned"
                              + " it at ")
                      .endsWith("and are not read by this run: [file:" + late + "]"));
    }
  }

  @Test
  void aDeltaTableInput_isReadAtTheVersionPinnedAtTheRunsStart_byAResumedDriver_untilARerun()
      throws Exception {
    Path source = root.resolve("source-table");
    Path warehouse = root.resolve("warehouse-pinned");
    spark
        .createDataFrame(List.of(RowFactory.create(1, "a"), RowFactory.create(2, "b")), ROWS)
        .write()
        .format("delta")
        .save(source.toString());
    TwoReadersJob job = new TwoReadersJob(Input.deltaTable("source"), ctx -> {});
    Parameters parameters = Parameters.of(Map.of("source", source.toString()));

    assertThatThrownBy(
            () ->
                driver(warehouse, "d1", killAt("second", Window.AFTER_START)).run(job, parameters))
        .isInstanceOf(Killed.class);
    spark
        .createDataFrame(List.of(RowFactory.create(3, "committed after the kill")), ROWS)
        .write()
        .format("delta")
        .mode(SaveMode.Append)
        .save(source.toString());
    clock.advance(Duration.ofMinutes(11)); // the killed driver's lease expires
    var resumed =
        driver(warehouse, "d2", FaultPoints.NONE)
            .resume(job, store.findRun(runId(job, parameters)).orElseThrow());

    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.executed()).containsExactly("second");
    assertThat(rows(warehouse, "first")).containsExactly("[1,a]", "[2,b]");
    assertThat(rows(warehouse, "second"))
        .as("the resumed stage reads the pinned version 0, not version 1")
        .containsExactly("[1,a]", "[2,b]");
    assertThat(
            store
                .findPlan(runId(job, parameters), InputPlan.RUN_SCOPE, "source", 0)
                .orElseThrow()
                .tableVersion())
        .isZero();

    var rerun = rerunFrom(job, parameters, warehouse, "d3", "second", new ArrayList<>());
    assertThat(rerun.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(rows(warehouse, "second"))
        .as("a rerun re-pins the inputs of the stages it reruns")
        .containsExactly("[1,a]", "[2,b]", "[3,committed after the kill]");
    assertThat(rows(warehouse, "first")).containsExactly("[1,a]", "[2,b]");
  }

  @Test
  void aRerun_replansTheInputsOfTheStagesItReruns_andOfThoseNotCommittedYet() throws Exception {
    Path input = root.resolve("replanned");
    Path warehouse = root.resolve("warehouse-replanned");
    writeParquet(input, "part-0.parquet", RowFactory.create(1, "a"));
    TwoReadersJob job = new TwoReadersJob(Input.files("source"), ctx -> {});
    Parameters parameters = Parameters.of(Map.of("source", input.toString()));
    assertThatThrownBy(
            () -> driver(warehouse, "d1", killAt("first", Window.AFTER_START)).run(job, parameters))
        .isInstanceOf(Killed.class);
    writeParquet(input, "part-1.parquet", RowFactory.create(2, "fixed"));
    clock.advance(Duration.ofMinutes(11));
    List<RerunPlan> recorded = new ArrayList<>();

    var rerun = rerunFrom(job, parameters, warehouse, "d2", "first", recorded);

    assertThat(recorded)
        .singleElement()
        .satisfies(
            plan -> assertThat(plan.unfinished()).extracting("stage").containsExactly("second"));
    assertThat(rerun.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(rows(warehouse, "first")).containsExactly("[1,a]", "[2,fixed]");
    assertThat(rows(warehouse, "second"))
        .as("never committed, so it reads the rerun's snapshot, as first does")
        .containsExactly("[1,a]", "[2,fixed]");
  }

  @Test
  void anUndeclaredTableInput_failsTheStageNamingTheDeclarationToAdd() {
    CairnJob job =
        new CairnJob() {
          @Override
          public String name() {
            return "undeclared";
          }

          @Override
          public List<Parameter> parameters() {
            return List.of();
          }

          @Override
          public List<Stage> stages(Parameters parameters) {
            return List.of(
                Stage.named("s").output(Output.table("t")).compute(ctx -> ctx.table("customers")));
          }
        };

    assertThatThrownBy(
            () ->
                driver(root.resolve("warehouse-undeclared"), "d1", FaultPoints.NONE)
                    .run(job, Parameters.of(Map.of())))
        .isInstanceOf(dev.cairn.StageFailedException.class)
        .hasMessageContaining(
            "stage 's' reads table input 'customers' but does not declare it. Fix: add"
                + " .reads(Input.deltaTable(\"customers\")) to its definition");
  }

  @Test
  void manifests_areCreatedOnlyIfAbsent_andReadBackWhole_underAWarehouseGivenAsAPlainPath()
      throws Exception {
    LogStoreManifests manifests =
        new LogStoreManifests(() -> spark, root.resolve("manifests").toString());

    String location = manifests.create("run-1", "abc.jsonl", List.of("{\"a\":1}", "{\"b\":2}"));

    assertThat(location).isEqualTo("file:" + root.resolve("manifests/run-1/abc.jsonl"));

    assertThat(manifests.read(location)).containsExactly("{\"a\":1}", "{\"b\":2}");
    assertThatThrownBy(() -> manifests.create("run-1", "abc.jsonl", List.of("other")))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessage(location);
    assertThat(manifests.read(location))
        .as("never replaced")
        .containsExactly("{\"a\":1}", "{\"b\":2}");
    assertThatThrownBy(() -> manifests.read(location + ".missing"))
        .isInstanceOf(FileNotFoundException.class);
  }

  /** {@code cairn rerun <run> --from <from>} by driver {@code holder}; tells {@code recorded}. */
  private RunOutcome rerunFrom(
      CairnJob job,
      Parameters parameters,
      Path warehouse,
      String holder,
      String from,
      List<RerunPlan> recorded) {
    return driver(warehouse, holder, FaultPoints.NONE)
        .rerun(
            job,
            RerunPlan.of(
                job,
                store.findRun(runId(job, parameters)).orElseThrow(),
                store.stages(runId(job, parameters)),
                from,
                Map.of(),
                RerunPlan.Tables.checkpointsOnly(
                    new DeltaTableStore(() -> spark, warehouse.toString())::location)),
            Map.of(),
            "operator@host",
            recorded::add);
  }

  private static String runId(CairnJob job, Parameters parameters) {
    return RunIdentity.of(job.name(), parameters).runId();
  }
}
