package dev.cairn.it;

import dev.cairn.jobs.flights.FlightsTransforms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Small flights input shaped like vega-datasets' flights-3m.parquet (date timestamp_ntz, delay,
 * distance, origin, destination) and airports.csv, generated from a fixed seed, with a few bad rows
 * and one airport missing from the airports file.
 */
final class FlightsData {
  static final LocalDate FIRST_DAY = LocalDate.of(2001, 1, 1);

  /**
   * Jan 1 to Jan 10: the ten units (days) of flights-daily's chunked stage; ten chunks when the
   * chunk cap is below a day's work ({@link #ONE_DAY_PER_CHUNK}), one with the default settings.
   */
  static final int DAYS = 10;

  /**
   * A {@code CAIRN_CHUNK_MAX_SECONDS} below any day's expected work on this data: every day is a
   * chunk of its own, whatever this machine measures.
   */
  static final String ONE_DAY_PER_CHUNK = "0.001";

  private static final String[] AIRPORTS = {
    "ATL", "ORD", "DFW", "LAX", "DEN", "SFO", "PHX", "LAS", "SEA", "BOS", "MSP", "DTW"
  };

  private FlightsData() {}

  /** Writes {@code flights.parquet} and {@code airports.csv} under {@code dir}. */
  static void write(SparkSession spark, Path dir, int rows, long seed) throws IOException {
    Random random = new Random(seed);
    List<Row> flights = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      LocalDateTime departure =
          FIRST_DAY.plusDays(random.nextInt(DAYS)).atTime(random.nextInt(24), random.nextInt(60));
      String origin = AIRPORTS[random.nextInt(AIRPORTS.length)];
      String destination = AIRPORTS[random.nextInt(AIRPORTS.length)];
      if (i % 97 == 0) {
        destination = "ZZZ"; // valid code, unknown to airports.csv
      }
      long distance = 100 + random.nextInt(2400);
      if (i % 151 == 0) {
        origin = null; // bad row
      } else if (i % 173 == 0) {
        distance = 0; // bad row
      } else if (i % 199 == 0) {
        destination = "X"; // bad row
      }
      flights.add(
          RowFactory.create(
              departure, (long) (random.nextInt(190) - 10), distance, origin, destination));
    }
    Dataset<Row> frame =
        spark.createDataFrame(flights, FlightsTransforms.FLIGHTS_SCHEMA).coalesce(2);
    frame.write().mode(SaveMode.Overwrite).parquet(dir.resolve("flights.parquet").toString());

    StringBuilder csv = new StringBuilder("iata,name,city,state,country,latitude,longitude\n");
    for (int i = 0; i < AIRPORTS.length; i++) {
      csv.append(AIRPORTS[i])
          .append(",")
          .append(AIRPORTS[i])
          .append(" International,City ")
          .append(i)
          .append(",S")
          .append(i % 5)
          .append(",USA,")
          .append(30 + i)
          .append(",")
          .append(-90 - i)
          .append("\n");
    }
    Files.writeString(dir.resolve("airports.csv"), csv);
  }

  /**
   * Writes the rows of {@code flights} (a Parquet file or directory) into {@code dir} as {@code
   * files} Parquet files: one row per file while rows last, then files holding no row (an input on
   * S3 often has some), so it reads as exactly the same rows.
   */
  static void split(SparkSession spark, Path flights, Path dir, int files) throws IOException {
    Dataset<Row> rows = spark.read().parquet(flights.toString());
    long count = rows.count();
    if (count > files) {
      throw new IllegalArgumentException(count + " rows do not fit one per file in " + files);
    }
    Path written = dir.resolveSibling(dir.getFileName() + "-written");
    rows.coalesce(2)
        .write()
        .option("maxRecordsPerFile", 1)
        .mode(SaveMode.Overwrite)
        .parquet(written.toString());
    Path empty = dir.resolveSibling(dir.getFileName() + "-empty");
    spark
        .createDataFrame(List.of(), rows.schema())
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(empty.toString());
    Files.createDirectories(dir);
    int made = 0;
    try (var parts = Files.list(written)) {
      for (Path part : parts.filter(FlightsData::dataFile).toList()) {
        Files.move(part, dir.resolve(String.format("part-%05d.parquet", made++)));
      }
    }
    Path emptyPart;
    try (var parts = Files.list(empty)) {
      emptyPart = parts.filter(FlightsData::dataFile).findFirst().orElseThrow();
    }
    while (made < files) {
      Files.copy(emptyPart, dir.resolve(String.format("part-%05d.parquet", made++)));
    }
  }

  /**
   * Writes one Parquet file {@code file} of flights that {@code flights-daily} would reject (no
   * origin, zero distance) or keep (a good row), were it to read them.
   */
  static void writeLateRows(SparkSession spark, Path file) throws IOException {
    LocalDateTime day = FIRST_DAY.atTime(12, 0);
    Dataset<Row> rows =
        spark.createDataFrame(
            List.of(
                RowFactory.create(day, 5L, 300L, null, AIRPORTS[1]),
                RowFactory.create(day, 5L, 0L, AIRPORTS[0], AIRPORTS[1]),
                RowFactory.create(day, 7L, 400L, AIRPORTS[0], AIRPORTS[1])),
            FlightsTransforms.FLIGHTS_SCHEMA);
    Path written = file.getParent().resolveSibling(file.getFileName() + "-written");
    rows.coalesce(1).write().parquet(written.toString());
    try (var parts = Files.list(written)) {
      Files.move(parts.filter(FlightsData::dataFile).findFirst().orElseThrow(), file);
    }
  }

  private static boolean dataFile(Path part) {
    String name = part.getFileName().toString();
    return name.endsWith(".parquet") && !name.startsWith(".") && !name.startsWith("_");
  }
}
