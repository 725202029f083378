package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterResolverTest {
  private static final JobEnvironment ENV = new JobEnvironment(Path.of("/cache"));

  private final CairnJob job =
      job(
          "flights",
          Parameter.required("date", "the day to load"),
          Parameter.optional("airline", "only this carrier"),
          Parameter.withDefault(
              "source", "the input CSV", env -> env.dataCache().resolve("flights.csv").toString()));

  @Test
  void explicitValues_plusDefaultsFromTheEnvironment_makeTheEffectiveParameters() {
    Parameters parameters = ParameterResolver.resolve(job, Map.of("date", "2024-01-31"), ENV);

    assertThat(parameters.asMap())
        .containsExactly(
            Map.entry("date", "2024-01-31"), Map.entry("source", "/cache/flights.csv"));
    assertThat(parameters.optional("airline")).isEmpty();
  }

  @Test
  void explicitValue_winsOverTheDefault() {
    Parameters parameters =
        ParameterResolver.resolve(
            job, Map.of("date", "2024-01-31", "source", "s3://in/f.csv", "airline", "AA"), ENV);

    assertThat(parameters.asMap())
        .containsEntry("source", "s3://in/f.csv")
        .containsEntry("airline", "AA");
  }

  @Test
  void unknownParameter_isRefused_listingTheAcceptedOnes() {
    assertThatThrownBy(
            () -> ParameterResolver.resolve(job, Map.of("date", "x", "dat", "2024-01-31"), ENV))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("job 'flights' has no parameter 'dat'. Fix: use one of: airline, date, source");
  }

  @Test
  void anyParameter_forAJobWithoutParameters_isRefused() {
    assertThatThrownBy(() -> ParameterResolver.resolve(job("bare"), Map.of("date", "x"), ENV))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("job 'bare' has no parameter 'date'. Fix: run it without -p");
  }

  @Test
  void missingRequiredParameter_isRefused_withTheFlagToAdd() {
    assertThatThrownBy(() -> ParameterResolver.resolve(job, Map.of(), ENV))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "job 'flights' needs parameter 'date' (the day to load). Fix: add -p date=<value>");
  }

  private static CairnJob job(String name, Parameter... parameters) {
    return new CairnJob() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<Parameter> parameters() {
        return List.of(parameters);
      }

      @Override
      public List<Stage> stages(Parameters p) {
        return List.of();
      }
    };
  }
}
