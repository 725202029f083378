package dev.cairn.internal.report;

import dev.cairn.internal.report.Bar.Outcome;
import dev.cairn.internal.report.DriverAttempt.Ending;
import dev.cairn.internal.runbook.Runbook;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code cairn report} shows of a run, across every driver that worked it: the drivers' lanes,
 * the stage attempts and chunks as bars, the stages' checkpoints, the retries and failures, and
 * what the work that did not commit cost. Built from the checkpoint table alone (the run, its
 * stages, their chunks and the run's history), so it needs no driver alive. Immutable.
 *
 * @param stages the run's stages in execution order
 * @param chunks the chunks of each chunked stage's current generation, by stage
 * @param attempts the drivers that held the run, oldest first
 * @param bars the timeline's bars, in the order of their start
 * @param incidents the retries and failures of stages, oldest first
 * @param runbook what to do, for a run that did not succeed (empty otherwise)
 */
public record RunReport(
    RunRecord run,
    List<StageRecord> stages,
    Map<String, List<ChunkRecord>> chunks,
    List<DriverAttempt> attempts,
    List<Bar> bars,
    List<RunEvent> incidents,
    Summary summary,
    Optional<Runbook> runbook,
    Instant generatedAt) {

  public RunReport {
    stages = List.copyOf(stages);
    chunks = Map.copyOf(chunks);
    attempts = List.copyOf(attempts);
    bars = List.copyOf(bars);
    incidents = List.copyOf(incidents);
  }

  /**
   * The run in numbers.
   *
   * @param wall from the first driver's start to the last sign of the last driver
   * @param notCommitted time spent on work that did not commit: stage attempts that failed, were
   *     retried or were lost to a kill (minus the chunks of them that committed)
   * @param kills what each killed driver cost, oldest first
   * @param reexecutedChunks executions of chunks beyond the first, summed
   * @param recoveredStages stages recorded from their Delta commit without recomputing
   * @param recoveredChunks chunks recorded from their Delta commit without recomputing
   * @param duplicateStages stages whose write Delta skipped as a duplicate
   * @param retries stage attempts retried after a transient failure
   */
  public record Summary(
      Duration wall,
      Duration notCommitted,
      List<KillCost> kills,
      int reexecutedChunks,
      int recoveredStages,
      int recoveredChunks,
      int duplicateStages,
      int retries) {

    public Summary {
      kills = List.copyOf(kills);
    }

    /** The work the kills lost plus the time without a driver, over all kills. */
    public Duration killCost() {
      return kills.stream().map(KillCost::total).reduce(Duration.ZERO, Duration::plus);
    }
  }

  /**
   * What one killed driver cost.
   *
   * @param lostInFlight the work it was doing that no commit came of
   * @param withoutDriver from its last sign of life to the next driver's start (waiting for the
   *     lease to expire, restarting), or zero when no driver followed
   */
  public record KillCost(long epoch, Duration lostInFlight, Duration withoutDriver) {
    public Duration total() {
      return lostInFlight.plus(withoutDriver);
    }
  }

  /**
   * The report of {@code run}.
   *
   * @param stages its stages in execution order
   * @param chunks the chunks of each chunked stage's current generation
   * @param events its history, oldest first
   * @param runbook the run's runbook; kept only when the run did not succeed
   */
  public static RunReport of(
      RunRecord run,
      List<StageRecord> stages,
      Map<String, List<ChunkRecord>> chunks,
      List<RunEvent> events,
      Optional<Runbook> runbook,
      Instant now) {
    List<RunEvent> ordered = events.stream().sorted(Comparator.comparing(RunEvent::at)).toList();
    List<ChunkRecord> allChunks = chunks.values().stream().flatMap(List::stream).toList();
    List<DriverAttempt> attempts = DriverAttempt.of(run, ordered, allChunks, now);
    Map<Long, DriverAttempt> lanes = new LinkedHashMap<>();
    attempts.forEach(a -> lanes.put(a.epoch(), a));
    List<Bar> bars = new ArrayList<>(stageBars(ordered, lanes, now));
    bars.addAll(chunkBars(chunks, lanes, bars));
    bars.sort(Comparator.comparing(Bar::start).thenComparing(b -> b.chunk().orElse(-1)));
    List<RunEvent> incidents =
        ordered.stream()
            .filter(
                e ->
                    e.type() == RunEvent.Type.STAGE_RETRY || e.type() == RunEvent.Type.STAGE_FAILED)
            .toList();
    Summary summary = summary(stages, chunks, attempts, bars, incidents);
    return new RunReport(
        run,
        stages,
        chunks,
        attempts,
        bars,
        incidents,
        summary,
        run.status() == RunStatus.SUCCEEDED ? Optional.empty() : runbook,
        now);
  }

  /** One bar per stage attempt, from its start event to the event that ended it. */
  private static List<Bar> stageBars(
      List<RunEvent> events, Map<Long, DriverAttempt> lanes, Instant now) {
    List<Bar> bars = new ArrayList<>();
    Map<String, RunEvent> open = new HashMap<>();
    for (RunEvent event : events) {
      if (event.stage().isEmpty() || !lanes.containsKey(event.epoch())) {
        continue;
      }
      String stage = event.stage().get();
      RunEvent started = open.get(stage);
      if (started != null && started.epoch() != event.epoch()) {
        bars.add(unfinished(started, lanes.get(started.epoch()), now));
        open.remove(stage);
        started = null;
      }
      switch (event.type()) {
        case STAGE_STARTED -> open.put(stage, event);
        case STAGE_COMMITTED ->
            close(bars, open, stage, event, Outcome.COMMITTED, commitDetail(event));
        case STAGE_SKIPPED_DUPLICATE ->
            close(bars, open, stage, event, Outcome.DUPLICATE, commitDetail(event));
        case STAGE_RECOVERED ->
            close(bars, open, stage, event, Outcome.RECOVERED, commitDetail(event));
        case STAGE_RETRY ->
            close(bars, open, stage, event, Outcome.RETRIED, failureDetail(event, "retried"));
        case STAGE_FAILED ->
            close(
                bars,
                open,
                stage,
                event,
                event.errorClass().filter("INTERRUPTED"::equals).isPresent()
                    ? Outcome.INTERRUPTED
                    : Outcome.FAILED,
                failureDetail(event, "failed"));
        default -> {}
      }
    }
    for (RunEvent started : open.values()) {
      bars.add(unfinished(started, lanes.get(started.epoch()), now));
    }
    return bars;
  }

  private static void close(
      List<Bar> bars,
      Map<String, RunEvent> open,
      String stage,
      RunEvent end,
      Outcome outcome,
      String detail) {
    RunEvent started = open.remove(stage);
    Instant from = started == null ? end.at() : started.at();
    String attempt = started == null ? "" : "attempt " + started.attempt() + ": ";
    bars.add(
        new Bar(
            end.epoch(), stage, OptionalInt.empty(), from, end.at(), outcome, attempt + detail));
  }

  /** A stage attempt whose end no event records: its driver died, or still runs it. */
  private static Bar unfinished(RunEvent started, DriverAttempt lane, Instant now) {
    Outcome outcome =
        switch (lane.ending()) {
          case RUNNING -> Outcome.RUNNING;
          case INTERRUPTED -> Outcome.INTERRUPTED;
          default -> Outcome.LOST;
        };
    Instant end = lane.ending() == Ending.RUNNING ? now : lane.lastSeenAt();
    return new Bar(
        started.epoch(),
        started.stage().orElseThrow(),
        OptionalInt.empty(),
        started.at(),
        end.isBefore(started.at()) ? started.at() : end,
        outcome,
        "attempt "
            + started.attempt()
            + ": "
            + (outcome == Outcome.RUNNING
                ? "running"
                : "no commit recorded; the driver "
                    + lane.ending().label()
                    + " ("
                    + lane.endNote()
                    + ")"));
  }

  private static String commitDetail(RunEvent event) {
    return event.message();
  }

  private static String failureDetail(RunEvent event, String what) {
    return what + " (" + event.errorClass().orElse("?") + "): " + event.message();
  }

  /** One bar per chunk execution the checkpoints still show, on the lane of its last driver. */
  private static List<Bar> chunkBars(
      Map<String, List<ChunkRecord>> chunks, Map<Long, DriverAttempt> lanes, List<Bar> stageBars) {
    List<Bar> bars = new ArrayList<>();
    for (List<ChunkRecord> ofStage : chunks.values()) {
      for (ChunkRecord chunk : ofStage) {
        DriverAttempt lane = lanes.get(chunk.epoch());
        if (lane == null || chunk.startedAt().isEmpty()) {
          continue;
        }
        Instant start =
            chunk.startedAt().get().isBefore(lane.startedAt())
                ? lane.startedAt()
                : chunk.startedAt().get();
        Instant end = chunk.finishedAt().orElse(lane.lastSeenAt());
        Outcome outcome;
        if (chunk.status() == ChunkRecord.ChunkStatus.RUNNING) {
          outcome = lane.ending() == Ending.RUNNING ? Outcome.RUNNING : Outcome.LOST;
        } else if (chunk.recovered()) {
          outcome = Outcome.RECOVERED;
        } else if (chunk.reexecutions() > 0) {
          outcome = Outcome.REEXECUTED;
        } else {
          outcome = Outcome.COMMITTED;
        }
        bars.add(
            new Bar(
                chunk.epoch(),
                chunk.stage(),
                OptionalInt.of(chunk.index()),
                start,
                end.isBefore(start) ? start : end,
                outcome,
                "chunk "
                    + chunk.index()
                    + " ("
                    + chunk.key()
                    + "): "
                    + chunk.executions()
                    + (chunk.executions() == 1 ? " execution" : " executions")
                    + (chunk.outputVersion() >= 0 ? ", version " + chunk.outputVersion() : "")
                    + (chunk.rowsWritten() >= 0 ? ", " + chunk.rowsWritten() + " rows" : "")
                    + (chunk.recovered() ? ", recovered without recomputing" : "")));
      }
    }
    return bars;
  }

  private static Summary summary(
      List<StageRecord> stages,
      Map<String, List<ChunkRecord>> chunks,
      List<DriverAttempt> attempts,
      List<Bar> bars,
      List<RunEvent> incidents) {
    Duration wall = Duration.ZERO;
    if (!attempts.isEmpty()) {
      Instant last =
          attempts.stream().map(DriverAttempt::lastSeenAt).max(Comparator.naturalOrder()).get();
      wall = Duration.between(attempts.get(0).startedAt(), last);
    }
    Duration notCommitted = Duration.ZERO;
    Map<Long, Duration> lostByEpoch = new HashMap<>();
    for (Bar bar : bars) {
      if (bar.chunk().isEmpty() && bar.outcome().wasted()) {
        Duration lost = uncommitted(bar, bars);
        notCommitted = notCommitted.plus(lost);
        if (bar.outcome() == Outcome.LOST) {
          lostByEpoch.merge(bar.epoch(), lost, Duration::plus);
        }
      }
    }
    List<KillCost> kills = new ArrayList<>();
    for (int i = 0; i < attempts.size(); i++) {
      DriverAttempt attempt = attempts.get(i);
      if (attempt.ending() != Ending.KILLED) {
        continue;
      }
      Duration without =
          i + 1 < attempts.size()
              ? Duration.between(attempt.lastSeenAt(), attempts.get(i + 1).startedAt())
              : Duration.ZERO;
      kills.add(
          new KillCost(
              attempt.epoch(),
              lostByEpoch.getOrDefault(attempt.epoch(), Duration.ZERO),
              without.isNegative() ? Duration.ZERO : without));
    }
    List<ChunkRecord> allChunks = chunks.values().stream().flatMap(List::stream).toList();
    return new Summary(
        wall,
        notCommitted,
        kills,
        allChunks.stream().mapToInt(ChunkRecord::reexecutions).sum(),
        (int) stages.stream().filter(StageRecord::recovered).count(),
        (int) allChunks.stream().filter(ChunkRecord::recovered).count(),
        (int) stages.stream().filter(StageRecord::skippedDuplicate).count(),
        (int) incidents.stream().filter(e -> e.type() == RunEvent.Type.STAGE_RETRY).count());
  }

  /**
   * The part of a stage attempt that no commit came of: all of it, but for a chunked stage, only
   * what followed the last chunk it committed (the chunks before stay committed).
   */
  private static Duration uncommitted(Bar attempt, List<Bar> bars) {
    Instant from = attempt.start();
    for (Bar chunk : bars) {
      if (chunk.chunk().isPresent()
          && chunk.epoch() == attempt.epoch()
          && chunk.stage().equals(attempt.stage())
          && !chunk.outcome().wasted()
          && chunk.outcome() != Outcome.RUNNING
          && !chunk.end().isBefore(from)
          && !chunk.end().isAfter(attempt.end())) {
        from = chunk.end();
      }
    }
    return Duration.between(from, attempt.end());
  }

  /** The stages' names in execution order, then any bar's stage the checkpoints no longer name. */
  public List<String> stageNames() {
    List<String> names = new ArrayList<>(stages.stream().map(StageRecord::stage).toList());
    bars.stream().map(Bar::stage).distinct().filter(s -> !names.contains(s)).forEach(names::add);
    return names;
  }
}
