package dev.cairn.internal.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ChunkSizingTest {
  private static final double DAY = 86_400;

  private static SizingInputs inputs(
      List<Long> weights, double c, double rate, double m, double cap) {
    return new SizingInputs(
        weights,
        c,
        "this run",
        OptionalDouble.of(rate),
        "upstream stages",
        m,
        cap,
        "default",
        0.02);
  }

  private static List<Long> equal(int units) {
    return Collections.nCopies(units, 1L);
  }

  @Test
  void tau_followsDaly_andIsAboutYoungsSquareRootForSmallCosts() {
    // Young: sqrt(2 * 0.3 * 86400) = 227.7 s; Daly's correction adds under a second here.
    assertThat(ChunkSizing.tau(0.3, DAY)).isCloseTo(Math.sqrt(2 * 0.3 * DAY), within(1.0));
    assertThat(ChunkSizing.tau(0.3, DAY)).isCloseTo(228.0, within(1.0));
    assertThat(ChunkSizing.tau(9, 4)).isEqualTo(4); // C >= 2M: one interval of M
    assertThat(ChunkSizing.tau(0, DAY)).isZero();
  }

  @Test
  void aThirtySecondStage_isOneChunk_andAThirtyMinuteStage_aboutEight() {
    // 13 half months of a 30 s stage, C 0.3 s, M a day: τ ≈ 228 s holds the whole stage.
    var small = ChunkSizing.decide(inputs(equal(13), 0.3, 30.0 / 13, DAY, 300));
    assertThat(small.starts()).containsExactly(0);
    assertThat(small.decision().chunks()).isEqualTo(1);
    assertThat(small.decision().expectedSeconds()).isCloseTo(30, within(1e-9));

    // The same units over 30 minutes: ⌈1800 / 228⌉ = 8 chunks.
    var large = ChunkSizing.decide(inputs(equal(182), 0.3, 1800.0 / 182, DAY, 300));
    assertThat(large.starts()).hasSize(8);
    assertThat(large.decision().tauSeconds()).isCloseTo(228, within(1.0));
  }

  @Test
  void theCapBoundsEveryChunkOfSeveralUnits_evenAgainstTheOverheadBudget() {
    // 182 days of 0.33 s each (60 s) with a cap of 2 s: at least 30 chunks, none over 2 s.
    double rate = 60.0 / 182;
    var sized = ChunkSizing.decide(inputs(equal(182), 0.3, rate, DAY, 2));
    assertThat(sized.starts().size()).isGreaterThanOrEqualTo(30);
    assertThat(chunkSeconds(equal(182), sized.starts(), rate)).allMatch(s -> s <= 2.0 + 1e-9);
    assertThat(sized.decision().targetSeconds()).isEqualTo(2);
  }

  @Test
  void theOverheadBudget_keepsChunksLongEnoughForTheirFixedCost() {
    // M of an hour and C of 1 s: τ ≈ 84 s; the budget needs chunks of at least 49 s.
    var sized = ChunkSizing.decide(inputs(equal(100), 1.0, 1.0, 3_600, 300));
    assertThat(sized.decision().tauSeconds()).isCloseTo(84.2, within(0.1));
    assertThat(sized.decision().targetSeconds()).isCloseTo(84.2, within(0.1));
    var costly = ChunkSizing.decide(inputs(equal(100), 1.0, 1.0, 60, 300));
    // τ for M = 60 s is ~11 s; the budget's floor of 49 s wins: ⌈100 / 49⌉ = 3 chunks.
    assertThat(costly.decision().targetSeconds()).isCloseTo(49, within(1e-9));
    assertThat(costly.starts()).hasSize(3);
  }

  @Test
  void chunksHoldAboutEqualWork_byWeight_notByUnitCount() {
    // Ten light units then two heavy ones, 150 s in all, at most 100 s a chunk: two chunks, cut
    // where the weight (not the unit count, which would cut at 6) is halved.
    List<Long> weights = List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 10L, 10L);
    var sized = ChunkSizing.decide(inputs(weights, 0.3, 150.0 / 30, DAY, 100));
    assertThat(sized.starts()).containsExactly(0, 10);
    assertThat(chunkSeconds(weights, sized.starts(), 5)).containsExactly(50.0, 100.0);
  }

  @Test
  void aUnitHeavierThanTheCap_isAChunkOfItsOwn() {
    List<Long> weights = List.of(1L, 100L, 1L);
    var sized = ChunkSizing.decide(inputs(weights, 0.3, 1.0, DAY, 10));
    assertThat(sized.starts()).containsExactly(0, 1, 2);
  }

  @Test
  void withoutAnEstimate_everyUnitIsAChunk_andTheDecisionSaysSo() {
    var sized =
        ChunkSizing.decide(
            new SizingInputs(
                equal(5),
                0.3,
                "default",
                OptionalDouble.empty(),
                "no earlier run",
                DAY,
                300,
                "default",
                0.02));
    assertThat(sized.starts()).containsExactly(0, 1, 2, 3, 4);
    assertThat(sized.decision().describe())
        .isEqualTo(
            "5 units in 5 chunks: τ 227 s from C 0.30 s, M 24 h, cap 300 s; duration unknown (no"
                + " earlier run): one chunk per unit");
  }

  @Test
  void theDecisionReadsAsStatusShowsIt() {
    var sized = ChunkSizing.decide(inputs(equal(13), 0.31, 62.0 / 13, DAY, 300));
    assertThat(sized.decision().describe())
        .isEqualTo(
            "13 units in 1 chunk: τ 231 s from C 0.31 s, M 24 h, cap 300 s; expected 62 s"
                + " (upstream stages)");
  }

  @Test
  void emptyWeights_orNoWork_makeOneChunk() {
    var sized = ChunkSizing.decide(inputs(List.of(0L, 0L, 0L), 0.3, 1.0, DAY, 300));
    assertThat(sized.starts()).containsExactly(0);
  }

  private static List<Double> chunkSeconds(List<Long> weights, List<Integer> starts, double rate) {
    List<Double> seconds = new java.util.ArrayList<>();
    for (int k = 0; k < starts.size(); k++) {
      int to = k + 1 < starts.size() ? starts.get(k + 1) : weights.size();
      long w = 0;
      for (int i = starts.get(k); i < to; i++) {
        w += weights.get(i);
      }
      seconds.add(rate * w);
    }
    return seconds;
  }
}
