package dev.cairn.jobs.flights;

import static dev.cairn.jobs.flights.FlightsFixtures.day;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.Chunk;
import dev.cairn.ChunkPlanner.Unit;
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
            java.util.Arrays.stream(days)
                .map(d -> RowFactory.create(d == null ? null : day(d)))
                .toList(),
            DATES);
  }

  @Test
  void days_areTheDatesInOrder_weightedByTheirRows() {
    assertThat(
            FlightsChunks.days(
                dates("2001-03-20", "2001-01-10", "2001-03-20", null, "2001-02-16"),
                Optional.empty()))
        .containsExactly(
            Unit.of("2001-01-10", 1), Unit.of("2001-02-16", 1), Unit.of("2001-03-20", 2));
  }

  @Test
  void days_ofADailyRun_isItsDay_andOfNoRows_isOneUnitOfEverything() {
    assertThat(FlightsChunks.days(dates(), Optional.of(LocalDate.of(2001, 1, 31))))
        .containsExactly(Unit.of("2001-01-31"));
    assertThat(FlightsChunks.days(dates(), Optional.empty())).containsExactly(Unit.of("all"));
    assertThat(FlightsChunks.in(dates("2001-01-15"), new Chunk(0, 1, List.of("all"))).count())
        .isEqualTo(1);
  }

  @Test
  void in_keepsTheRowsFromTheFirstDay_toTheLast_bothIncluded() {
    Dataset<Row> rows = dates("2001-01-15", "2001-01-16", "2001-01-31", "2001-02-01");

    List<Row> kept =
        FlightsChunks.in(rows, new Chunk(1, 3, List.of("2001-01-16", "2001-01-20", "2001-01-31")))
            .collectAsList();

    assertThat(kept)
        .containsExactly(
            RowFactory.create(day("2001-01-16")), RowFactory.create(day("2001-01-31")));
  }

  @Test
  void aUnitThatIsNotADay_isRefusedNamingIt() {
    assertThatThrownBy(() -> FlightsChunks.in(dates(), new Chunk(0, 1, List.of("2001-13-01"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unit '2001-13-01' of flights-daily's enrich is not a day (YYYY-MM-DD)");
  }
}
