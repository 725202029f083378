package dev.cairn.jobs.flights;

import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Optional;
import java.util.function.ObjLongConsumer;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@link FlightsDaily} without Cairn: the same {@link FlightsTransforms}, the same six Delta tables
 * with the same partitioning and write modes, written with plain Delta writes, in the same order,
 * and nothing else (no checkpoints, no transaction ids, no data-quality checks, no listener, no
 * lease). The baseline of {@code cairn bench}'s overhead figure; a full run only (no {@code date}).
 *
 * <p>Each stage reads its upstream tables back from Delta, as Cairn's stages do (Cairn reads them
 * at the version its checkpoint recorded; on a fresh warehouse that is the latest).
 */
public final class FlightsDailyPlain {
  private final SparkSession spark;
  private final String warehouse;

  public FlightsDailyPlain(SparkSession spark, String warehouse) {
    this.spark = spark;
    this.warehouse = warehouse.endsWith("/") ? warehouse : warehouse + "/";
  }

  /**
   * Runs the six stages in {@link FlightsDaily}'s order over {@code flights} and {@code airports}.
   */
  public void run(String flights, String airports) {
    run(flights, airports, (stage, ms) -> {});
  }

  /**
   * As {@link #run(String, String)}, telling {@code stageMillis} each stage's name and wall time
   * (computing and writing it), for the bench's profile.
   */
  public void run(String flights, String airports, ObjLongConsumer<String> stageMillis) {
    timed(
        "clean",
        stageMillis,
        () ->
            overwrite(
                FlightsTransforms.clean(read(flights), airports(airports)),
                "flights_clean",
                "flight_date"));
    timed(
        "rejects",
        stageMillis,
        () ->
            overwrite(
                FlightsTransforms.rejects(read(flights), airports(airports)), "flights_rejected"));
    timed(
        "enrich",
        stageMillis,
        () ->
            overwrite(
                FlightsTransforms.enrich(table("flights_clean"), airports(airports)),
                "flights_enriched",
                "flight_date"));
    timed(
        "airport_daily",
        stageMillis,
        () ->
            overwrite(
                FlightsTransforms.airportDaily(table("flights_enriched")),
                "airport_daily_delays",
                "flight_date"));
    timed(
        "route_daily",
        stageMillis,
        () -> merge(FlightsTransforms.routeDaily(table("flights_enriched")), "route_daily_stats"));
    timed(
        "daily_summary",
        stageMillis,
        () ->
            overwrite(
                FlightsTransforms.dailySummary(
                    table("airport_daily_delays"), table("route_daily_stats")),
                "daily_summary"));
  }

  private static void timed(String stage, ObjLongConsumer<String> stageMillis, Runnable work) {
    long t0 = System.nanoTime();
    work.run();
    stageMillis.accept(stage, (System.nanoTime() - t0) / 1_000_000);
  }

  private Dataset<Row> airports(String airports) {
    return FlightsTransforms.airportsOnDriver(spark, airports, List.of(airports));
  }

  private Dataset<Row> read(String flights) {
    return FlightsTransforms.readFlights(spark, flights, Optional.empty());
  }

  private Dataset<Row> table(String name) {
    return spark.read().format("delta").load(warehouse + name);
  }

  private void overwrite(Dataset<Row> rows, String table, String... partitionColumns) {
    DataFrameWriter<Row> writer = rows.write().format("delta").mode(SaveMode.Overwrite);
    if (partitionColumns.length > 0) {
      writer = writer.partitionBy(partitionColumns);
    }
    writer.save(warehouse + table);
  }

  /** Merge on (flight_date, origin, destination), as FlightsDaily's route_daily; append if new. */
  private void merge(Dataset<Row> rows, String table) {
    String location = warehouse + table;
    if (!DeltaTable.isDeltaTable(spark, location)) {
      rows.write().format("delta").mode(SaveMode.Append).partitionBy("flight_date").save(location);
      return;
    }
    DeltaTable.forPath(spark, location)
        .as("t")
        .merge(
            rows.as("s"),
            "t.flight_date <=> s.flight_date AND t.origin <=> s.origin"
                + " AND t.destination <=> s.destination")
        .whenMatched()
        .updateAll()
        .whenNotMatched()
        .insertAll()
        .execute();
  }
}
