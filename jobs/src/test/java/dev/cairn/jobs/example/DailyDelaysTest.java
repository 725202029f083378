package dev.cairn.jobs.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.Output;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.internal.engine.StageGraph;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DailyDelaysTest {

  @Test
  void readmeExample_isAValidJob_withCleanBeforePerAirport() {
    DailyDelays job = new DailyDelays();

    StageGraph graph =
        StageGraph.of(job.name(), job.stages(Parameters.of(Map.of("flights", "/data/f.parquet"))));

    assertThat(graph.order()).extracting(Stage::name).containsExactly("clean", "per_airport");
    assertThat(graph.stage("per_airport").output().mode()).isEqualTo(Output.Mode.MERGE);
    assertThat(graph.stage("per_airport").dependencies()).containsExactly("clean");
    assertThat(graph.stage("clean").inputs()).containsExactly(dev.cairn.Input.files("flights"));
  }
}
