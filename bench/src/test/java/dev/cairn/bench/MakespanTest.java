package dev.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.cairn.bench.Makespan.Policy;
import dev.cairn.bench.Makespan.Row;
import dev.cairn.bench.Makespan.StageWork;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class MakespanTest {
  private static final double HOUR = 3600;
  private static final double DAY = 86400;

  /** The runtime's defaults off Spot: a 5-minute cap, 2 % overhead budget. */
  private static final double CAP = 300;

  private static final double BUDGET = 0.02;

  /** One chunked stage of 1000 s over 100 equal units; C = 0.3 s, R = 20 s. */
  private static final List<StageWork> THOUSAND_SECONDS =
      List.of(new StageWork("enrich", 1000, Collections.nCopies(100, 1_000L)));

  private static final double C = 0.3;
  private static final double R = 20;

  @Test
  void segment_withInterruptionsFarApart_takesAboutItsOwnLength() {
    assertThat(Makespan.segment(60, 1e12, 10)).isCloseTo(60, withPercentage(1e-4));
  }

  @Test
  void segment_growsWithTheRestartCost_andWithShorterTimeBetweenInterruptions() {
    double base = Makespan.segment(600, HOUR, 10);

    assertThat(Makespan.segment(600, HOUR, 60)).isGreaterThan(base);
    assertThat(Makespan.segment(600, HOUR / 2, 10)).isGreaterThan(base);
    assertThat(base).isGreaterThan(600);
  }

  @Test
  void segment_matchesAValueWorkedByHand() {
    // (3600 + 10)(e^{60/3600} − 1) = 3610 × 0.0168063…
    assertThat(Makespan.segment(60, HOUR, 10)).isCloseTo(60.6708527, within(1e-6));
  }

  @Test
  void segment_whoseExponentialOverflows_isInfinite_andPrintsAsInfinity() {
    assertThat(Makespan.segment(1e6, 1, 0)).isInfinite();

    List<Row> rows =
        Makespan.table(
            List.of(new StageWork("huge", 1e6, List.of())), C, R, CAP, BUDGET, List.of(1.0));
    assertThat(Makespan.markdown(rows, 1e6).get(2)).isEqualTo("| 1 s | ∞ | ∞ | ∞, 0 chunks |");
  }

  @Test
  void chunkedStage_atOneHour_isFasterInChunksOfOneUnitThanInOneChunk() {
    assertThat(expected(Policy.ONE_CHUNK_PER_UNIT, HOUR))
        .isLessThan(expected(Policy.ONE_CHUNK_PER_STAGE, HOUR));
  }

  @Test
  void chunkedStage_atThirtyDays_isFasterInOneChunkThanInChunksOfOneUnit() {
    assertThat(expected(Policy.ONE_CHUNK_PER_STAGE, 30 * DAY))
        .isLessThan(expected(Policy.ONE_CHUNK_PER_UNIT, 30 * DAY));
  }

  @Test
  void chunkedStage_underRuntimeSizing_isWithinOnePercentOfTheBetterFixedPolicy_atEachMtbi() {
    for (double mtbi : Makespan.MTBIS) {
      double best =
          Math.min(
              expected(Policy.ONE_CHUNK_PER_STAGE, mtbi),
              expected(Policy.ONE_CHUNK_PER_UNIT, mtbi));

      assertThat(expected(Policy.RUNTIME, mtbi)).as("M = %s s", mtbi).isLessThan(best * 1.01);
    }
  }

  @Test
  void unchunkedStage_isOneSegmentOfItsWork_whateverThePolicy() {
    List<StageWork> plain = List.of(new StageWork("load", 500, List.of()));
    double one = Makespan.segment(500 + C, HOUR, R);

    for (Policy policy : Policy.values()) {
      assertThat(Makespan.expected(plain, policy, C, R, HOUR, CAP, BUDGET))
          .as(policy.label())
          .isEqualTo(one);
    }
  }

  @Test
  void chunkedStage_inChunksOfOneUnit_sharesItsWorkByWeight() {
    List<StageWork> uneven = List.of(new StageWork("enrich", 100, List.of(1L, 3L)));

    assertThat(Makespan.expected(uneven, Policy.ONE_CHUNK_PER_UNIT, C, R, HOUR, CAP, BUDGET))
        .isCloseTo(
            Makespan.segment(25 + C, HOUR, R) + Makespan.segment(75 + C, HOUR, R), within(1e-9));
  }

  @Test
  void markdown_hasAHeaderAndOneRowPerMtbi_namingTheRuntimesChunkCount() {
    List<Row> rows = Makespan.table(THOUSAND_SECONDS, C, R, CAP, BUDGET, Makespan.MTBIS);
    double failureFree = Makespan.failureFree(THOUSAND_SECONDS, C);

    List<String> lines = Makespan.markdown(rows, failureFree);

    assertThat(failureFree).isEqualTo(1000.3);
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0))
        .isEqualTo("| M | one chunk per stage | one chunk per unit | runtime sizing |");
    assertThat(lines.get(1)).isEqualTo("|---|---:|---:|---:|");
    assertThat(lines.subList(2, 5))
        .extracting(line -> line.substring(0, line.indexOf(" |", 2)))
        .containsExactly("| 1 h", "| 24 h", "| 30 d");
    for (int i = 0; i < 3; i++) {
      Row row = rows.get(i);
      assertThat(row.runtimeChunks()).isBetween(2, 99);
      assertThat(lines.get(2 + i))
          .endsWith(", " + row.runtimeChunks() + " chunks |")
          .matches("\\| \\S+ \\S+ \\| [0-9.]+ s \\([0-9.]{5}\\) \\| .*");
    }
  }

  @Test
  void invalidInputs_areRefused_namingTheValue() {
    assertThatThrownBy(() -> new StageWork("enrich", -1, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stage enrich: work -1.0 s is not a finite number >= 0");
    assertThatThrownBy(
            () -> Makespan.expected(THOUSAND_SECONDS, Policy.RUNTIME, -0.1, R, HOUR, CAP, BUDGET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commit cost C -0.1 s is not a finite number >= 0");
    assertThatThrownBy(() -> Makespan.segment(60, 0, R))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mean time between interruptions M 0.0 s is not a finite number > 0");
  }

  private static double expected(Policy policy, double mtbi) {
    return Makespan.expected(THOUSAND_SECONDS, policy, C, R, mtbi, CAP, BUDGET);
  }
}
