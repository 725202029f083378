package dev.cairn.jobs.flights;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

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

  /** The raw flights (columns date, delay, distance, origin, destination), optionally one day. */
  public static Dataset<Row> readFlights(SparkSession spark, String path, Optional<LocalDate> day) {
    Dataset<Row> flights = spark.read().parquet(path);
    return day.map(d -> flights.where(to_date(col("date")).equalTo(lit(java.sql.Date.valueOf(d)))))
        .orElse(flights);
  }

  /**
   * Why {@code found} cannot be read as flights, or empty when it can: each of {@link
   * #FLIGHTS_SCHEMA}'s columns must be there with a compatible type (a timestamp or date; whole or
   * decimal numbers; strings). A renamed or retyped column would otherwise fail deep in Spark
   * without naming the input, or cast every value to null.
   */
  public static Optional<String> flightsSchemaProblem(StructType found) {
    Map<String, DataType> columns = new LinkedHashMap<>();
    for (StructField field : found.fields()) {
      columns.put(field.name().toLowerCase(Locale.ROOT), field.dataType());
    }
    List<String> problems = new ArrayList<>();
    for (StructField wanted : FLIGHTS_SCHEMA.fields()) {
      DataType type = columns.get(wanted.name());
      if (type == null) {
        problems.add("column '" + wanted.name() + "' is missing");
      } else if (!compatible(wanted.dataType(), type)) {
        problems.add(
            "column '"
                + wanted.name()
                + "' is "
                + type.simpleString()
                + ", expected "
                + wanted.dataType().simpleString());
      }
    }
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        String.join("; ", problems)
            + " (it has "
            + String.join(", ", List.of(found.fieldNames()))
            + "; expected "
            + FLIGHTS_SCHEMA.simpleString()
            + ")");
  }

  private static boolean compatible(DataType wanted, DataType found) {
    if (wanted.equals(DataTypes.StringType)) {
      return found.equals(DataTypes.StringType);
    }
    if (wanted.equals(DataTypes.TimestampNTZType)) {
      return found.equals(DataTypes.TimestampNTZType)
          || found.equals(DataTypes.TimestampType)
          || found.equals(DataTypes.DateType);
    }
    return found instanceof IntegralType || found instanceof DecimalType;
  }

  /** The airports CSV (iata, name, city, state, country, latitude, longitude). */
  public static Dataset<Row> readAirports(SparkSession spark, String path) {
    return spark.read().option("header", "true").schema(AIRPORTS_SCHEMA).csv(path);
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
        .when(col("distance").isNull().or(col("distance").leq(0)), lit("distance is not positive"))
        .otherwise(lit(null).cast(DataTypes.StringType));
  }

  private static Column not(Column c) {
    return functions.not(c);
  }

  /** Valid flights, typed: flight_date, departure, origin, destination, delay, distance. */
  public static Dataset<Row> clean(Dataset<Row> raw) {
    return raw.withColumn("reason", rejectReason())
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
    return raw.withColumn("reason", rejectReason())
        .where(col("reason").isNotNull())
        .select(
            col("date").cast(DataTypes.StringType).alias("date"),
            col("origin").cast(DataTypes.StringType).alias("origin"),
            col("destination").cast(DataTypes.StringType).alias("destination"),
            col("delay").cast(DataTypes.StringType).alias("delay"),
            col("distance").cast(DataTypes.StringType).alias("distance"),
            col("reason"));
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
        .groupBy(col("flight_date"), col("origin"), col("origin_city"), col("origin_state"))
        .agg(
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
        .groupBy(col("flight_date"), col("origin"), col("destination"), col("route"))
        .agg(
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
    WindowSpec byDeparturesDesc =
        Window.partitionBy(col("flight_date"))
            .orderBy(col("departures").desc(), col("origin").asc());
    Dataset<Row> busiest =
        airportDaily
            .withColumn("rank", functions.row_number().over(byDeparturesDesc))
            .where(col("rank").equalTo(1))
            .select(
                col("flight_date").alias("b_date"),
                col("origin").alias("busiest_airport"),
                col("departures").alias("busiest_departures"));
    WindowSpec byAvgDelayDesc =
        Window.partitionBy(col("flight_date"))
            .orderBy(col("total_delay").divide(col("flights")).desc(), col("route").asc());
    Dataset<Row> worst =
        routeDaily
            .where(col("flights").geq(MIN_ROUTE_FLIGHTS))
            .withColumn("rank", functions.row_number().over(byAvgDelayDesc))
            .where(col("rank").equalTo(1))
            .select(
                col("flight_date").alias("w_date"),
                col("route").alias("worst_route"),
                col("avg_delay").alias("worst_route_avg_delay"));
    return totals
        .join(busiest, totals.col("flight_date").equalTo(col("b_date")), "left")
        .join(worst, totals.col("flight_date").equalTo(col("w_date")), "left")
        .drop("b_date", "w_date");
  }
}
