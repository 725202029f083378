package dev.cairn.jobs.flights;

import static dev.cairn.jobs.flights.FlightsFixtures.airports;
import static dev.cairn.jobs.flights.FlightsFixtures.flight;
import static dev.cairn.jobs.flights.FlightsFixtures.flights;
import static dev.cairn.jobs.flights.FlightsFixtures.row;
import static dev.cairn.jobs.flights.FlightsFixtures.spark;
import static dev.cairn.jobs.flights.FlightsFixtures.threeDays;
import static dev.cairn.jobs.flights.FlightsFixtures.values;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that are not what the job expects: a clear error naming the file and column, or
 * quarantine.
 */
class FlightsBadInputTest {

  @Test
  void truncatedParquet_isBadInput_namingTheFileAndTheParameter(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("flights.parquet");
    Path written = dir.resolve("written");
    threeDays().coalesce(1).write().parquet(written.toString());
    try (var parts = Files.list(written)) {
      Path part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(part);
      Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    }

    assertThatThrownBy(
            () -> FlightsTransforms.readFlights(spark(), file.toString(), Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "flights input '" + file + "' (parameter 'flights') cannot be read as Parquet: ")
        .hasMessageEndingWith(
            ". Fix: replace it with a complete copy (a truncated download is the usual cause) or"
                + " give -p flights=<path of a good file>");
  }

  @Test
  void columnWhoseTypeChanged_isBadInput_namingTheColumnAndBothTypes(@TempDir Path dir) {
    String path = dir.resolve("drifted.parquet").toString();
    threeDays().withColumn("delay", col("delay").cast(DataTypes.StringType)).write().parquet(path);

    assertThatThrownBy(() -> FlightsTransforms.readFlights(spark(), path, Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "flights input '"
                + path
                + "' (parameter 'flights'): column 'delay' is STRING, expected BIGINT (the input's"
                + " schema changed). Fix: convert the column back to BIGINT or give -p"
                + " flights=<a Parquet file with columns date timestamp_ntz, delay bigint, distance"
                + " bigint, origin string, destination string>");
  }

  @Test
  void missingColumn_isBadInput_listingTheColumnsFound(@TempDir Path dir) {
    String path = dir.resolve("narrow.parquet").toString();
    threeDays().drop("distance").write().parquet(path);

    assertThatThrownBy(() -> FlightsTransforms.readFlights(spark(), path, Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "flights input '"
                + path
                + "' (parameter 'flights') has no column 'distance' (it has: date, delay, origin,"
                + " destination)");
  }

  @Test
  void narrowerButCompatibleTypes_areAccepted_andWidened(@TempDir Path dir) {
    String path = dir.resolve("ints.parquet").toString();
    threeDays()
        .withColumn("delay", col("delay").cast(DataTypes.IntegerType))
        .withColumn("date", col("date").cast(DataTypes.TimestampType))
        .write()
        .parquet(path);

    Dataset<Row> read = FlightsTransforms.readFlights(spark(), path, Optional.empty());

    assertThat(read.schema()).isEqualTo(FlightsTransforms.FLIGHTS_SCHEMA);
    assertThat(read.count()).isEqualTo(14);
  }

  @Test
  void airportsWithoutAnExpectedColumn_isBadInput(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("airports.csv");
    Files.writeString(csv, "code,name,city,state,country,latitude,longitude\nSFO,a,b,CA,USA,1,2\n");

    assertThatThrownBy(() -> FlightsTransforms.readAirports(spark(), csv.toString()))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "airports input '"
                + csv
                + "' (parameter 'airports') has no column 'iata' in its header (it has: code,"
                + " name, city, state, country, latitude, longitude). Fix: give -p airports=<a CSV"
                + " whose header names iata, name, city, state, country, latitude, longitude>");
  }

  @Test
  void airportsWithACodeOnTwoRows_isBadInput_namingTheCode_notDoubledFlights(@TempDir Path dir)
      throws Exception {
    Path csv =
        airportsCsv(
            dir,
            "SFO,San Francisco International,San Francisco,CA,USA,37.6,-122.4",
            "LAX,Los Angeles International,Los Angeles,CA,USA,33.9,-118.4",
            " sfo,San Francisco (again),San Francisco,CA,USA,37.6,-122.4");

    assertThatThrownBy(() -> airportsOnDriver(csv))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "airports input '"
                + csv
                + "' (parameter 'airports') has the code 'SFO' on 2 rows; codes compare trimmed"
                + " and upper-cased, and every flight from or to a repeated code would be counted"
                + " once per row. Fix: keep one row per code, or give -p airports=<a CSV with one"
                + " row per code>");
  }

  @Test
  void airportCodesInLowerCaseOrPadded_areNormalisedOnce_soEnrichFindsThem(@TempDir Path dir)
      throws Exception {
    Dataset<Row> airports =
        airportsOnDriver(
            airportsCsv(
                dir,
                " sfo ,San Francisco International,San Francisco,CA,USA,37.6,-122.4",
                "lax,Los Angeles International,Los Angeles,CA,USA,33.9,-118.4"));
    Dataset<Row> raw = flights(flight("2001-01-05T08:30:00", 10, 500, "SFO", "lax"));

    Dataset<Row> enriched =
        FlightsTransforms.enrich(FlightsTransforms.clean(raw, airports), airports);

    assertThat(values(enriched.select("origin", "origin_city", "destination", "dest_city")))
        .containsExactly(row("SFO", "San Francisco", "LAX", "Los Angeles"));
  }

  /** An airports CSV of {@code rows} under the expected header. */
  private static Path airportsCsv(Path dir, String... rows) throws java.io.IOException {
    return Files.writeString(
        dir.resolve("airports.csv"),
        "iata,name,city,state,country,latitude,longitude\n" + String.join("\n", rows) + "\n");
  }

  private static Dataset<Row> airportsOnDriver(Path csv) {
    return FlightsTransforms.airportsOnDriver(
        spark(), csv.toString(), java.util.List.of(csv.toString()));
  }

  @Test
  void unknownAirportCodes_areQuarantinedWithTheirReason_notCleaned() {
    Dataset<Row> raw =
        flights(
            flight("2001-01-05T08:30:00", 10, 500, "SFO", "LAX"),
            flight("2001-01-05T09:30:00", 11, 500, "XXX", "LAX"),
            flight("2001-01-05T10:30:00", 12, 500, "SFO", "ZZZ"),
            flight("2001-01-05T11:30:00", 13, 500, "S-O", "ZZZ"));

    Dataset<Row> clean = FlightsTransforms.clean(raw, airports());
    Dataset<Row> rejects = FlightsTransforms.rejects(raw, airports());

    assertThat(values(clean.select("origin", "destination"))).containsExactly(row("SFO", "LAX"));
    assertThat(values(rejects.select("origin", "destination", "reason").orderBy("origin")))
        .containsExactly(
            row("S-O", "ZZZ", "origin is not a 3-character airport code"),
            row("SFO", "ZZZ", "destination is not a known airport"),
            row("XXX", "LAX", "origin is not a known airport"));
  }
}
