package dev.cairn.jobs.flights;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.cairn.Chunk;
import dev.cairn.ChunkPlanner;
import dev.cairn.StageContext;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The units of flights-daily's heavy stage: the days of {@code flight_date}, each weighted by its
 * rows, so that the runtime can group consecutive days into chunks of the size it decides. A
 * chunk's rows are those from its first day to its last, both included. A daily run has one unit,
 * its day. Public for the bench, which weighs the days as the job does.
 */
public final class FlightsChunks {
  /** The one unit of a stage with no rows to split. */
  static final String EVERYTHING = "all";

  private FlightsChunks() {}

  /**
   * The days of {@code clean}'s table in date order, each weighted by its rows, counted from the
   * Delta log's statistics ({@link StageContext#partitionUnits}); the day of a daily run; or one
   * unit of everything when there are no rows.
   */
  static List<ChunkPlanner.Unit> days(StageContext ctx, Optional<LocalDate> day) {
    if (day.isPresent()) {
      return List.of(ChunkPlanner.Unit.of(day.get().toString()));
    }
    List<ChunkPlanner.Unit> days = ctx.partitionUnits("clean", "flight_date");
    return days.isEmpty() ? List.of(ChunkPlanner.Unit.of(EVERYTHING)) : days;
  }

  /**
   * The days of {@code rows} in date order, each weighted by its row count (one small aggregation);
   * the day of a daily run; or one unit of everything when there are no rows. The same units as
   * {@link #days(StageContext, Optional)} gives for a table holding {@code rows}.
   */
  public static List<ChunkPlanner.Unit> days(Dataset<Row> rows, Optional<LocalDate> day) {
    if (day.isPresent()) {
      return List.of(ChunkPlanner.Unit.of(day.get().toString()));
    }
    List<Row> counts =
        rows.where(col("flight_date").isNotNull())
            .groupBy("flight_date")
            .count()
            .orderBy("flight_date")
            .collectAsList();
    if (counts.isEmpty()) {
      return List.of(ChunkPlanner.Unit.of(EVERYTHING));
    }
    return counts.stream()
        .map(r -> ChunkPlanner.Unit.of(r.getDate(0).toLocalDate().toString(), r.getLong(1)))
        .toList();
  }

  /**
   * The rows of {@code rows} in {@code chunk}: its first day &lt;= {@code flight_date} &lt;= its
   * last.
   */
  static Dataset<Row> in(Dataset<Row> rows, Chunk chunk) {
    if (chunk.first().equals(EVERYTHING)) {
      return rows;
    }
    LocalDate from = parse(chunk.first());
    LocalDate to = parse(chunk.last());
    return rows.where(
        col("flight_date")
            .geq(lit(java.sql.Date.valueOf(from)))
            .and(col("flight_date").leq(lit(java.sql.Date.valueOf(to)))));
  }

  private static LocalDate parse(String unit) {
    try {
      return LocalDate.parse(unit);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "unit '" + unit + "' of flights-daily's enrich is not a day (YYYY-MM-DD)", e);
    }
  }
}
