package dev.cairn.internal;

import dev.cairn.Stage;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.LeaseState;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads what {@code cairn status} shows of a run from the checkpoint table: its stages in
 * declaration order (PENDING where no checkpoint exists yet), chunk progress, the lease's state,
 * running stages' expected durations and the input plans. Reads only; one instance per call.
 */
final class RunStatusReader {
  private final CheckpointStore store;
  private final String warehouse;
  private final Clock clock;
  private final Function<RunRecord, Optional<List<Stage>>> declaredStages;
  private final Function<RunRecord, LeaseState> leaseState;

  RunStatusReader(
      CheckpointStore store,
      String warehouse,
      Clock clock,
      Function<RunRecord, Optional<List<Stage>>> declaredStages,
      Function<RunRecord, LeaseState> leaseState) {
    this.store = store;
    this.warehouse = warehouse;
    this.clock = clock;
    this.declaredStages = declaredStages;
    this.leaseState = leaseState;
  }

  /** The run and a view of every stage: its checkpoint, or PENDING if it has none yet. */
  Optional<CairnRuntime.RunView> status(String runId) {
    Optional<RunRecord> run = store.findRun(runId);
    if (run.isEmpty()) {
      return Optional.empty();
    }
    Map<String, StageRecord> records = new HashMap<>();
    store.stages(runId).forEach(r -> records.put(r.stage(), r));
    List<StageRecord> stages = new ArrayList<>();
    Optional<List<Stage>> declared = declaredStages.apply(run.get());
    if (declared.isPresent()) {
      for (Stage stage : declared.get()) {
        stages.add(
            records.getOrDefault(
                stage.name(),
                StageRecord.pending(
                    runId,
                    stage.name(),
                    DeltaTableStore.location(warehouse, stage.output().table()))));
        records.remove(stage.name());
      }
    }
    stages.addAll(records.values());
    Map<String, CairnRuntime.ChunkProgress> chunks = new HashMap<>();
    for (StageRecord stage : stages) {
      if (stage.chunked()) {
        chunks.put(stage.stage(), chunkProgress(stage));
      }
    }
    return Optional.of(
        new CairnRuntime.RunView(
            run.get(),
            stages,
            leaseState.apply(run.get()),
            clock.instant(),
            expectedDurations(run.get(), stages),
            chunks,
            store.plans(runId)));
  }

  /** How far a chunked stage's current generation got: one query of its chunk items. */
  private CairnRuntime.ChunkProgress chunkProgress(StageRecord stage) {
    List<ChunkRecord> chunks = store.chunks(stage.runId(), stage.stage(), stage.generation());
    int committed =
        (int) chunks.stream().filter(c -> c.status() == ChunkRecord.ChunkStatus.COMMITTED).count();
    int reexecuted = chunks.stream().mapToInt(ChunkRecord::reexecutions).sum();
    return new CairnRuntime.ChunkProgress(stage.chunkPlan().size(), committed, reexecuted);
  }

  /**
   * For the stages of {@code run} running now: how long they took in the job's most recent
   * succeeded run, to estimate when they finish. Costs reads only while a stage runs.
   */
  private Map<String, Long> expectedDurations(RunRecord run, List<StageRecord> stages) {
    List<String> running =
        stages.stream()
            .filter(s -> s.status() == StageStatus.RUNNING)
            .map(StageRecord::stage)
            .toList();
    if (running.isEmpty()) {
      return Map.of();
    }
    Map<String, Long> expected = new HashMap<>();
    store
        .lastSucceededRun(run.job(), run.runId())
        .ifPresent(
            other -> {
              for (StageRecord stage : store.stages(other.runId())) {
                if (running.contains(stage.stage()) && stage.metrics().durationMs() > 0) {
                  expected.put(stage.stage(), stage.metrics().durationMs());
                }
              }
            });
    return expected;
  }
}
