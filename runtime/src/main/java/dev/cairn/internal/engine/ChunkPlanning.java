package dev.cairn.internal.engine;

import dev.cairn.ChunkPlanner;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.internal.chunking.ChunkSizing;
import dev.cairn.internal.chunking.SizingInputs;
import dev.cairn.internal.chunking.SizingSettings;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Makes the plan of a chunked stage: asks its planner for the units and groups them with {@link
 * ChunkSizing}, from what the checkpoint table says this job's work costs.
 *
 * <ul>
 *   <li>C, the fixed cost of a commit: the smallest, over this run's executed stages that are not
 *       chunked, of their time outside Spark jobs (planning, Delta commit, checkpoint writes); the
 *       smallest, because one-off costs (Spark's start in the first stage, an input's listing) only
 *       add to a stage's time; else the same over the job's last succeeded run; else {@value
 *       #DEFAULT_FIXED_COST_SECONDS} s.
 *   <li>The stage's expected work per unit of weight: from the job's last succeeded run of this
 *       stage (its Spark job time over its units' weight, when that run planned it in one attempt);
 *       else this run's upstream stages' Spark job time spread over the units' weight (a stage
 *       costs about what making its inputs cost); else unknown, and each unit is a chunk.
 * </ul>
 *
 * Costs two reads of the checkpoint table beyond this run's (the list of runs, the last succeeded
 * run's stages), once per plan.
 */
final class ChunkPlanning {
  /** C before anything was measured: a Delta commit and two conditional writes, measured here. */
  static final double DEFAULT_FIXED_COST_SECONDS = 0.3;

  private final RunServices services;
  private final SizingSettings settings;

  ChunkPlanning(RunServices services, SizingSettings settings) {
    this.services = services;
    this.settings = settings;
  }

  /** The plan of {@code stage} in run {@code run}, its units named by the stage's planner. */
  ChunkPlan plan(Stage stage, StageContext context, RunRecord run) {
    List<ChunkPlanner.Unit> units = stage.chunks().orElseThrow().units(context);
    List<String> keys = units.stream().map(ChunkPlanner.Unit::key).toList();
    List<Long> weights = units.stream().map(ChunkPlanner.Unit::weight).toList();
    long totalWeight = weights.stream().mapToLong(Long::longValue).sum();
    List<StageRecord> thisRun = services.store().stages(run.runId());
    Optional<Past> last = lastSucceeded(run);

    String fixedBasis = "this run";
    OptionalDouble fixed = fixedCost(thisRun);
    if (fixed.isEmpty() && last.isPresent()) {
      fixed = fixedCost(last.get().stages());
      fixedBasis = "last succeeded run";
    }
    if (fixed.isEmpty()) {
      fixed = OptionalDouble.of(DEFAULT_FIXED_COST_SECONDS);
      fixedBasis = "default";
    }

    OptionalDouble rate = OptionalDouble.empty();
    String expectedBasis = "no earlier run, no measured upstream stage";
    if (totalWeight > 0) {
      OptionalDouble past =
          last.isPresent() ? pastRate(last.get(), stage.name()) : OptionalDouble.empty();
      if (past.isPresent()) {
        rate = past;
        expectedBasis = "run " + last.get().runId();
      } else {
        OptionalDouble upstream = upstreamSeconds(stage, thisRun);
        if (upstream.isPresent()) {
          rate = OptionalDouble.of(upstream.getAsDouble() / totalWeight);
          expectedBasis = "upstream stages";
        }
      }
    }
    SizingSettings.Cap cap = settings.cap();
    ChunkSizing.Sized sized =
        ChunkSizing.decide(
            new SizingInputs(
                weights,
                fixed.getAsDouble(),
                fixedBasis,
                rate,
                expectedBasis,
                settings.mtbiSeconds(),
                cap.seconds(),
                cap.basis(),
                settings.overheadBudget()));
    return new ChunkPlan(keys, sized.starts(), Optional.of(sized.decision()));
  }

  /** The least time outside Spark jobs of the executed, unchunked stages among {@code stages}. */
  private static OptionalDouble fixedCost(List<StageRecord> stages) {
    List<Double> costs = new ArrayList<>();
    for (StageRecord s : stages) {
      if (s.status() == StageStatus.COMMITTED && !s.recovered() && !s.chunked()) {
        s.metrics().fixedSecondsPerCommit(1).ifPresent(costs::add);
      }
    }
    if (costs.isEmpty()) {
      return OptionalDouble.empty();
    }
    return costs.stream().mapToDouble(Double::doubleValue).min();
  }

  /** Seconds of Spark work per unit of weight of {@code stage} in a past run, if it can be told. */
  private static OptionalDouble pastRate(Past past, String stage) {
    for (StageRecord s : past.stages()) {
      if (s.stage().equals(stage)
          && s.status() == StageStatus.COMMITTED
          && s.attempts() == 1
          && s.metrics().sparkJobMs() > 0
          && s.chunkPlan().decision().isPresent()
          && s.chunkPlan().decision().get().totalWeight() > 0) {
        return OptionalDouble.of(
            s.metrics().sparkJobMs() / 1000.0 / s.chunkPlan().decision().get().totalWeight());
      }
    }
    return OptionalDouble.empty();
  }

  /** The Spark job seconds of the stage's upstream stages in this run, if all were measured. */
  private static OptionalDouble upstreamSeconds(Stage stage, List<StageRecord> thisRun) {
    if (stage.dependencies().isEmpty()) {
      return OptionalDouble.empty();
    }
    double seconds = 0;
    for (String upstream : stage.dependencies()) {
      Optional<StageRecord> record =
          thisRun.stream().filter(s -> s.stage().equals(upstream)).findFirst();
      if (record.isEmpty() || record.get().metrics().sparkJobMs() <= 0) {
        return OptionalDouble.empty();
      }
      seconds += record.get().metrics().sparkJobMs() / 1000.0;
    }
    return OptionalDouble.of(seconds);
  }

  private Optional<Past> lastSucceeded(RunRecord run) {
    return services
        .store()
        .lastSucceededRun(run.job(), run.runId())
        .map(other -> new Past(other.runId(), services.store().stages(other.runId())));
  }

  private record Past(String runId, List<StageRecord> stages) {}
}
