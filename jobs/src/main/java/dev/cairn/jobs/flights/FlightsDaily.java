package dev.cairn.jobs.flights;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.cairn.CairnException;
import dev.cairn.CairnJob;
import dev.cairn.Expectation;
import dev.cairn.Input;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * US flights of 2001 (vega-datasets) cleaned, enriched with airports, and summarised per airport,
 * route and day.
 *
 * <p>Parameters: {@code flights} (Parquet: date, delay, distance, origin, destination) and {@code
 * airports} (CSV: iata, name, city, state, country, latitude, longitude), defaulting to the fetched
 * dataset; optional {@code date=YYYY-MM-DD} makes it a daily run that reads only that day's flights
 * (rows without a date belong to no day and are counted only by a full run), reads upstream tables
 * for that day alone and replaces only that day's partitions. Without it one run covers every day
 * and overwrites the tables. {@code route_daily} always merges on its keys.
 *
 * <p>Stages: {@code clean} and {@code rejects} (the quarantine: malformed rows and rows naming an
 * airport not in the airports file, with the reason) read the input; {@code enrich} joins airports
 * (broadcast), in chunks of days sized by the runtime; {@code airport_daily} and {@code
 * route_daily} (merged on its keys) aggregate; {@code daily_summary} publishes one row per day.
 */
public final class FlightsDaily extends CairnJob {
  static final String DATASET_DIR = "vega-datasets-3.2.1";

  /** The files' pinned hashes, as {@code src/bin/fetch-datasets} checks them before caching. */
  static final String FLIGHTS_SHA256 =
      "dbeb920c90f59b6ccaff823dcc3d08f25a97fa1ce128d93f40be4e931f5900b0";

  static final String AIRPORTS_SHA256 =
      "903c7169e6d558eefb95295fe2947ec8503135fbb855ea5c737cf4a90ea603ad";

  @Override
  public String name() {
    return "flights-daily";
  }

  @Override
  public String description() {
    return "US flights of 2001: cleaned, enriched, per-airport, per-route and daily delay"
        + " statistics";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        Parameter.location(
            "flights",
            "Parquet file or directory of flights (date, delay, distance, origin, destination)",
            env -> fetched(env, "flights-3m.parquet", FLIGHTS_SHA256)),
        Parameter.location(
            "airports",
            "CSV of airports (iata, name, city, state, country, latitude, longitude)",
            env -> fetched(env, "airports.csv", AIRPORTS_SHA256)),
        Parameter.optional(
            "date", "YYYY-MM-DD: process only this day and replace only its partitions"));
  }

  /**
   * A dataset file in the data cache, named by its content: the same command is the same run on
   * every host, wherever its cache lies.
   */
  private static Parameter.Fetched fetched(JobEnvironment env, String file, String sha256) {
    return new Parameter.Fetched(
        env.dataCache().resolve(DATASET_DIR).resolve(file).toString(),
        "sha256:" + sha256 + " (vega-datasets@3.2.1/data/" + file + ")");
  }

  @Override
  public List<Stage> stages(Parameters parameters) {
    String flights = parameters.require("flights");
    String airports = parameters.require("airports");
    Optional<LocalDate> day = parameters.optional("date").map(FlightsDaily::parseDate);
    // enrich's chunks join the same small airports table: read it once per driver.
    AtomicReference<Dataset<Row>> enrichAirports = new AtomicReference<>();

    return List.of(
        Stage.named("clean")
            .reads(Input.files("flights"), Input.files("airports"))
            .output(replace(Output.table("flights_clean").partitionedBy("flight_date"), day))
            .compute(
                ctx ->
                    FlightsTransforms.clean(
                        FlightsTransforms.readFlights(
                            ctx.spark(), flights, plannedFlights(ctx, flights), day),
                        airports(ctx, airports))),
        // The quarantine: every row clean leaves out, with its reason; counts per reason are
        // recorded in the stage's checkpoint.
        Stage.named("rejects")
            .reads(Input.files("flights"), Input.files("airports"))
            .output(rejectsOutput(day))
            .expect(Expectation.countsBy("reason"))
            .compute(
                ctx ->
                    FlightsTransforms.rejects(
                        FlightsTransforms.readFlights(
                            ctx.spark(), flights, plannedFlights(ctx, flights), day),
                        airports(ctx, airports))),
        // The heavy stage, in chunks of days the runtime sizes: a kill mid-stage loses one chunk.
        Stage.named("enrich")
            .dependsOn("clean")
            .reads(Input.files("airports"))
            .output(replace(Output.table("flights_enriched").partitionedBy("flight_date"), day))
            .chunked(ctx -> FlightsChunks.days(ctx, day))
            .compute(
                ctx ->
                    FlightsTransforms.enrich(
                        FlightsChunks.in(onDay(ctx.input("clean"), day), ctx.chunk().orElseThrow()),
                        enrichAirports.updateAndGet(
                            read -> read != null ? read : airports(ctx, airports)))),
        Stage.named("airport_daily")
            .dependsOn("enrich")
            .output(replace(Output.table("airport_daily_delays").partitionedBy("flight_date"), day))
            .expect(
                Expectation.notNull("flight_date", "origin", "departures"),
                Expectation.uniqueKey("flight_date", "origin"))
            .compute(ctx -> FlightsTransforms.airportDaily(onDay(ctx.input("enrich"), day))),
        Stage.named("route_daily")
            .dependsOn("enrich")
            .output(
                Output.table("route_daily_stats")
                    .partitionedBy("flight_date")
                    .mergeOn("flight_date", "origin", "destination"))
            // MERGE needs one source row per key, or Delta refuses the whole write.
            .expect(Expectation.uniqueKey("flight_date", "origin", "destination"))
            .compute(ctx -> FlightsTransforms.routeDaily(onDay(ctx.input("enrich"), day))),
        Stage.named("daily_summary")
            .dependsOn("airport_daily", "route_daily")
            .output(replace(Output.table("daily_summary"), day))
            .expect(
                Expectation.uniqueKey("flight_date"),
                // A row per day: one for a day's run; for the whole input at least one, and at
                // most a century of days (the data replicated by `cairn bench --scale` spans
                // years).
                Expectation.rowCount(1, day.isPresent() ? 1 : 36_525),
                Expectation.references("busiest_airport", "airport_daily", "origin"))
            .compute(
                ctx ->
                    FlightsTransforms.dailySummary(
                        onDay(ctx.input("airport_daily"), day),
                        onDay(ctx.input("route_daily"), day))));
  }

  private static Output replace(Output output, Optional<LocalDate> day) {
    return day.map(d -> output.replaceWhere("flight_date = DATE'" + d + "'")).orElse(output);
  }

  /** The rows of one day of a table holding every day (a daily run reads only its own). */
  private static Dataset<Row> onDay(Dataset<Row> table, Optional<LocalDate> day) {
    return day.map(d -> table.where(col("flight_date").equalTo(lit(java.sql.Date.valueOf(d)))))
        .orElse(table);
  }

  private static Output rejectsOutput(Optional<LocalDate> day) {
    // Rejected rows may have no usable date, so a daily run appends them under its own run's
    // transaction id instead of replacing a partition.
    return day.isPresent()
        ? Output.table("flights_rejected").append()
        : Output.table("flights_rejected");
  }

  private static LocalDate parseDate(String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidParameterException(
          "parameter 'date'='" + value + "' is not a date in the form YYYY-MM-DD",
          "e.g. -p date=2001-01-31");
    }
  }

  /**
   * The flights files, planned once for the run ({@link StageContext#files} of a declared input):
   * {@code clean} and {@code rejects} and every resumed attempt read the same files, even if files
   * arrived meanwhile.
   */
  private static List<String> plannedFlights(StageContext ctx, String flights) {
    requireInput(ctx.spark(), flights, "flights");
    return ctx.files("flights");
  }

  /**
   * The airports, from their files planned once for the run like the flights' (a resumed attempt
   * joins what the first one did, or fails naming the file that changed), one row per code, held on
   * the driver.
   */
  private static Dataset<Row> airports(StageContext ctx, String airports) {
    requireInput(ctx.spark(), airports, "airports");
    return FlightsTransforms.airportsOnDriver(ctx.spark(), airports, ctx.files("airports"));
  }

  /** Fails with the parameter's name and the fix when an input path does not exist. */
  static String requireInput(SparkSession spark, String path, String parameter) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new InvalidParameterException(
            "input '" + path + "' (parameter '" + parameter + "') does not exist",
            parameter.equals("flights") || parameter.equals("airports")
                ? "run ./cairn (which fetches the dataset) or give -p " + parameter + "=<path>"
                : "give -p " + parameter + "=<path>");
      }
      return path;
    } catch (IOException e) {
      throw new CairnException(
          "cannot check input '"
              + path
              + "' (parameter '"
              + parameter
              + "'): "
              + e.getMessage()
              + ". Fix: check that its file system is reachable and readable, then `cairn resume`",
          e);
    }
  }
}
