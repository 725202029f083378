package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnJob;
import dev.cairn.ChunkPlanner;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.internal.chunking.SizingSettings;
import dev.cairn.internal.metrics.StageObserver;
import dev.cairn.internal.store.ChunkDecision;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.StageMetrics;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The runtime groups a chunked stage's units into chunks from what this run and the job's last
 * succeeded run measured (Spark job time, the driver's own time per commit).
 */
class ChunkSizingRunTest {
  private final Harness h = new Harness();
  private final LeaseHolder driver = Harness.remote("driver", 101);
  private final TenDaysJob job = new TenDaysJob();

  /** Every stage attempt took 1.3 s, 1.0 s of it in Spark jobs: C = 0.3 s. */
  private final StageObserver measured = observer(1_300, 1_000);

  private static StageObserver observer(long durationMs, long sparkJobMs) {
    return new StageObserver() {
      @Override
      public void begin(String group, String description) {}

      @Override
      public StageMetrics end(String group, long ignored) {
        return new StageMetrics(durationMs, 0, 0, 0, 0, 0, 0, 0, 0, sparkJobMs);
      }

      @Override
      public void cancel(String group) {}
    };
  }

  private static SizingSettings capped(double seconds) {
    return new SizingSettings(
        OptionalDouble.of(seconds),
        SizingSettings.DEFAULT_MTBI_SECONDS,
        SizingSettings.DEFAULT_OVERHEAD_BUDGET,
        () -> false);
  }

  private ChunkDecision decision(Parameters parameters) {
    String runId = RunIdentity.of(job.name(), parameters).runId();
    return h.store.stages(runId).stream()
        .filter(s -> s.stage().equals("load"))
        .findFirst()
        .orElseThrow()
        .chunkPlan()
        .decision()
        .orElseThrow();
  }

  @Test
  void aShortStage_isOneChunk_expectedFromItsUpstreamStage() {
    Parameters p = Parameters.of(Map.of("date", "2024-01-31"));

    h.driver(driver, FaultPoints.NONE, measured).run(job, p);

    // The upstream stage's 1.0 s of Spark work, spread over ten equal days: far below τ.
    assertThat(job.computed).containsExactly("01..10");
    assertThat(decision(p).describe())
        .isEqualTo(
            "10 units in 1 chunk: τ 227 s from C 0.30 s, M 24 h, cap 300 s; expected 1.0 s"
                + " (upstream stages)");
  }

  @Test
  void theCap_groupsTheUnitsIntoChunksOfAtMostThatMuchExpectedWork() {
    Parameters p = Parameters.of(Map.of("date", "2024-01-31"));

    h.driver(driver, FaultPoints.NONE, measured, capped(0.2)).run(job, p);

    assertThat(job.computed).containsExactly("01..02", "03..04", "05..06", "07..08", "09..10");
    assertThat(decision(p).describe()).contains("10 units in 5 chunks", "cap 0.2 s");
    assertThat(decision(p).capBasis()).isEqualTo("CAIRN_CHUNK_MAX_SECONDS");
  }

  @Test
  void theJobsLastSucceededRun_tellsTheStagesWork_overTheUpstreamEstimate() {
    // The first run measured load at 4 s of Spark work over its ten units.
    h.driver(driver, FaultPoints.NONE, observer(4_300, 4_000))
        .run(job, Parameters.of(Map.of("date", "2024-01-30")));
    job.computed.clear();

    Parameters next = Parameters.of(Map.of("date", "2024-01-31"));
    h.driver(driver, FaultPoints.NONE, measured, capped(1.0)).run(job, next);

    ChunkDecision decision = decision(next);
    assertThat(decision.expectedSeconds()).isEqualTo(4.0);
    assertThat(decision.expectedBasis()).startsWith("run months-sized-");
    assertThat(decision.fixedCostBasis()).isEqualTo("this run");
    assertThat(job.computed).hasSize(5); // 4 s at most 1 s a chunk: 0.8 s chunks of two days
  }

  @Test
  void onSpot_theCapDefaultsToWhatFitsInTheTwoMinuteNotice() {
    SizingSettings spot =
        new SizingSettings(
            OptionalDouble.empty(),
            SizingSettings.DEFAULT_MTBI_SECONDS,
            SizingSettings.DEFAULT_OVERHEAD_BUDGET,
            () -> true);
    Parameters p = Parameters.of(Map.of("date", "2024-01-31"));

    h.driver(driver, FaultPoints.NONE, measured, spot).run(job, p);

    assertThat(decision(p).capSeconds()).isEqualTo(90);
    assertThat(decision(p).capBasis()).isEqualTo("Spot notice");
  }

  @Test
  void withNothingMeasured_everyUnitIsAChunk() {
    Parameters p = Parameters.of(Map.of("date", "2024-01-31"));

    h.driver(driver).run(job, p);

    assertThat(job.computed).hasSize(10).startsWith("01", "02");
    assertThat(decision(p).describe())
        .endsWith(
            "duration unknown (no earlier run, no measured upstream stage): one chunk per unit");
  }

  /** {@code extract}, then {@code load}: chunked into ten days of equal weight. */
  private static final class TenDaysJob extends CairnJob {
    final List<String> computed = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "months-sized";
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(Parameter.required("date", "the day"));
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      List<ChunkPlanner.Unit> days =
          IntStream.rangeClosed(1, 10)
              .mapToObj(i -> ChunkPlanner.Unit.of(String.format("%02d", i), 100))
              .toList();
      return List.of(
          Stage.named("extract").output(Output.table("raw")).compute(context -> null),
          Stage.named("load")
              .dependsOn("extract")
              .output(Output.table("days"))
              .chunked(context -> days)
              .compute(
                  context -> {
                    computed.add(context.chunk().orElseThrow().key());
                    return null;
                  }));
    }
  }
}
