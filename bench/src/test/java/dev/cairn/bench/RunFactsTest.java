package dev.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunFactsTest {
  private static final Instant T0 = Instant.parse("2026-12-05T09:00:00Z");

  @Test
  void recomputed_isFromTheStageInFlightsStartToTheKill() {
    RunFacts facts =
        facts(
            List.of(
                event(1, RunEvent.Type.STAGE_STARTED, "clean", 2),
                event(1, RunEvent.Type.STAGE_COMMITTED, "clean", 8),
                event(1, RunEvent.Type.STAGE_STARTED, "rejects", 10)),
            Map.of());

    assertThat(facts.recomputedSeconds(1, at(25))).isEqualTo(15.0);
  }

  @Test
  void recomputed_isZero_whenTheKilledDriverWasBetweenStages() {
    RunFacts facts =
        facts(
            List.of(
                event(1, RunEvent.Type.STAGE_STARTED, "clean", 2),
                event(1, RunEvent.Type.STAGE_COMMITTED, "clean", 8)),
            Map.of());

    assertThat(facts.recomputedSeconds(1, at(25))).isZero();
  }

  @Test
  void recomputed_inAChunkedStage_startsAfterTheKilledDriversLastCommittedChunk() {
    RunFacts facts =
        facts(
            List.of(
                event(1, RunEvent.Type.STAGE_STARTED, "enrich", 10),
                // The next driver's events and chunks do not count for the killed one.
                event(2, RunEvent.Type.STAGE_STARTED, "enrich", 40)),
            Map.of(
                "enrich", List.of(chunk(0, 1, 12, 18), chunk(1, 1, 18, 21), chunk(2, 2, 41, 45))));

    assertThat(facts.recomputedSeconds(1, at(25))).isEqualTo(4.0);
  }

  @Test
  void restart_timesTheNewestDriversLease_Spark_andFirstStage_fromItsProcessStart() {
    RunFacts facts =
        facts(
            List.of(
                event(1, RunEvent.Type.ATTEMPT_STARTED, null, 1),
                event(1, RunEvent.Type.STAGE_STARTED, "clean", 5),
                event(2, RunEvent.Type.ATTEMPT_STARTED, null, 33),
                event(2, RunEvent.Type.SPARK_STARTED, null, 36.5),
                event(2, RunEvent.Type.STAGE_STARTED, "clean", 38),
                event(2, RunEvent.Type.STAGE_STARTED, "rejects", 50)),
            Map.of());

    assertThat(facts.restart(at(30)))
        .containsExactly(Map.entry("lease", 3.0), Map.entry("spark", 6.5), Map.entry("stage", 8.0));
  }

  @Test
  void restart_ofAResumeThatFoundTheRunFinished_isNothing_notTheKilledDriversSteps() {
    // Killed after the run was recorded SUCCEEDED: the resume took no lease and wrote nothing.
    RunFacts facts =
        facts(
            List.of(
                event(1, RunEvent.Type.ATTEMPT_STARTED, null, 1),
                event(1, RunEvent.Type.SPARK_STARTED, null, 4),
                event(1, RunEvent.Type.STAGE_STARTED, "clean", 5)),
            Map.of());

    assertThat(facts.restart(at(30))).isEmpty();
  }

  @Test
  void stagesRunWhole_areTheNewestDriversStages_lessAChunkedOneAnEarlierDriverHadPartlyCommitted() {
    RunFacts facts =
        new RunFacts(
            null,
            List.of(
                stage("clean", 1, 8_000),
                stage("rejects", 2, 3_000),
                stage("enrich", 2, 5_000),
                stage("route_daily", 2, 12_500)),
            Map.of("enrich", List.of(chunk(0, 1, 12, 18), chunk(1, 2, 41, 45))),
            List.of(
                event(1, RunEvent.Type.ATTEMPT_STARTED, null, 1),
                event(2, RunEvent.Type.ATTEMPT_STARTED, null, 33)));

    assertThat(facts.lastEpoch()).isEqualTo(2);
    assertThat(facts.stageSecondsRunWholeBy(2))
        .containsExactly(Map.entry("rejects", 3.0), Map.entry("route_daily", 12.5));
    assertThat(facts.stageSeconds()).containsEntry("clean", 8.0).hasSize(4);
  }

  @Test
  void stagesRunWhole_leaveOutAStageOrChunkTheNewestDriverRecovered_ItComputedNothing() {
    RunFacts facts =
        new RunFacts(
            null,
            List.of(
                recovered(stage("clean", 2, 8_000)),
                stage("enrich", 2, 5_000),
                stage("route_daily", 2, 12_500)),
            Map.of("enrich", List.of(recovered(chunk(0, 2, 41, 41.2)), chunk(1, 2, 41, 45))),
            List.of(event(2, RunEvent.Type.ATTEMPT_STARTED, null, 33)));

    assertThat(facts.stageSecondsRunWholeBy(2)).containsExactly(Map.entry("route_daily", 12.5));
  }

  private static StageRecord recovered(StageRecord s) {
    return new StageRecord(
        s.runId(),
        s.stage(),
        s.status(),
        s.attempts(),
        s.outputTable(),
        s.txnAppId(),
        s.txnVersion(),
        s.baseVersion(),
        s.outputVersion(),
        s.rowsWritten(),
        true,
        s.skippedDuplicate(),
        s.epoch(),
        s.transitionId(),
        s.startedAt(),
        s.finishedAt(),
        s.errorClass(),
        s.errorMessage(),
        s.checks(),
        StageMetrics.NONE,
        s.chunkPlan());
  }

  private static ChunkRecord recovered(ChunkRecord c) {
    return new ChunkRecord(
        c.runId(),
        c.stage(),
        c.generation(),
        c.index(),
        c.key(),
        c.status(),
        c.executions(),
        c.outputVersion(),
        c.rowsWritten(),
        true,
        c.epoch(),
        c.transitionId(),
        c.startedAt(),
        c.finishedAt());
  }

  private static StageRecord stage(String name, long epoch, long durationMs) {
    return new StageRecord(
        "run-1",
        name,
        StageStatus.COMMITTED,
        1,
        name,
        "app",
        1,
        -1,
        1,
        10,
        false,
        false,
        epoch,
        "t",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        new StageMetrics(durationMs, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1),
        ChunkPlan.NONE);
  }

  private static RunFacts facts(List<RunEvent> events, Map<String, List<ChunkRecord>> chunks) {
    return new RunFacts(null, List.of(), chunks, events);
  }

  private static RunEvent event(long epoch, RunEvent.Type type, String stage, double second) {
    return new RunEvent(
        "run-1",
        at(second),
        type + "-" + epoch + "-" + second,
        type,
        Optional.ofNullable(stage),
        1,
        epoch,
        Optional.empty(),
        "");
  }

  private static ChunkRecord chunk(int index, long epoch, double started, double finished) {
    return new ChunkRecord(
        "run-1",
        "enrich",
        1,
        index,
        "day-" + index,
        ChunkRecord.ChunkStatus.COMMITTED,
        1,
        index + 1,
        10,
        false,
        epoch,
        "t-" + index,
        Optional.of(at(started)),
        Optional.of(at(finished)));
  }

  private static Instant at(double second) {
    return T0.plusMillis(Math.round(second * 1000));
  }
}
