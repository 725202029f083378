package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.internal.metrics.StageObserver;
import org.junit.jupiter.api.Test;

/** The services a run works through: required ones given, the others defaulted, none null. */
class RunServicesTest {
  private final Harness h = new Harness();

  private RunServices.Builder builder() {
    return RunServices.builder(
        h.store, h.tables, () -> null, h.clock, Harness.remote("driver", 101), Harness.SETTINGS);
  }

  @Test
  void defaults_injectNoFaults_observeNothing_andNoStopIsRequested() {
    RunServices services = builder().build();

    assertThat(services.faults()).isSameAs(FaultPoints.NONE);
    assertThat(services.observer()).isSameAs(StageObserver.NONE);
    assertThat(services.interruption().requested()).isEmpty();
    assertThat(services.settings()).isEqualTo(Harness.SETTINGS);
  }

  @Test
  void setter_refusesNull_namingTheService() {
    assertThatThrownBy(() -> builder().sleeper(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sleeper");
  }
}
