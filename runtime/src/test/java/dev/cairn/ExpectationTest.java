package dev.cairn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ExpectationTest {

  @Test
  void factories_describeWhatIsChecked() {
    assertThat(Expectation.notNull("origin", "destination").describe())
        .isEqualTo("not null (origin, destination)");
    assertThat(Expectation.uniqueKey("day").describe()).isEqualTo("unique key (day)");
    assertThat(Expectation.rowCount(1, 366).describe()).isEqualTo("row count in [1, 366]");
    assertThat(Expectation.references("busiest", "airports", "code").describe())
        .isEqualTo("busiest references airports.code");
    assertThat(Expectation.countsBy("reason").describe()).isEqualTo("counts by reason");
  }

  @Test
  void onlyReferences_readsAnUpstreamStage() {
    assertThat(Expectation.references("busiest", "airports", "code").reads())
        .isEqualTo(Set.of("airports"));
    assertThat(Expectation.notNull("a").reads()).isEmpty();
  }

  @Test
  void invalidArguments_areRefused_namingTheFactory() {
    assertThatThrownBy(() -> Expectation.notNull())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("notNull needs at least one column");
    assertThatThrownBy(() -> Expectation.uniqueKey("day", " "))
        .hasMessage("uniqueKey has a blank column name");
    assertThatThrownBy(() -> Expectation.rowCount(5, 1))
        .hasMessage("rowCount(5, 1) needs 0 <= min <= max");
    assertThatThrownBy(() -> Expectation.references("a", "", "b"))
        .hasMessage("references needs the upstream stage's name");
    assertThatThrownBy(() -> Expectation.schema(new StructType()))
        .hasMessage("schema needs at least one column");
    assertThatThrownBy(() -> Expectation.countsBy(null))
        .hasMessage("countsBy has a blank column name");
  }

  @Test
  void aStageCheckingAnUpstreamItDoesNotDependOn_isRefused_withTheFix() {
    assertThatThrownBy(
            () ->
                Stage.named("report")
                    .output(Output.table("report"))
                    .expect(Expectation.references("day", "load", "day"))
                    .compute(ctx -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "stage 'report' checks day references load.day but does not depend on 'load'."
                + " Fix: add .dependsOn(\"load\")");
  }
}
