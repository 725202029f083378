package dev.cairn.bench;

import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a finished run left in its checkpoint table, read back by the bench: its stages, the chunk
 * items of its chunked stages' current generation, and its history.
 */
record RunFacts(
    RunRecord run,
    List<StageRecord> stages,
    Map<String, List<ChunkRecord>> chunks,
    List<RunEvent> events) {

  static RunFacts read(CheckpointStore store, RunRecord run) {
    String runId = run.runId();
    List<StageRecord> stages = store.stages(runId);
    Map<String, List<ChunkRecord>> chunks = new LinkedHashMap<>();
    for (StageRecord stage : stages) {
      if (stage.chunked()) {
        chunks.put(stage.stage(), store.chunks(runId, stage.stage(), stage.generation()));
      }
    }
    return new RunFacts(run, stages, chunks, store.events(runId));
  }

  /** Seconds of stage work: each stage's last attempt, start to Delta commit, summed. */
  double workSeconds() {
    return stages.stream().mapToLong(s -> s.metrics().durationMs()).sum() / 1000.0;
  }

  /**
   * Work the driver of {@code epoch}, SIGKILLed at {@code killedAt}, had done that no commit came
   * of, and that a later driver therefore executed again: from the start of the stage it had in
   * flight (or of that stage's chunk in flight: after its last committed chunk) to the kill; zero
   * when it had no stage in flight. Unlike the report's estimate, which ends at the driver's last
   * recorded sign of life, this knows the instant of the kill.
   */
  double recomputedSeconds(long epoch, Instant killedAt) {
    Optional<RunEvent> started =
        events.stream()
            .filter(e -> e.epoch() == epoch && e.type() == RunEvent.Type.STAGE_STARTED)
            .filter(e -> !e.at().isAfter(killedAt))
            .max(Comparator.comparing(RunEvent::at));
    if (started.isEmpty()) {
      return 0;
    }
    String stage = started.get().stage().orElse("");
    boolean ended =
        events.stream()
            .anyMatch(
                e ->
                    e.epoch() == epoch
                        && e.stage().orElse("").equals(stage)
                        && e.type() != RunEvent.Type.STAGE_STARTED
                        && e.type() != RunEvent.Type.STAGE_RETRY
                        && !e.at().isBefore(started.get().at()));
    if (ended) {
      return 0;
    }
    Instant from = started.get().at();
    for (ChunkRecord c : chunks.getOrDefault(stage, List.of())) {
      if (c.epoch() == epoch && c.finishedAt().isPresent() && c.finishedAt().get().isAfter(from)) {
        from = c.finishedAt().get();
      }
    }
    return Math.max(0, secs(from, killedAt));
  }

  /**
   * Each measured stage's duration (its last attempt, start to Delta commit), in seconds, in the
   * store's order (by name).
   */
  Map<String, Double> stageSeconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    stages.stream()
        .filter(s -> s.metrics().durationMs() >= 0)
        .forEach(s -> out.put(s.stage(), s.metrics().durationMs() / 1000.0));
    return out;
  }

  /**
   * The stages the driver of {@code epoch} ran whole, with their durations in seconds, in the
   * store's order: those whose last attempt it made, less a stage it recovered (found committed in
   * the Delta log: it computed nothing) and a chunked stage of which an earlier driver committed
   * chunks or of which it recovered some (it ran only the rest).
   */
  Map<String, Double> stageSecondsRunWholeBy(long epoch) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (StageRecord s : stages) {
      boolean partly =
          chunks.getOrDefault(s.stage(), List.of()).stream()
              .anyMatch(c -> c.recovered() || (c.epoch() != epoch && c.finishedAt().isPresent()));
      boolean ranIt = !s.recovered() && s.metrics().durationMs() >= 0;
      if (s.epoch() == epoch && ranIt && !partly) {
        out.put(s.stage(), s.metrics().durationMs() / 1000.0);
      }
    }
    return out;
  }

  /** The epoch of the newest driver of the run. */
  long lastEpoch() {
    return events.stream().mapToLong(RunEvent::epoch).max().orElseGet(() -> run.epoch());
  }

  /**
   * The longest stretch of work one kill can lose: the longest chunk of a chunked stage, or the
   * longest unchunked stage, in seconds.
   */
  double largestSegmentSeconds() {
    double largest = 0;
    for (StageRecord s : stages) {
      if (s.chunked()) {
        for (ChunkRecord c : chunks.getOrDefault(s.stage(), List.of())) {
          if (c.startedAt().isPresent() && c.finishedAt().isPresent()) {
            largest = Math.max(largest, secs(c.startedAt().get(), c.finishedAt().get()));
          }
        }
      } else {
        largest = Math.max(largest, s.metrics().durationMs() / 1000.0);
      }
    }
    return largest;
  }

  /** The chunk count of each chunked stage and the runtime's reason, in stage order. */
  Map<String, String> chunkDecisions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (StageRecord s : stages) {
      if (s.chunked()) {
        out.put(
            s.stage(),
            s.chunkPlan()
                .decision()
                .map(d -> d.describe())
                .orElse(s.chunkPlan().size() + " chunks (one per unit)"));
      }
    }
    return out;
  }

  /**
   * The newest driver's restart: from {@code processStart} to its first sign in the history of each
   * step ({@code lease} when it took the run, {@code spark} when its Spark application started,
   * {@code stage} when it started its first stage); a step it did not record is absent, and all are
   * when the run's newest events predate the process (a resume that found the run finished took no
   * lease: the killed driver's steps are not its restart).
   */
  Map<String, Double> restart(Instant processStart) {
    long epoch =
        events.stream()
            .filter(e -> !e.at().isBefore(processStart))
            .mapToLong(RunEvent::epoch)
            .max()
            .orElse(-1);
    Map<String, Double> out = new LinkedHashMap<>();
    first(epoch, RunEvent.Type.ATTEMPT_STARTED)
        .ifPresent(at -> out.put("lease", secs(processStart, at)));
    first(epoch, RunEvent.Type.SPARK_STARTED)
        .ifPresent(at -> out.put("spark", secs(processStart, at)));
    first(epoch, RunEvent.Type.STAGE_STARTED)
        .ifPresent(at -> out.put("stage", secs(processStart, at)));
    return out;
  }

  private Optional<Instant> first(long epoch, RunEvent.Type type) {
    return events.stream()
        .filter(e -> e.epoch() == epoch && e.type() == type)
        .map(RunEvent::at)
        .min(Instant::compareTo);
  }

  private static double secs(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }
}
