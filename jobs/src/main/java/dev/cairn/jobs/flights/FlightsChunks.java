package dev.cairn.jobs.flights;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The chunks of flights-daily's heavy stage: half months of {@code flight_date}, keyed {@code
 * <first day>..<day after the last>} (e.g. {@code 2001-01-01..2001-01-16}), so that a kill
 * mid-stage loses at most half a month of work. A daily run has one chunk, its day.
 */
final class FlightsChunks {
  static final String SEPARATOR = "..";

  private FlightsChunks() {}

  /**
   * Half months from the first to the last {@code flight_date} of {@code rows} (one small
   * aggregation); a single chunk for a daily run or when there are no rows.
   */
  static List<String> halfMonths(Dataset<Row> rows, Optional<LocalDate> day) {
    if (day.isPresent()) {
      return List.of(key(day.get(), day.get().plusDays(1)));
    }
    Row range = rows.agg(min(col("flight_date")), max(col("flight_date"))).first();
    if (range.isNullAt(0)) {
      return List.of(key(LocalDate.of(1970, 1, 1), LocalDate.of(9999, 1, 1)));
    }
    LocalDate first = range.getDate(0).toLocalDate();
    LocalDate last = range.getDate(1).toLocalDate();
    List<String> chunks = new ArrayList<>();
    LocalDate from =
        first.getDayOfMonth() < 16 ? first.withDayOfMonth(1) : first.withDayOfMonth(16);
    while (!from.isAfter(last)) {
      LocalDate to =
          from.getDayOfMonth() == 1
              ? from.withDayOfMonth(16)
              : from.plusMonths(1).withDayOfMonth(1);
      chunks.add(key(from, to));
      from = to;
    }
    return chunks;
  }

  /** The rows of {@code rows} in {@code chunk}: {@code from <= flight_date < to}. */
  static Dataset<Row> in(Dataset<Row> rows, String chunk) {
    int at = chunk.indexOf(SEPARATOR);
    if (at < 0) {
      throw new IllegalArgumentException(
          "chunk '" + chunk + "' is not <from>" + SEPARATOR + "<to> (two YYYY-MM-DD dates)");
    }
    LocalDate from = LocalDate.parse(chunk.substring(0, at));
    LocalDate to = LocalDate.parse(chunk.substring(at + SEPARATOR.length()));
    return rows.where(
        col("flight_date")
            .geq(lit(java.sql.Date.valueOf(from)))
            .and(col("flight_date").lt(lit(java.sql.Date.valueOf(to)))));
  }

  private static String key(LocalDate from, LocalDate to) {
    return from + SEPARATOR + to;
  }
}
