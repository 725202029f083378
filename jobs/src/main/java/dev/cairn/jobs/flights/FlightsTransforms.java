package dev.cairn.jobs.flights;

import static org.apache.spark.sql.functions.any_value;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import dev.cairn.BadInputException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * The flights transformations as plain functions of DataFrames, shared by the Cairn job and any
 * plain-Spark baseline. Every output is deterministic: integer sums, exact counts, ties broken by
 * name, no floating-point aggregation order effects beyond a final rounding.
 */
public final class FlightsTransforms {
  /** Flights with at least this many departures are ranked for the day's worst route. */
  static final int MIN_ROUTE_FLIGHTS = 3;

  /** The raw flights as vega-datasets' flights-3m.parquet holds them. */
  public static final StructType FLIGHTS_SCHEMA =
      new StructType()
          .add("date", DataTypes.TimestampNTZType)
          .add("delay", DataTypes.LongType)
          .add("distance", DataTypes.LongType)
          .add("origin", DataTypes.StringType)
          .add("destination", DataTypes.StringType);

  static final StructType AIRPORTS_SCHEMA =
      new StructType()
          .add("iata", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("city", DataTypes.StringType)
          .add("state", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("latitude", DataTypes.DoubleType)
          .add("longitude", DataTypes.DoubleType);

  private FlightsTransforms() {}

  /**
   * The raw flights (columns date, delay, distance, origin, destination, as {@link
   * #FLIGHTS_SCHEMA}), optionally one day.
   *
   * @throws BadInputException when the file cannot be read as Parquet, or a column is missing or
   *     has a type that cannot hold the expected values; the message names the file and column
   */
  public static Dataset<Row> readFlights(SparkSession spark, String path, Optional<LocalDate> day) {
    return readFlights(spark, path, List.of(path), day);
  }

  /** As above, reading exactly {@code files} (the frozen plan of the input at {@code path}). */
  public static Dataset<Row> readFlights(
      SparkSession spark, String path, List<String> files, Optional<LocalDate> day) {
    Dataset<Row> raw;
    try {
      raw = spark.read().parquet(files.toArray(String[]::new));
    } catch (Exception unreadable) {
      // Exception: Spark's AnalysisException is checked in Java but thrown undeclared.
      throw new BadInputException(
          "flights input '"
              + path
              + "' (parameter 'flights') cannot be read as Parquet: "
              + firstLine(rootMessage(unreadable)),
          "replace it with a complete copy (a truncated download is the usual cause) or give -p"
              + " flights=<path of a good file>",
          unreadable);
    }
    Dataset<Row> flights = raw.select(conform(raw.schema(), FLIGHTS_SCHEMA, path));
    return day.map(d -> flights.where(to_date(col("date")).equalTo(lit(java.sql.Date.valueOf(d)))))
        .orElse(flights);
  }

  /**
   * The columns of {@code expected}, cast from what the file holds when the type is compatible
   * (timestamp for timestamp_ntz, any integer type for bigint).
   */
  private static Column[] conform(StructType actual, StructType expected, String path) {
    Column[] columns = new Column[expected.fields().length];
    for (int i = 0; i < expected.fields().length; i++) {
      StructField want = expected.fields()[i];
      StructField[] found =
          java.util.Arrays.stream(actual.fields())
              .filter(f -> f.name().equalsIgnoreCase(want.name()))
              .toArray(StructField[]::new);
      if (found.length == 0) {
        throw new BadInputException(
            "flights input '"
                + path
                + "' (parameter 'flights') has no column '"
                + want.name()
                + "' (it has: "
                + String.join(", ", actual.fieldNames())
                + ")",
            "give -p flights=<a Parquet file with columns " + describe(expected) + ">");
      }
      DataType have = found[0].dataType();
      if (!compatible(have, want.dataType())) {
        throw new BadInputException(
            "flights input '"
                + path
                + "' (parameter 'flights'): column '"
                + want.name()
                + "' is "
                + have.sql()
                + ", expected "
                + want.dataType().sql()
                + " (the input's schema changed)",
            "convert the column back to "
                + want.dataType().sql()
                + " or give -p flights=<a Parquet file with columns "
                + describe(expected)
                + ">");
      }
      columns[i] = col(found[0].name()).cast(want.dataType()).alias(want.name());
    }
    return columns;
  }

  private static boolean compatible(DataType have, DataType want) {
    if (have.sameType(want)) {
      return true;
    }
    if (want instanceof TimestampNTZType) {
      return have instanceof TimestampType;
    }
    if (want instanceof LongType) {
      return have instanceof IntegerType || have instanceof ShortType || have instanceof ByteType;
    }
    return false;
  }

  private static String describe(StructType schema) {
    StringBuilder text = new StringBuilder();
    for (StructField f : schema.fields()) {
      text.append(text.length() == 0 ? "" : ", ").append(f.name()).append(' ');
      text.append(f.dataType().sql().toLowerCase(java.util.Locale.ROOT));
    }
    return text.toString();
  }

  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return failure.getMessage() + (t == failure ? "" : " (" + t.getMessage() + ")");
  }

  private static String firstLine(String text) {
    String s = String.valueOf(text).strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * The airports CSV (iata, name, city, state, country, latitude, longitude), codes upper-cased and
   * trimmed (here once: every join compares them as they are).
   *
   * @throws BadInputException when the file has no header row with those columns
   */
  public static Dataset<Row> readAirports(SparkSession spark, String path) {
    return readAirports(spark, path, List.of(path));
  }

  /**
   * The airports of {@code files} (the planned files of parameter 'airports', whose value is {@code
   * path}) as {@link #readAirports(SparkSession, String)} reads them, collected once and held on
   * the driver (as {@link #onDriver}), each code on one row.
   *
   * @throws BadInputException when the file has no header row with the expected columns, or a code
   *     is on more than one row (every flight from or to it would be joined once per row)
   */
  public static Dataset<Row> airportsOnDriver(SparkSession spark, String path, List<String> files) {
    Dataset<Row> read = readAirports(spark, path, files);
    List<Row> collected = read.collectAsList();
    int iata = read.schema().fieldIndex("iata");
    java.util.Map<String, Integer> rowsByCode = new java.util.TreeMap<>();
    for (Row airport : collected) {
      if (!airport.isNullAt(iata)) {
        rowsByCode.merge(airport.getString(iata), 1, Integer::sum);
      }
    }
    rowsByCode.values().removeIf(rows -> rows == 1);
    if (!rowsByCode.isEmpty()) {
      String first = rowsByCode.keySet().iterator().next();
      throw new BadInputException(
          "airports input '"
              + path
              + "' (parameter 'airports') has the code '"
              + first
              + "' on "
              + rowsByCode.get(first)
              + " rows"
              + (rowsByCode.size() > 1
                  ? " (" + (rowsByCode.size() - 1) + " more on several rows)"
                  : "")
              + "; codes compare trimmed and upper-cased, and every flight from or to a repeated"
              + " code would be counted once per row",
          "keep one row per code, or give -p airports=<a CSV with one row per code>");
    }
    return spark.createDataFrame(collected, read.schema());
  }

  private static Dataset<Row> readAirports(SparkSession spark, String path, List<String> files) {
    String[] paths = files.toArray(String[]::new);
    java.util.List<String> header;
    try {
      header =
          java.util.Arrays.stream(spark.read().option("header", "true").csv(paths).columns())
              .map(c -> c.strip().toLowerCase(java.util.Locale.ROOT))
              .toList();
    } catch (Exception unreadable) {
      throw new BadInputException(
          "airports input '"
              + path
              + "' (parameter 'airports') cannot be read as CSV: "
              + firstLine(rootMessage(unreadable)),
          "give -p airports=<a CSV with a header row>",
          unreadable);
    }
    for (String column : AIRPORTS_SCHEMA.fieldNames()) {
      if (!header.contains(column)) {
        throw new BadInputException(
            "airports input '"
                + path
                + "' (parameter 'airports') has no column '"
                + column
                + "' in its header (it has: "
                + String.join(", ", header)
                + ")",
            "give -p airports=<a CSV whose header names "
                + String.join(", ", AIRPORTS_SCHEMA.fieldNames())
                + ">");
      }
    }
    Dataset<Row> airports = spark.read().option("header", "true").csv(paths);
    StructField[] fields = AIRPORTS_SCHEMA.fields();
    Column[] typed = new Column[fields.length];
    for (int i = 0; i < fields.length; i++) {
      // try_cast: a malformed coordinate becomes null, as a permissive CSV read would make it.
      Column value = col(fields[i].name()).try_cast(fields[i].dataType());
      typed[i] =
          (fields[i].name().equals("iata") ? upper(trim(value)) : value).alias(fields[i].name());
    }
    return airports.select(typed);
  }

  /**
   * Why a raw flight row cannot be used given the known airports, or null when it is valid: the
   * reasons of {@link #rejectReason()} plus an origin or destination not in {@code airports}.
   */
  static Dataset<Row> withReason(Dataset<Row> raw, Dataset<Row> airports) {
    Dataset<Row> codes = airports.select(col("iata").alias("code")).distinct();
    Dataset<Row> known =
        raw.join(
                broadcast(codes.withColumnRenamed("code", "o_code")),
                upper(trim(col("origin"))).equalTo(col("o_code")),
                "left")
            .join(
                broadcast(codes.withColumnRenamed("code", "d_code")),
                upper(trim(col("destination"))).equalTo(col("d_code")),
                "left");
    Column reason =
        coalesce(
            rejectReason(),
            when(col("o_code").isNull(), lit("origin is not a known airport"))
                .when(col("d_code").isNull(), lit("destination is not a known airport")));
    return known.withColumn("reason", reason).drop("o_code", "d_code");
  }

  /** Valid flights whose airports are both known (see {@link #clean(Dataset)}). */
  public static Dataset<Row> clean(Dataset<Row> raw, Dataset<Row> airports) {
    return typed(withReason(raw, airports));
  }

  /** Rows that failed validation or name an unknown airport, with the reason. */
  public static Dataset<Row> rejects(Dataset<Row> raw, Dataset<Row> airports) {
    return rejected(withReason(raw, airports));
  }

  /** Why a raw flight row cannot be used, or null when it is valid. */
  static Column rejectReason() {
    return when(col("date").isNull(), lit("date is null"))
        .when(
            col("origin").isNull().or(not(upper(trim(col("origin"))).rlike("^[A-Z0-9]{3}$"))),
            lit("origin is not a 3-character airport code"))
        .when(
            col("destination")
                .isNull()
                .or(not(upper(trim(col("destination"))).rlike("^[A-Z0-9]{3}$"))),
            lit("destination is not a 3-character airport code"))
        .when(col("delay").isNull(), lit("delay is null"))
        // The clean table holds ints: a bigint beyond them is a bad row, not a failed cast.
        .when(
            not(col("delay").between(Integer.MIN_VALUE, Integer.MAX_VALUE)),
            lit("delay is out of range"))
        .when(col("distance").isNull().or(col("distance").leq(0)), lit("distance is not positive"))
        .when(col("distance").gt(Integer.MAX_VALUE), lit("distance is out of range"))
        .otherwise(lit(null).cast(DataTypes.StringType));
  }

  private static Column not(Column c) {
    return functions.not(c);
  }

  /** Valid flights, typed: flight_date, departure, origin, destination, delay, distance. */
  public static Dataset<Row> clean(Dataset<Row> raw) {
    return typed(raw.withColumn("reason", rejectReason()));
  }

  private static Dataset<Row> typed(Dataset<Row> withReason) {
    return withReason
        .where(col("reason").isNull())
        .select(
            to_date(col("date")).alias("flight_date"),
            col("date").alias("departure"),
            upper(trim(col("origin"))).alias("origin"),
            upper(trim(col("destination"))).alias("destination"),
            col("delay").cast(DataTypes.IntegerType).alias("delay"),
            col("distance").cast(DataTypes.IntegerType).alias("distance"))
        .repartition(col("flight_date"));
  }

  /** Rows that failed validation, with the reason, so bad rows are counted and can be read. */
  public static Dataset<Row> rejects(Dataset<Row> raw) {
    return rejected(raw.withColumn("reason", rejectReason()));
  }

  private static Dataset<Row> rejected(Dataset<Row> withReason) {
    return withReason
        .where(col("reason").isNotNull())
        .select(
            col("date").cast(DataTypes.StringType).alias("date"),
            col("origin").cast(DataTypes.StringType).alias("origin"),
            col("destination").cast(DataTypes.StringType).alias("destination"),
            col("delay").cast(DataTypes.StringType).alias("delay"),
            col("distance").cast(DataTypes.StringType).alias("distance"),
            col("reason"));
  }

  /**
   * A small table's rows collected and held on the driver (a local relation): joining it again, as
   * each chunk of enrich does, broadcasts it without reading its file or running a Spark job.
   */
  public static Dataset<Row> onDriver(Dataset<Row> small) {
    return small.sparkSession().createDataFrame(small.collectAsList(), small.schema());
  }

  /** Flights with their airports' names and places (broadcast join; unknown codes keep nulls). */
  public static Dataset<Row> enrich(Dataset<Row> clean, Dataset<Row> airports) {
    Dataset<Row> origins =
        airports.select(
            col("iata").alias("o_iata"),
            col("name").alias("origin_name"),
            col("city").alias("origin_city"),
            col("state").alias("origin_state"));
    Dataset<Row> destinations =
        airports.select(
            col("iata").alias("d_iata"),
            col("city").alias("dest_city"),
            col("state").alias("dest_state"));
    return clean
        .join(broadcast(origins), clean.col("origin").equalTo(col("o_iata")), "left")
        .join(broadcast(destinations), clean.col("destination").equalTo(col("d_iata")), "left")
        .drop("o_iata", "d_iata")
        .withColumn("route", concat_ws("-", col("origin"), col("destination")))
        .repartition(col("flight_date"));
  }

  /** Per origin airport and day: departures, delays, distance. */
  public static Dataset<Row> airportDaily(Dataset<Row> enriched) {
    return enriched
        // Grouped by the key alone (an airport's city and state follow from its code), so the
        // plan itself proves (flight_date, origin) unique and the gate reads no row for it.
        .groupBy(col("flight_date"), col("origin"))
        .agg(
            any_value(col("origin_city")).alias("origin_city"),
            any_value(col("origin_state")).alias("origin_state"),
            count(lit(1)).alias("departures"),
            sum(col("delay").cast(DataTypes.LongType)).alias("total_delay"),
            sum(when(col("delay").gt(15), 1).otherwise(0)).alias("delayed_15"),
            max(col("delay")).alias("max_delay"),
            sum(col("distance").cast(DataTypes.LongType)).alias("total_distance"))
        .withColumn("avg_delay", round(col("total_delay").divide(col("departures")), 2))
        .withColumn(
            "on_time_pct",
            round(
                lit(100.0)
                    .multiply(col("departures").minus(col("delayed_15")))
                    .divide(col("departures")),
                2));
  }

  /** Per route and day: flights and delays. */
  public static Dataset<Row> routeDaily(Dataset<Row> enriched) {
    return enriched
        // The route follows from origin and destination: grouped by the key alone (see above).
        .groupBy(col("flight_date"), col("origin"), col("destination"))
        .agg(
            any_value(col("route")).alias("route"),
            count(lit(1)).alias("flights"),
            sum(col("delay").cast(DataTypes.LongType)).alias("total_delay"),
            max(col("distance")).alias("distance"))
        .withColumn("avg_delay", round(col("total_delay").divide(col("flights")), 2));
  }

  /** Per day: totals, the busiest airport and the worst route (ties broken by code). */
  public static Dataset<Row> dailySummary(Dataset<Row> airportDaily, Dataset<Row> routeDaily) {
    Dataset<Row> totals =
        airportDaily
            .groupBy(col("flight_date"))
            .agg(
                sum(col("departures")).alias("flights"),
                sum(col("total_delay")).alias("total_delay"),
                sum(col("delayed_15")).alias("delayed_15"),
                functions.countDistinct(col("origin")).alias("airports"))
            .withColumn("avg_delay", round(col("total_delay").divide(col("flights")), 2))
            .withColumn(
                "delayed_15_pct",
                round(lit(100.0).multiply(col("delayed_15")).divide(col("flights")), 2));
    // One row per day on each side (aggregations grouped by the day, not windows), so the plan
    // proves flight_date unique through both joins. min_by over (fewest -departures, lowest code)
    // is the row a window ordered by departures desc, origin asc would rank first.
    Column busiestFirst = functions.struct(col("departures").unary_$minus(), col("origin"));
    Dataset<Row> busiest =
        airportDaily
            .groupBy(col("flight_date").alias("b_date"))
            .agg(
                min_by(col("origin"), busiestFirst).alias("busiest_airport"),
                min_by(col("departures"), busiestFirst).alias("busiest_departures"));
    Column avgDelay = col("total_delay").divide(col("flights"));
    // Highest average delay first, a null average last (as desc orders it), then the lowest route.
    Column worstFirst = functions.struct(avgDelay.isNull(), avgDelay.unary_$minus(), col("route"));
    Dataset<Row> worst =
        routeDaily
            .where(col("flights").geq(MIN_ROUTE_FLIGHTS))
            .groupBy(col("flight_date").alias("w_date"))
            .agg(
                min_by(col("route"), worstFirst).alias("worst_route"),
                min_by(col("avg_delay"), worstFirst).alias("worst_route_avg_delay"));
    return totals
        .join(busiest, totals.col("flight_date").equalTo(col("b_date")), "left")
        .join(worst, totals.col("flight_date").equalTo(col("w_date")), "left")
        .drop("b_date", "w_date");
  }
}
