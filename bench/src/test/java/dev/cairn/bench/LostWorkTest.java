package dev.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostWorkTest {
  @Test
  void resumedSlowdown_isEachStageRunWholeAgainstTheCleanRunsMedian_summedPerKill() {
    LostWork.Result result =
        new LostWork.Result(
            List.of(
                clean(Map.of("clean", 10.0, "enrich", 20.0)),
                clean(Map.of("clean", 12.0, "enrich", 26.0)),
                clean(Map.of("clean", 30.0, "enrich", 21.0))),
            List.of(
                killed(Map.of("enrich", 25.0)),
                // a resume that ran no stage whole has nothing to compare: not a zero
                killed(Map.of()),
                killed(Map.of("clean", 11.0, "enrich", 20.0))));

    assertThat(result.cleanStageMedians())
        .containsEntry("clean", 12.0)
        .containsEntry("enrich", 21.0);
    assertThat(result.resumedSlowdowns())
        .containsExactly(Map.of("enrich", 4.0), Map.of(), Map.of("clean", -1.0, "enrich", -1.0));
    assertThat(result.resumedSlowdownTotals()).containsExactly(4.0, -2.0);
    assertThat(result.resumedSlowdownMedian()).isEqualTo(1.0);
  }

  @Test
  void resumedSlowdownMedian_ofNoKillThatRanAStageWhole_isNaN() {
    LostWork.Result result =
        new LostWork.Result(List.of(clean(Map.of("clean", 10.0))), List.of(killed(Map.of())));

    assertThat(result.resumedSlowdownMedian()).isNaN();
  }

  private static LostWork.Clean clean(Map<String, Double> stages) {
    return new LostWork.Clean(0, 60, "", 50, 20, Map.of(), stages);
  }

  private static LostWork.Killed killed(Map<String, Double> resumedStages) {
    return new LostWork.Killed(0, 0, 30, 40, "resume", List.of(), "", Map.of(), 5, resumedStages);
  }
}
