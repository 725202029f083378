package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.InvalidParameterException;
import dev.cairn.Output;
import dev.cairn.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageGraphTest {

  @Test
  void order_putsEachStageAfterItsDependencies_breakingTiesByDeclarationOrder() {
    StageGraph graph =
        StageGraph.of(
            "j",
            List.of(
                stage("report", "clean", "airports"),
                stage("clean", "raw"),
                stage("airports"),
                stage("raw"),
                stage("audit")));

    assertThat(graph.order())
        .extracting(Stage::name)
        .containsExactly("airports", "raw", "clean", "report", "audit");
    assertThat(graph.stage("clean").dependencies()).containsExactly("raw");
  }

  @Test
  void independentStages_keepTheirDeclarationOrder() {
    StageGraph graph = StageGraph.of("j", List.of(stage("c"), stage("a"), stage("b")));

    assertThat(graph.order()).extracting(Stage::name).containsExactly("c", "a", "b");
  }

  @Test
  void cycle_isRefused_namingTheStagesInIt() {
    assertThatThrownBy(
            () ->
                StageGraph.of("j", List.of(stage("raw"), stage("a", "raw", "b"), stage("b", "a"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "job 'j' has a dependency cycle among stages [a, b]. Fix: remove one dependency");
  }

  @Test
  void stageDependingOnItself_isACycle() {
    assertThatThrownBy(() -> StageGraph.of("j", List.of(stage("a", "a"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("job 'j' has a dependency cycle among stages [a]. Fix: remove one dependency");
  }

  @Test
  void unknownDependency_isRefused_listingTheStagesThatExist() {
    assertThatThrownBy(() -> StageGraph.of("j", List.of(stage("raw"), stage("clean", "rwa"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "job 'j' stage 'clean' depends on unknown stage 'rwa'. Fix: declare it, or use one of:"
                + " raw, clean");
  }

  @Test
  void duplicateStageName_isRefused() {
    assertThatThrownBy(
            () ->
                StageGraph.of(
                    "j",
                    List.of(
                        stage("raw"),
                        Stage.named("raw").output(Output.table("other")).compute(c -> null))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("job 'j' declares stage 'raw' twice. Fix: rename one of them");
  }

  @Test
  void twoStagesWritingOneTable_areRefused() {
    assertThatThrownBy(
            () ->
                StageGraph.of(
                    "j",
                    List.of(
                        stage("raw"),
                        Stage.named("copy").output(Output.table("raw_t")).compute(c -> null))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "job 'j' stages 'raw' and 'copy' both write table 'raw_t'. Fix: give each stage its"
                + " own output table");
  }

  /** A stage writing table {@code <name>_t}. */
  private static Stage stage(String name, String... dependencies) {
    return Stage.named(name)
        .dependsOn(dependencies)
        .output(Output.table(name + "_t"))
        .compute(context -> null);
  }
}
