package dev.cairn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Declared inputs: what a stage says it reads, and the mistakes a job author can make there. */
class InputTest {

  @Test
  void aStagesDeclaredInputs_areKeptInOrder_asFilesOrADeltaTable() {
    Stage stage =
        Stage.named("clean")
            .reads(Input.files("flights"), Input.deltaTable("customers"))
            .output(Output.table("t"))
            .compute(ctx -> null);

    assertThat(stage.inputs())
        .containsExactly(Input.files("flights"), Input.deltaTable("customers"));
    assertThat(stage.inputs())
        .extracting(Input::kind)
        .containsExactly(Input.Kind.FILES, Input.Kind.DELTA_TABLE);
  }

  @Test
  void anInputDeclaredTwice_orBlank_isRefusedSayingTheFix() {
    assertThatThrownBy(
            () -> Stage.named("clean").reads(Input.files("flights"), Input.deltaTable("flights")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "stage 'clean' declares input 'flights' twice. Fix: declare each input once, as files"
                + " or as a Delta table");
    assertThatThrownBy(() -> Input.files(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "an input's name is blank. Fix: give the job parameter that holds its location, or"
                + " the path or URI itself, e.g. Input.files(\"flights\")");
  }
}
