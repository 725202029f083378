package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunIdentityTest {

  @Test
  void sameParametersInAnyOrder_giveTheSameRunId() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("date", "2024-01-31");
    forward.put("airline", "AA");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("airline", "AA");
    backward.put("date", "2024-01-31");

    RunIdentity a = RunIdentity.of("flights", Parameters.of(forward));
    RunIdentity b = RunIdentity.of("flights", Parameters.of(backward));

    assertThat(a).isEqualTo(b);
    assertThat(a.runKey()).isEqualTo("airline=AA&date=2024-01-31");
    assertThat(a.runId()).matches("flights-[0-9a-f]{12}");
    assertThat(a.parametersHash()).hasSize(64).startsWith(a.runId().substring(8));
  }

  @Test
  void otherValueOrOtherJob_givesAnotherIdentity() {
    RunIdentity base = RunIdentity.of("flights", Parameters.of(Map.of("date", "2024-01-31")));

    assertThat(RunIdentity.of("flights", Parameters.of(Map.of("date", "2024-02-01"))).runId())
        .isNotEqualTo(base.runId());
    assertThat(RunIdentity.of("flights", Parameters.of(Map.of("date", "2024-01-31"))))
        .isEqualTo(base);
    assertThat(
            RunIdentity.of("weather", Parameters.of(Map.of("date", "2024-01-31"))).parametersHash())
        .isNotEqualTo(base.parametersHash());
  }

  @Test
  void runKey_encodesValues_soSeparatorsInValuesCannotCollide() {
    RunIdentity oneValue = RunIdentity.of("j", Parameters.of(Map.of("a", "1&b=2")));
    RunIdentity twoValues = RunIdentity.of("j", Parameters.of(Map.of("a", "1", "b", "2")));

    assertThat(oneValue.runKey()).isEqualTo("a=1%26b%3D2");
    assertThat(oneValue.runId()).isNotEqualTo(twoValues.runId());
  }
}
