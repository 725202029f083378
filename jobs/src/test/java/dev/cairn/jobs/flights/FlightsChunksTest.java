package dev.cairn.jobs.flights;

import static dev.cairn.jobs.flights.FlightsFixtures.day;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FlightsChunksTest {
  private static final StructType DATES = new StructType().add("flight_date", DataTypes.DateType);

  private static Dataset<Row> dates(String... days) {
    return FlightsFixtures.spark()
        .createDataFrame(
            java.util.Arrays.stream(days).map(d -> RowFactory.create(day(d))).toList(), DATES);
  }

  @Test
  void halfMonths_coverEveryDayFromTheFirstToTheLast_inOrder() {
    assertThat(
            FlightsChunks.halfMonths(
                dates("2001-03-20", "2001-01-10", "2001-02-16"), Optional.empty()))
        .containsExactly(
            "2001-01-01..2001-01-16",
            "2001-01-16..2001-02-01",
            "2001-02-01..2001-02-16",
            "2001-02-16..2001-03-01",
            "2001-03-01..2001-03-16",
            "2001-03-16..2001-04-01");
  }

  @Test
  void halfMonths_ofADailyRun_isItsDay_andOfNoRows_isOneChunkOfEverything() {
    assertThat(FlightsChunks.halfMonths(dates(), Optional.of(LocalDate.of(2001, 1, 31))))
        .containsExactly("2001-01-31..2001-02-01");
    assertThat(FlightsChunks.halfMonths(dates(), Optional.empty()))
        .containsExactly("1970-01-01..9999-01-01");
  }

  @Test
  void in_keepsTheRowsFromTheFirstDay_upToButNotTheDayAfterTheLast() {
    Dataset<Row> rows = dates("2001-01-15", "2001-01-16", "2001-01-31", "2001-02-01");

    List<Row> kept = FlightsChunks.in(rows, "2001-01-16..2001-02-01").collectAsList();

    assertThat(kept)
        .containsExactly(
            RowFactory.create(day("2001-01-16")), RowFactory.create(day("2001-01-31")));
  }
}
