package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.internal.input.Locations.PlainPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aLocationSpelledTwoWays_isOneRun_andTheJobReadsItsRealPath(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("x.parquet"), "rows");
    Path link = Files.createSymbolicLink(dir.resolve("today.parquet"), file);
    CairnJob daily = job("daily", Parameter.location("flights", "Parquet of flights"));
    String relative = "./" + Path.of("").toAbsolutePath().relativize(file);

    ParameterResolver.Resolved absolute = resolve(daily, Map.of("flights", file.toString()), ENV);
    ParameterResolver.Resolved dotted = resolve(daily, Map.of("flights", relative), ENV);
    ParameterResolver.Resolved linked = resolve(daily, Map.of("flights", link.toString()), ENV);

    assertThat(runId(daily, dotted)).isEqualTo(runId(daily, absolute));
    assertThat(runId(daily, linked)).isEqualTo(runId(daily, absolute));
    assertThat(dotted.values().require("flights")).isEqualTo(file.toRealPath().toString());
    assertThat(runId(daily, resolve(daily, Map.of("flights", dir + "/y.parquet"), ENV)))
        .isNotEqualTo(runId(daily, absolute));
  }

  @Test
  void aFetchedDefault_isTheSameRunInEveryDataCache_identifiedByItsChecksum(@TempDir Path dir) {
    CairnJob daily = job("daily", Parameter.location("flights", "Parquet", FetchedFlights::in));
    JobEnvironment alice = new JobEnvironment(dir.resolve("alice"));
    JobEnvironment node2 = new JobEnvironment(dir.resolve("node2"));

    ParameterResolver.Resolved here = resolve(daily, Map.of(), alice);
    ParameterResolver.Resolved there = resolve(daily, Map.of(), node2);

    assertThat(runId(daily, here)).isEqualTo(runId(daily, there));
    assertThat(here.identity()).containsEntry("flights", "content:sha256:abc1");
    assertThat(here.values().require("flights")).endsWith("/alice/f.parquet");
    assertThat(there.values().require("flights")).endsWith("/node2/f.parquet");
  }

  @Test
  void aLocationGivenAsTheDefaultsOwnPlace_isTheDefaultsRun_anotherPlaceIsAnotherRun(
      @TempDir Path dir) {
    CairnJob daily = job("daily", Parameter.location("flights", "Parquet", FetchedFlights::in));
    JobEnvironment alice = new JobEnvironment(dir.resolve("alice"));

    String byDefault = runId(daily, resolve(daily, Map.of(), alice));

    assertThat(runId(daily, resolve(daily, Map.of("flights", dir + "/alice/./f.parquet"), alice)))
        .isEqualTo(byDefault);
    assertThat(runId(daily, resolve(daily, Map.of("flights", dir + "/f.parquet"), alice)))
        .isNotEqualTo(byDefault);
  }

  @Test
  void aLocationSpelledAsTheContentIdentity_isAPlace_notTheDefault(@TempDir Path dir) {
    CairnJob daily = job("daily", Parameter.location("flights", "Parquet", FetchedFlights::in));
    JobEnvironment alice = new JobEnvironment(dir.resolve("alice"));

    assertThat(resolve(daily, Map.of("flights", "content:sha256:abc1"), alice).identity())
        .containsEntry("flights", "place:content:sha256:abc1");
  }

  @Test
  void aRecordedRun_readsThisHostsCopyOfItsFetchedDefault_unlessARerunSetIt(@TempDir Path dir) {
    CairnJob daily =
        job(
            "daily",
            Parameter.location("flights", "Parquet", FetchedFlights::in),
            Parameter.optional("date", "the day"));
    ParameterResolver.Resolved alices =
        resolve(daily, Map.of("date", "2001-01-02"), new JobEnvironment(dir.resolve("alice")));
    Map<String, String> identity =
        RunIdentity.values(RunIdentity.of(daily.name(), alices.identity()).runKey());
    JobEnvironment bob = new JobEnvironment(dir.resolve("bob"));

    Parameters onBobsHost =
        ParameterResolver.onThisHost(
            daily, identity, alices.values().asMap(), Set.of(), bob, PlainPaths.LOCAL);
    Parameters setByRerun =
        ParameterResolver.onThisHost(
            daily, identity, alices.values().asMap(), Set.of("flights"), bob, PlainPaths.LOCAL);

    assertThat(identity).isEqualTo(alices.identity());
    assertThat(onBobsHost.asMap())
        .containsEntry("date", "2001-01-02")
        .containsEntry("flights", resolve(daily, Map.of(), bob).values().require("flights"));
    assertThat(setByRerun).isEqualTo(alices.values());
  }

  @Test
  void aRerunsLocationChange_isCanonical_otherChangesAsGiven() {
    CairnJob daily =
        job(
            "daily",
            Parameter.location("flights", "Parquet"),
            Parameter.optional("date", "the day"));

    assertThat(
            ParameterResolver.canonicalChanges(
                daily, Map.of("flights", "s3a://b/in/./x/", "date", "./2024"), PlainPaths.LOCAL))
        .containsExactly(Map.entry("date", "./2024"), Map.entry("flights", "s3a://b/in/x"));
  }

  /** A dataset fetched into the data cache, as the launcher fetches flights-daily's. */
  private static final class FetchedFlights {
    static Parameter.Fetched in(JobEnvironment env) {
      return new Parameter.Fetched(env.dataCache().resolve("f.parquet").toString(), "sha256:abc1");
    }
  }

  private static ParameterResolver.Resolved resolve(
      CairnJob job, Map<String, String> given, JobEnvironment env) {
    return ParameterResolver.resolve(job, given, env, PlainPaths.LOCAL);
  }

  private static String runId(CairnJob job, ParameterResolver.Resolved resolved) {
    return RunIdentity.of(job.name(), resolved.identity()).runId();
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
