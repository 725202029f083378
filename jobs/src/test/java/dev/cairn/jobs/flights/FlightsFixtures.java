package dev.cairn.jobs.flights;

import dev.cairn.internal.config.Spark;
import java.sql.Date;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** One local SparkSession per test JVM, and tiny flights and airports tables built in code. */
final class FlightsFixtures {
  /** The raw flights' schema, as in the dataset's Parquet file. */
  static final StructType FLIGHTS_SCHEMA = FlightsTransforms.FLIGHTS_SCHEMA;

  private static SparkSession spark;

  private FlightsFixtures() {}

  /** The shared session: local, two shuffle partitions, Delta configured as in production. */
  static synchronized SparkSession spark() {
    if (spark == null) {
      System.setProperty("cairn.shuffle.partitions", "2");
      spark = Spark.session("local[2]", "flights-test");
      // On a dozen rows compiling generated code costs more than it saves: halves the test time.
      spark.conf().set("spark.sql.codegen.wholeStage", "false");
    }
    return spark;
  }

  /** One raw flight; {@code departure} is ISO local date-time or null. */
  static Row flight(
      String departure, Integer delay, Integer distance, String origin, String destination) {
    return RowFactory.create(
        departure == null ? null : LocalDateTime.parse(departure),
        delay == null ? null : delay.longValue(),
        distance == null ? null : distance.longValue(),
        origin,
        destination);
  }

  static Dataset<Row> flights(Row... rows) {
    return spark().createDataFrame(Arrays.asList(rows), FLIGHTS_SCHEMA);
  }

  /**
   * Airports known to the tests: SFO, LAX, BOS, JFK. SEA and ORD appear in flights but not here.
   */
  static Dataset<Row> airports() {
    return spark()
        .createDataFrame(
            List.of(
                airport("SFO", "San Francisco International", "San Francisco", "CA"),
                airport("LAX", "Los Angeles International", "Los Angeles", "CA"),
                airport("BOS", "Logan International", "Boston", "MA"),
                airport("JFK", "John F Kennedy Intl", "New York", "NY")),
            FlightsTransforms.AIRPORTS_SCHEMA);
  }

  /** The rows of {@code table} as lists of values (nulls kept), in the table's order. */
  static List<List<Object>> values(Dataset<Row> table) {
    List<List<Object>> values = new ArrayList<>();
    for (Row row : table.collectAsList()) {
      List<Object> value = new ArrayList<>();
      for (int i = 0; i < row.size(); i++) {
        value.add(row.get(i));
      }
      values.add(value);
    }
    return values;
  }

  /** A row of expected values; unlike {@code List.of} it takes nulls. */
  static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  static Date day(String isoDate) {
    return Date.valueOf(isoDate);
  }

  private static Row airport(String iata, String name, String city, String state) {
    return RowFactory.create(iata, name, city, state, "USA", 0.0, 0.0);
  }

  /**
   * Three days of valid flights, designed so every statistic is known by hand.
   *
   * <p>2001-01-05: SFO-LAX delays 10, 20, 16; SFO-SEA delay 90 (one flight: too few to rank);
   * LAX-SFO delays 0, 15, 31 (15 is not "delayed over 15"). SFO is busiest (4); SFO-LAX and LAX-SFO
   * tie at 46/3, so LAX-SFO is the worst route by name.
   *
   * <p>2001-01-06: BOS-JFK delays 5, 7, 9; JFK-BOS delays 40, 2, 3. BOS and JFK tie at 3
   * departures, so BOS is busiest by code; JFK-BOS (15.0) is worse than BOS-JFK (7.0).
   *
   * <p>2001-01-07: one ORD-SFO flight: no route has enough flights to be ranked.
   */
  static Dataset<Row> threeDays() {
    return spark().createDataFrame(threeDaysRows(), FLIGHTS_SCHEMA);
  }

  /** The rows of {@link #threeDays()}. */
  static List<Row> threeDaysRows() {
    return List.of(
        flight("2001-01-05T06:00:00", 10, 337, "SFO", "LAX"),
        flight("2001-01-05T09:00:00", 20, 337, "SFO", "LAX"),
        flight("2001-01-05T12:00:00", 16, 340, "SFO", "LAX"),
        flight("2001-01-05T13:00:00", 90, 679, "SFO", "SEA"),
        flight("2001-01-05T07:00:00", 0, 337, "LAX", "SFO"),
        flight("2001-01-05T10:00:00", 15, 337, "LAX", "SFO"),
        flight("2001-01-05T23:59:59", 31, 337, "LAX", "SFO"),
        flight("2001-01-06T00:00:00", 5, 187, "BOS", "JFK"),
        flight("2001-01-06T08:00:00", 7, 187, "BOS", "JFK"),
        flight("2001-01-06T16:00:00", 9, 187, "BOS", "JFK"),
        flight("2001-01-06T06:30:00", 40, 187, "JFK", "BOS"),
        flight("2001-01-06T11:30:00", 2, 187, "JFK", "BOS"),
        flight("2001-01-06T19:30:00", 3, 187, "JFK", "BOS"),
        flight("2001-01-07T12:00:00", 5, 1846, "ORD", "SFO"));
  }
}
