package dev.cairn.it;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Reads a warehouse's output tables as sorted rows, to compare two runs row for row. */
final class Tables {
  static final List<String> FLIGHTS_TABLES =
      List.of(
          "flights_clean",
          "flights_rejected",
          "flights_enriched",
          "airport_daily_delays",
          "route_daily_stats",
          "daily_summary");

  private Tables() {}

  /** How many commit files each output table's Delta log holds (absent tables count 0). */
  static Map<String, Long> commitCounts(Path warehouse) throws java.io.IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : FLIGHTS_TABLES) {
      Path log = warehouse.resolve(table).resolve("_delta_log");
      long n = 0;
      if (java.nio.file.Files.isDirectory(log)) {
        try (var files = java.nio.file.Files.list(log)) {
          n = files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.json")).count();
        }
      }
      counts.put(table, n);
    }
    return counts;
  }

  static Map<String, List<String>> snapshot(SparkSession spark, Path warehouse) {
    return snapshot(spark, warehouse, List.of());
  }

  /** Only the rows of {@code days} (all rows when empty). */
  static Map<String, List<String>> snapshot(
      SparkSession spark, Path warehouse, List<LocalDate> days) {
    return snapshot(spark, warehouse.toString(), days);
  }

  /** The tables of a warehouse at a URI ({@code s3a://bucket/warehouse}) or path. */
  static Map<String, List<String>> snapshot(SparkSession spark, String warehouse) {
    return snapshot(spark, warehouse, List.of());
  }

  private static Map<String, List<String>> snapshot(
      SparkSession spark, String warehouse, List<LocalDate> days) {
    Map<String, List<String>> tables = new LinkedHashMap<>();
    for (String table : FLIGHTS_TABLES) {
      Dataset<Row> frame = spark.read().format("delta").load(warehouse + "/" + table);
      if (!days.isEmpty()) {
        Object[] wanted = days.stream().map(LocalDate::toString).toArray();
        Column day =
            List.of(frame.columns()).contains("flight_date")
                ? functions.col("flight_date").cast("string")
                : functions.substring(functions.col("date"), 1, 10);
        frame = frame.where(day.isin(wanted));
      }
      Column[] all =
          Arrays.stream(frame.columns()).sorted().map(functions::col).toArray(Column[]::new);
      List<String> rows =
          frame.select(all).collectAsList().stream().map(Row::toString).sorted().toList();
      tables.put(table, rows);
    }
    return tables;
  }
}
