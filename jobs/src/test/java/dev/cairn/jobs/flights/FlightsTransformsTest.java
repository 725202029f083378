package dev.cairn.jobs.flights;

import static dev.cairn.jobs.flights.FlightsFixtures.airports;
import static dev.cairn.jobs.flights.FlightsFixtures.day;
import static dev.cairn.jobs.flights.FlightsFixtures.flight;
import static dev.cairn.jobs.flights.FlightsFixtures.flights;
import static dev.cairn.jobs.flights.FlightsFixtures.row;
import static dev.cairn.jobs.flights.FlightsFixtures.spark;
import static dev.cairn.jobs.flights.FlightsFixtures.threeDays;
import static dev.cairn.jobs.flights.FlightsFixtures.threeDaysRows;
import static dev.cairn.jobs.flights.FlightsFixtures.values;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.cairn.Expectation;
import dev.cairn.internal.quality.WriteGate;
import dev.cairn.internal.store.CheckResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flights transformations on tiny in-memory tables whose every statistic is known by hand. */
class FlightsTransformsTest {

  /** Three valid rows (one needing trimming and upper-casing) and one row per way to be invalid. */
  private static Dataset<Row> mixed() {
    return flights(
        flight("2001-01-05T08:30:00", 10, 500, " sfo", "lax "),
        flight("2001-01-05T23:59:59", -3, 300, "Lax", "SFO"),
        flight("2001-01-06T00:00:00", 20, 100, "SFO", "SEA"),
        flight(null, 1, 101, "SFO", "LAX"),
        flight("2001-01-05T01:00:00", 2, 102, null, "LAX"),
        flight("2001-01-05T01:00:00", 3, 103, "SF", "LAX"),
        flight("2001-01-05T01:00:00", 4, 104, "SFOX", "LAX"),
        flight("2001-01-05T01:00:00", 5, 105, "SFO", "L-X"),
        flight("2001-01-05T01:00:00", 6, 106, "SFO", null),
        flight("2001-01-05T01:00:00", null, 107, "SFO", "LAX"),
        flight("2001-01-05T01:00:00", 8, 0, "SFO", "LAX"),
        flight("2001-01-05T01:00:00", 9, -5, "SFO", "LAX"),
        flight("2001-01-05T01:00:00", 10, null, "SFO", "LAX"),
        flight("2001-01-05T01:00:00", null, 0, null, "LAX"));
  }

  @Test
  void clean_keepsValidRows_typed_withTheDayOfTheDepartureAndNormalisedCodes() {
    Dataset<Row> clean = FlightsTransforms.clean(mixed());

    assertThat(clean.schema().fields())
        .extracting(StructField::name, StructField::dataType)
        .containsExactly(
            tuple("flight_date", DataTypes.DateType),
            tuple("departure", DataTypes.TimestampNTZType),
            tuple("origin", DataTypes.StringType),
            tuple("destination", DataTypes.StringType),
            tuple("delay", DataTypes.IntegerType),
            tuple("distance", DataTypes.IntegerType));
    assertThat(values(clean.orderBy("departure")))
        .containsExactly(
            row(day("2001-01-05"), LocalDateTime.parse("2001-01-05T08:30"), "SFO", "LAX", 10, 500),
            row(
                day("2001-01-05"),
                LocalDateTime.parse("2001-01-05T23:59:59"),
                "LAX",
                "SFO",
                -3,
                300),
            row(day("2001-01-06"), LocalDateTime.parse("2001-01-06T00:00"), "SFO", "SEA", 20, 100));
  }

  @Test
  void rejects_areExactlyTheDroppedRows_eachWithItsFirstReason() {
    Dataset<Row> rejects = FlightsTransforms.rejects(mixed());

    assertThat(rejects.columns())
        .containsExactly("date", "origin", "destination", "delay", "distance", "reason");
    String origin = "origin is not a 3-character airport code";
    String destination = "destination is not a 3-character airport code";
    assertThat(values(rejects))
        .containsExactlyInAnyOrder(
            row(null, "SFO", "LAX", "1", "101", "date is null"),
            row("2001-01-05 01:00:00", null, "LAX", "2", "102", origin),
            row("2001-01-05 01:00:00", "SF", "LAX", "3", "103", origin),
            row("2001-01-05 01:00:00", "SFOX", "LAX", "4", "104", origin),
            row("2001-01-05 01:00:00", "SFO", "L-X", "5", "105", destination),
            row("2001-01-05 01:00:00", "SFO", null, "6", "106", destination),
            row("2001-01-05 01:00:00", "SFO", "LAX", null, "107", "delay is null"),
            row("2001-01-05 01:00:00", "SFO", "LAX", "8", "0", "distance is not positive"),
            row("2001-01-05 01:00:00", "SFO", "LAX", "9", "-5", "distance is not positive"),
            row("2001-01-05 01:00:00", "SFO", "LAX", "10", null, "distance is not positive"),
            row("2001-01-05 01:00:00", null, "LAX", null, "0", origin));
  }

  @Test
  void numbersTooBigForTheCleanTable_areRejectedWithTheirReason_notAFailedRun() {
    LocalDateTime at = LocalDateTime.parse("2001-01-05T01:00:00");
    Dataset<Row> raw =
        flights(
            RowFactory.create(at, 3_000_000_000L, 100L, "SFO", "LAX"),
            RowFactory.create(at, -3_000_000_000L, 100L, "SFO", "LAX"),
            RowFactory.create(at, 5L, 3_000_000_000L, "SFO", "LAX"),
            flight("2001-01-05T02:00:00", 7, 200, "SFO", "LAX"));

    assertThat(values(FlightsTransforms.rejects(raw)))
        .containsExactlyInAnyOrder(
            row("2001-01-05 01:00:00", "SFO", "LAX", "3000000000", "100", "delay is out of range"),
            row("2001-01-05 01:00:00", "SFO", "LAX", "-3000000000", "100", "delay is out of range"),
            row(
                "2001-01-05 01:00:00",
                "SFO",
                "LAX",
                "5",
                "3000000000",
                "distance is out of range"));
    assertThat(values(FlightsTransforms.clean(raw).select("delay", "distance")))
        .containsExactly(row(7, 200));
  }

  @Test
  void cleanAndRejects_partitionTheInput() {
    Dataset<Row> raw = mixed();

    assertThat(FlightsTransforms.clean(raw).count() + FlightsTransforms.rejects(raw).count())
        .isEqualTo(raw.count())
        .isEqualTo(14);
  }

  @Test
  void enrich_addsAirportPlacesAndRoute_keepingFlightsOfUnknownAirports() {
    Dataset<Row> enriched =
        FlightsTransforms.enrich(FlightsTransforms.clean(threeDays()), airports());

    assertThat(enriched.count()).isEqualTo(14);
    assertThat(enriched.columns())
        .contains("origin_name", "origin_city", "origin_state", "dest_city", "dest_state", "route")
        .doesNotContain("o_iata", "d_iata");
    assertThat(
            values(
                enriched
                    .where(col("route").isin("SFO-SEA", "ORD-SFO"))
                    .select(
                        "route",
                        "origin_name",
                        "origin_city",
                        "origin_state",
                        "dest_city",
                        "dest_state")
                    .orderBy("route")))
        .containsExactly(
            row("ORD-SFO", null, null, null, "San Francisco", "CA"),
            row("SFO-SEA", "San Francisco International", "San Francisco", "CA", null, null));
    assertThat(values(enriched.select("route").distinct().orderBy("route")))
        .containsExactly(
            row("BOS-JFK"),
            row("JFK-BOS"),
            row("LAX-SFO"),
            row("ORD-SFO"),
            row("SFO-LAX"),
            row("SFO-SEA"));
  }

  @Test
  void airportDaily_countsDepartures_delaysOver15_andRoundsAverages() {
    Dataset<Row> daily = FlightsTransforms.airportDaily(enriched());

    assertThat(
            values(
                daily
                    .select(
                        "flight_date",
                        "origin",
                        "origin_city",
                        "departures",
                        "delayed_15",
                        "total_delay",
                        "max_delay",
                        "total_distance",
                        "avg_delay",
                        "on_time_pct")
                    .orderBy("flight_date", "origin")))
        .containsExactly(
            row(day("2001-01-05"), "LAX", "Los Angeles", 3L, 1L, 46L, 31, 1011L, 15.33, 66.67),
            row(day("2001-01-05"), "SFO", "San Francisco", 4L, 3L, 136L, 90, 1693L, 34.0, 25.0),
            row(day("2001-01-06"), "BOS", "Boston", 3L, 0L, 21L, 9, 561L, 7.0, 100.0),
            row(day("2001-01-06"), "JFK", "New York", 3L, 1L, 45L, 40, 561L, 15.0, 66.67),
            row(day("2001-01-07"), "ORD", null, 1L, 0L, 5L, 5, 1846L, 5.0, 100.0));
  }

  @Test
  void routeDaily_countsFlightsPerRouteAndDay() {
    Dataset<Row> routes = FlightsTransforms.routeDaily(enriched());

    assertThat(
            values(
                routes
                    .select(
                        "flight_date",
                        "origin",
                        "destination",
                        "route",
                        "flights",
                        "total_delay",
                        "distance",
                        "avg_delay")
                    .orderBy("flight_date", "route")))
        .containsExactly(
            row(day("2001-01-05"), "LAX", "SFO", "LAX-SFO", 3L, 46L, 337, 15.33),
            row(day("2001-01-05"), "SFO", "LAX", "SFO-LAX", 3L, 46L, 340, 15.33),
            row(day("2001-01-05"), "SFO", "SEA", "SFO-SEA", 1L, 90L, 679, 90.0),
            row(day("2001-01-06"), "BOS", "JFK", "BOS-JFK", 3L, 21L, 187, 7.0),
            row(day("2001-01-06"), "JFK", "BOS", "JFK-BOS", 3L, 45L, 187, 15.0),
            row(day("2001-01-07"), "ORD", "SFO", "ORD-SFO", 1L, 5L, 1846, 5.0));
  }

  @Test
  void dailySummary_busiestAirportTiesByCode_worstRouteAmongRoutesWithEnoughFlightsTiesByName() {
    assertThat(FlightsTransforms.MIN_ROUTE_FLIGHTS).isEqualTo(3);

    assertThat(values(summaryColumns(summary(enriched()))))
        .containsExactly(
            // SFO-SEA (90.0) has one flight, so the tie LAX-SFO = SFO-LAX (15.33) decides by name.
            row(day("2001-01-05"), 7L, 182L, 4L, 2L, 26.0, 57.14, "SFO", 4L, "LAX-SFO", 15.33),
            // BOS and JFK tie at 3 departures: BOS by code. JFK-BOS is worse than BOS-JFK.
            row(day("2001-01-06"), 6L, 66L, 1L, 2L, 11.0, 16.67, "BOS", 3L, "JFK-BOS", 15.0),
            // No route has 3 flights: no worst route.
            row(day("2001-01-07"), 1L, 5L, 0L, 1L, 5.0, 0.0, "ORD", 1L, null, null));
  }

  @Test
  void outputs_areDeterministic_whateverTheInputOrder() {
    List<Row> reversed = new ArrayList<>(threeDaysRows());
    Collections.reverse(reversed);
    Dataset<Row> shuffled =
        spark().createDataFrame(reversed, FlightsFixtures.FLIGHTS_SCHEMA).repartition(3);
    Dataset<Row> enriched = enriched().cache();
    Dataset<Row> enrichedShuffled = enriched(shuffled).cache();

    try {
      assertThat(values(sorted(summary(enrichedShuffled))))
          .isEqualTo(values(sorted(summary(enriched))));
      assertThat(values(sorted(FlightsTransforms.airportDaily(enrichedShuffled))))
          .isEqualTo(values(sorted(FlightsTransforms.airportDaily(enriched))));
      assertThat(values(sorted(FlightsTransforms.routeDaily(enrichedShuffled))))
          .isEqualTo(values(sorted(FlightsTransforms.routeDaily(enriched))));
    } finally {
      enriched.unpersist();
      enrichedShuffled.unpersist();
    }
  }

  @Test
  void theDailyTablesChecks_areProvenByTheirPlans_soTheirGatesReadNoRow(@TempDir Path dir) {
    Dataset<Row> enriched = enriched();
    Dataset<Row> airportDaily = FlightsTransforms.airportDaily(enriched);
    Dataset<Row> routeDaily = FlightsTransforms.routeDaily(enriched);
    // daily_summary reads the two tables as committed (Delta, at the version the run pinned):
    // files, which carry no key of their own.
    airportDaily.write().format("delta").save(dir.resolve("airport_daily").toString());
    routeDaily.write().format("delta").save(dir.resolve("route_daily").toString());
    Function<String, Dataset<Row>> committed =
        stage ->
            spark()
                .read()
                .format("delta")
                .option("versionAsOf", 0)
                .load(dir.resolve(stage).toString());
    Dataset<Row> summary =
        FlightsTransforms.dailySummary(
            committed.apply("airport_daily"), committed.apply("route_daily"));

    assertThat(provenByPlan(airportDaily, "flight_date", "origin")).isTrue();
    assertThat(provenByPlan(routeDaily, "flight_date", "origin", "destination")).isTrue();
    assertThat(provenByPlan(summary, "flight_date")).isTrue();
    assertThat(provenByPlan(summary, "busiest_airport")).isFalse();
    // The busiest airport is one of airport_daily's origins by the plan: no row read to check it.
    Expectation busiestIsAnAirport =
        Expectation.references("busiest_airport", "airport_daily", "origin");
    assertThat(
            WriteGate.of(List.of(busiestIsAnAirport), summary).evaluate(summary, committed).get(0))
        .isEqualTo(new CheckResult(busiestIsAnAirport.describe(), true, "every value found", true));
  }

  @Test
  void readFlights_withADay_keepsOnlyThatDaysDepartures(@TempDir Path dir) {
    String path = dir.resolve("flights.parquet").toString();
    threeDays().write().parquet(path);

    Dataset<Row> oneDay =
        FlightsTransforms.readFlights(spark(), path, Optional.of(LocalDate.parse("2001-01-06")));
    Dataset<Row> all = FlightsTransforms.readFlights(spark(), path, Optional.empty());

    assertThat(oneDay.count()).isEqualTo(6);
    assertThat(values(oneDay.selectExpr("to_date(date)").distinct()))
        .containsExactly(row(day("2001-01-06")));
    assertThat(all.count()).isEqualTo(14);
  }

  @Test
  void readAirports_readsTheHeaderedCsvTyped(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("airports.csv");
    Files.writeString(
        csv,
        "iata,name,city,state,country,latitude,longitude\n"
            + "SFO,San Francisco International,San Francisco,CA,USA,37.619,-122.374\n");

    Dataset<Row> airports = FlightsTransforms.readAirports(spark(), csv.toString());

    assertThat(values(airports))
        .containsExactly(
            row(
                "SFO",
                "San Francisco International",
                "San Francisco",
                "CA",
                "USA",
                37.619,
                -122.374));
  }

  private static Dataset<Row> enriched() {
    return enriched(threeDays());
  }

  private static Dataset<Row> enriched(Dataset<Row> raw) {
    return FlightsTransforms.enrich(FlightsTransforms.clean(raw), airports());
  }

  /** Whether a gate on the write of {@code rows} records {@code key} unique without reading. */
  private static boolean provenByPlan(Dataset<Row> rows, String... key) {
    List<CheckResult> results =
        WriteGate.of(List.of(Expectation.uniqueKey(key)), rows).evaluate(rows, stage -> null);
    return results.get(0).provenByPlan();
  }

  /** The daily summary of already enriched flights. */
  private static Dataset<Row> summary(Dataset<Row> enriched) {
    return FlightsTransforms.dailySummary(
        FlightsTransforms.airportDaily(enriched), FlightsTransforms.routeDaily(enriched));
  }

  private static Dataset<Row> summaryColumns(Dataset<Row> summary) {
    return summary
        .select(
            "flight_date",
            "flights",
            "total_delay",
            "delayed_15",
            "airports",
            "avg_delay",
            "delayed_15_pct",
            "busiest_airport",
            "busiest_departures",
            "worst_route",
            "worst_route_avg_delay")
        .orderBy("flight_date");
  }

  /** All columns, rows ordered by every column: a canonical form to compare runs. */
  private static Dataset<Row> sorted(Dataset<Row> table) {
    return table.orderBy(
        Arrays.stream(table.columns()).map(c -> col(c).asc_nulls_first()).toArray(Column[]::new));
  }
}
