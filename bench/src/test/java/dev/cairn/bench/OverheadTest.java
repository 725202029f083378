package dev.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OverheadTest {
  @Test
  void plainFirstRunSlowdown_isTheWarmUpsStagesOverTheTimedPlainRunsMedians() {
    Map<String, Long> warmup = new LinkedHashMap<>();
    warmup.put("clean", 9_000L);
    warmup.put("enrich", 4_000L);
    warmup.put("report", 1_000L); // no timed plain run has it: nothing to compare
    Overhead.Result result =
        new Overhead.Result(
            0.3,
            rep("plain", -1, warmup),
            10,
            List.of(
                rep("plain", 0, Map.of("clean", 5_000L, "enrich", 3_000L)),
                rep("cairn", 0, Map.of("clean", 1_000L, "enrich", 1_000L, "report", 1L)),
                rep("plain", 1, Map.of("clean", 7_000L, "enrich", 5_000L))),
            Map.of(),
            1,
            Optional.empty());

    assertThat(result.plainFirstRunSlowdown())
        .containsExactly(Map.entry("clean", 3.0), Map.entry("enrich", 0.0));
  }

  private static Overhead.Rep rep(String side, int index, Map<String, Long> stageMs) {
    return new Overhead.Rep(side, index, 1, "", stageMs, Map.of());
  }
}
