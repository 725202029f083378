package dev.cairn.jobs.flights;

import static dev.cairn.jobs.flights.FlightsFixtures.day;
import static dev.cairn.jobs.flights.FlightsFixtures.row;
import static dev.cairn.jobs.flights.FlightsFixtures.spark;
import static dev.cairn.jobs.flights.FlightsFixtures.threeDays;
import static dev.cairn.jobs.flights.FlightsFixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.Chunk;
import dev.cairn.ChunkPlanner;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.internal.engine.ParameterResolver;
import dev.cairn.internal.engine.RunIdentity;
import dev.cairn.internal.input.Locations.PlainPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flights-daily job's declaration: parameters, stages, outputs, and its computes wired up. */
class FlightsDailyTest {
  private final FlightsDaily job = new FlightsDaily();

  private static Parameters params(String... keyValues) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("flights", "/data/flights.parquet");
    values.put("airports", "/data/airports.csv");
    for (int i = 0; i < keyValues.length; i += 2) {
      values.put(keyValues[i], keyValues[i + 1]);
    }
    return Parameters.of(values);
  }

  private Map<String, Stage> stages(Parameters parameters) {
    return job.stages(parameters).stream()
        .collect(
            Collectors.toMap(Stage::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
  }

  @Test
  void parameters_defaultToTheFetchedDataset_andDateIsOptional() {
    JobEnvironment env = new JobEnvironment(Path.of("/cache"));
    Map<String, Parameter> declared =
        job.parameters().stream().collect(Collectors.toMap(Parameter::name, Function.identity()));

    assertThat(declared).containsOnlyKeys("flights", "airports", "date");
    assertThat(declared.get("flights").defaultValue(env))
        .contains("/cache/vega-datasets-3.2.1/flights-3m.parquet");
    assertThat(declared.get("airports").defaultValue(env))
        .contains("/cache/vega-datasets-3.2.1/airports.csv");
    assertThat(declared.get("date").isRequired()).isFalse();
    assertThat(declared.get("date").defaultValue(env)).isEmpty();
  }

  @Test
  void theSameDailyCommand_isTheSameRun_forEveryUserAndNode_whereverTheirDataCacheLies(
      @TempDir Path dir) {
    Map<String, String> daily = Map.of("date", "2001-02-03");
    var alice =
        ParameterResolver.resolve(
            job, daily, new JobEnvironment(dir.resolve("alice")), PlainPaths.LOCAL);
    var node2 =
        ParameterResolver.resolve(
            job, daily, new JobEnvironment(dir.resolve("node2")), PlainPaths.LOCAL);

    assertThat(RunIdentity.of(job.name(), alice.identity()).runId())
        .isEqualTo(RunIdentity.of(job.name(), node2.identity()).runId());
    assertThat(alice.identity().get("flights"))
        .isEqualTo(
            "content:sha256:"
                + FlightsDaily.FLIGHTS_SHA256
                + " (vega-datasets@3.2.1/data/flights-3m.parquet)");
    assertThat(node2.values().require("airports"))
        .endsWith("/node2/vega-datasets-3.2.1/airports.csv");
  }

  @Test
  void theChecksumsNamingTheDefaults_areThoseTheFetcherVerifies() throws Exception {
    String fetcher = Files.readString(Path.of("..", "src", "bin", "fetch-datasets"));

    assertThat(fetcher)
        .contains("readonly FILES=(flights-3m.parquet airports.csv)")
        .contains(
            "readonly FILE_SHA256=(\n  "
                + FlightsDaily.FLIGHTS_SHA256
                + "\n  "
                + FlightsDaily.AIRPORTS_SHA256
                + "\n)");
  }

  @Test
  void stages_ofAnInvalidDate_isAUsageError_namingTheParameterAndTheFormat() {
    assertThatThrownBy(() -> job.stages(params("date", "2001-13-45")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "parameter 'date'='2001-13-45' is not a date in the form YYYY-MM-DD. Fix: e.g. -p"
                + " date=2001-01-31");
  }

  @Test
  void stages_withoutTheFlightsPath_isAUsageError_sayingHowToGiveIt() {
    assertThatThrownBy(() -> job.stages(Parameters.of(Map.of("airports", "/a.csv"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "parameter 'flights' is missing. Fix: give it on the command line: -p"
                + " flights=<value>");
  }

  @Test
  void stages_areWiredFromInputsToTheDailySummary() {
    Map<String, Stage> stages = stages(params());

    assertThat(stages.keySet())
        .containsExactly(
            "clean", "rejects", "enrich", "airport_daily", "route_daily", "daily_summary");
    assertThat(stages.get("clean").dependencies()).isEmpty();
    assertThat(stages.get("rejects").dependencies()).isEmpty();
    assertThat(stages.get("enrich").dependencies()).containsExactly("clean");
    assertThat(stages.get("airport_daily").dependencies()).containsExactly("enrich");
    assertThat(stages.get("route_daily").dependencies()).containsExactly("enrich");
    assertThat(stages.get("daily_summary").dependencies())
        .containsExactlyInAnyOrder("airport_daily", "route_daily");
    // Both readers of the flights declare them, so they read one plan made at the run's start.
    for (String reader : List.of("clean", "rejects")) {
      assertThat(stages.get(reader).inputs())
          .containsExactly(dev.cairn.Input.files("flights"), dev.cairn.Input.files("airports"));
    }
    assertThat(stages.get("enrich").inputs()).containsExactly(dev.cairn.Input.files("airports"));
  }

  @Test
  void dailyRun_replacesOnlyItsDaysPartitions_appendsRejects_andMergesRoutes() {
    Map<String, Stage> stages = stages(params("date", "2001-01-05"));
    String predicate = "flight_date = DATE'2001-01-05'";

    for (String name : List.of("clean", "enrich", "airport_daily")) {
      Output output = stages.get(name).output();
      assertThat(output.mode()).as(name).isEqualTo(Output.Mode.REPLACE_WHERE);
      assertThat(output.replaceWherePredicate()).as(name).contains(predicate);
      assertThat(output.partitionColumns()).as(name).containsExactly("flight_date");
    }
    assertThat(stages.get("clean").output().table()).isEqualTo("flights_clean");
    assertThat(stages.get("daily_summary").output().mode()).isEqualTo(Output.Mode.REPLACE_WHERE);
    assertThat(stages.get("daily_summary").output().replaceWherePredicate()).contains(predicate);
    assertThat(stages.get("rejects").output().mode()).isEqualTo(Output.Mode.APPEND);
    Output routes = stages.get("route_daily").output();
    assertThat(routes.table()).isEqualTo("route_daily_stats");
    assertThat(routes.mode()).isEqualTo(Output.Mode.MERGE);
    assertThat(routes.mergeKeys()).containsExactly("flight_date", "origin", "destination");
  }

  @Test
  void fullRun_overwritesItsTables_exceptRoutesWhichAreAlwaysMerged() {
    Map<String, Stage> stages = stages(params());

    for (String name : List.of("clean", "rejects", "enrich", "airport_daily", "daily_summary")) {
      assertThat(stages.get(name).output().mode()).as(name).isEqualTo(Output.Mode.OVERWRITE);
      assertThat(stages.get(name).output().replaceWherePredicate()).as(name).isEmpty();
    }
    assertThat(stages.get("route_daily").output().mode()).isEqualTo(Output.Mode.MERGE);
  }

  @Test
  void enrich_isTheChunkedStage_andOnlyIt() {
    Map<String, Stage> stages = stages(params());

    assertThat(stages.values().stream().filter(s -> s.chunks().isPresent()).map(Stage::name))
        .containsExactly("enrich");
  }

  @Test
  void requireInput_ofAMissingPath_namesThePathAndTheParameter_andHowToFixIt(@TempDir Path dir) {
    String missing = dir.resolve("nope.parquet").toString();

    assertThatThrownBy(() -> FlightsDaily.requireInput(spark(), missing, "flights"))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "input '"
                + missing
                + "' (parameter 'flights') does not exist. Fix: run ./cairn (which fetches the"
                + " dataset) or give -p flights=<path>");
    assertThatThrownBy(() -> FlightsDaily.requireInput(spark(), missing, "extra"))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "input '"
                + missing
                + "' (parameter 'extra') does not exist. Fix: give -p extra=<path>");
  }

  @Test
  void requireInput_ofAnExistingPath_returnsIt(@TempDir Path dir) throws Exception {
    Path present = Files.writeString(dir.resolve("airports.csv"), "iata\n");

    assertThat(FlightsDaily.requireInput(spark(), present.toString(), "airports"))
        .isEqualTo(present.toString());
  }

  @Test
  void dailyRun_computesOnlyItsDay_evenWhenUpstreamTablesHoldEveryDay(@TempDir Path dir)
      throws Exception {
    String flights = dir.resolve("flights.parquet").toString();
    threeDays().write().parquet(flights);
    Path airports =
        Files.writeString(
            dir.resolve("airports.csv"),
            "iata,name,city,state,country,latitude,longitude\n"
                + "BOS,Logan International,Boston,MA,USA,42.36,-71.01\n"
                + "JFK,John F Kennedy Intl,New York,NY,USA,40.64,-73.78\n");
    Parameters parameters =
        Parameters.of(
            Map.of("flights", flights, "airports", airports.toString(), "date", "2001-01-06"));
    Map<String, Stage> stages = stages(parameters);
    Map<String, Dataset<Row>> tables = new HashMap<>();
    for (String name : List.of("clean", "rejects", "enrich", "airport_daily", "route_daily")) {
      tables.put(name, compute(stages.get(name), parameters, tables));
    }
    // The real airport_daily and route_daily tables keep every day: give the summary other days
    // too.
    Dataset<Row> allDays =
        FlightsTransforms.enrich(FlightsTransforms.clean(threeDays()), FlightsFixtures.airports());
    tables.put("airport_daily", FlightsTransforms.airportDaily(allDays));
    tables.put("route_daily", FlightsTransforms.routeDaily(allDays));

    Dataset<Row> summary = compute(stages.get("daily_summary"), parameters, tables);

    assertThat(values(tables.get("clean").select("flight_date").distinct()))
        .containsExactly(row(day("2001-01-06")));
    assertThat(tables.get("clean").count()).isEqualTo(6);
    assertThat(tables.get("rejects").count()).isZero();
    assertThat(values(tables.get("enrich").select("origin_city").distinct().orderBy("origin_city")))
        .containsExactly(row("Boston"), row("New York"));
    assertThat(values(summary.select("flight_date", "flights", "busiest_airport", "worst_route")))
        .containsExactly(row(day("2001-01-06"), 6L, "BOS", "JFK-BOS"));
  }

  /**
   * Runs a stage's compute as the runtime would, its inputs being the tables given; a chunked
   * stage's units are grouped two by two.
   */
  private static Dataset<Row> compute(
      Stage stage, Parameters parameters, Map<String, Dataset<Row>> tables) {
    TablesContext planning = new TablesContext(stage, parameters, tables, Optional.empty());
    if (stage.chunks().isEmpty()) {
      return stage.compute().rows(planning);
    }
    Dataset<Row> all = null;
    java.util.List<String> units =
        stage.chunks().get().units(planning).stream().map(ChunkPlanner.Unit::key).toList();
    int count = (units.size() + 1) / 2;
    for (int i = 0; i < count; i++) {
      Chunk chunk = new Chunk(i, count, units.subList(2 * i, Math.min(units.size(), 2 * i + 2)));
      Dataset<Row> rows =
          stage.compute().rows(new TablesContext(stage, parameters, tables, Optional.of(chunk)));
      all = all == null ? rows : all.unionByName(rows);
    }
    return all;
  }

  /** A stage context whose inputs are in-memory tables instead of Delta tables. */
  private record TablesContext(
      Stage stage, Parameters parameters, Map<String, Dataset<Row>> tables, Optional<Chunk> chunk)
      implements StageContext {
    @Override
    public SparkSession spark() {
      return FlightsFixtures.spark();
    }

    @Override
    public Dataset<Row> input(String name) {
      if (!stage.dependencies().contains(name)) {
        throw new IllegalArgumentException(
            "stage '" + stage.name() + "' does not depend on '" + name + "'");
      }
      return tables.get(name);
    }

    @Override
    public java.util.List<String> files(String parameterOrPath) {
      return java.util.List.of(parameters.optional(parameterOrPath).orElse(parameterOrPath));
    }
  }
}
