package dev.cairn.internal.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.report.Bar.Outcome;
import dev.cairn.internal.report.DriverAttempt.Ending;
import dev.cairn.internal.runbook.Runbook;
import dev.cairn.internal.runbook.Runbooks;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.ChunkRecord.ChunkStatus;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunEvent.Type;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The report of a run killed in the middle of a chunked stage and resumed by another driver, built
 * from hand-made checkpoints and history: what each lane, bar and number says, and that every text
 * from the checkpoints is escaped.
 */
class RunReportTest {
  private static final String RUN = "flights-daily-0123456789ab";
  private static final Instant T0 = Instant.parse("2026-12-05T06:00:00Z");
  private final List<RunEvent> events = new ArrayList<>();
  private int ids;

  /**
   * Epoch 1 (host a, pid 101) commits ingest and chunks 0 and 1 of clean, then dies while chunk 2
   * runs (last record at 20 s). Epoch 2 (host b, pid 202) starts at 50 s, re-executes chunk 2,
   * commits chunk 3 and clean; report fails once transiently and its retry is skipped as a
   * duplicate.
   */
  private RunReport killedAndResumed() {
    attemptStarted(0, 1, "host-a", 101, "");
    spark(1, 1, "local-1001");
    stage(2, 1, Type.STAGE_STARTED, "ingest", 1, "attempt 1 writing raw");
    stage(10, 1, Type.STAGE_COMMITTED, "ingest", 0, "version 0 of raw, 500 rows");
    stage(11, 1, Type.STAGE_STARTED, "clean", 1, "attempt 1 writing clean");
    attemptStarted(50, 2, "host-b", 202, "ingest");
    spark(52, 2, "local-2002");
    stage(53, 2, Type.STAGE_STARTED, "clean", 2, "attempt 2 writing clean");
    stage(66, 2, Type.STAGE_COMMITTED, "clean", 0, "version 4 of clean, 400 rows");
    stage(67, 2, Type.STAGE_STARTED, "report", 1, "attempt 1 writing report");
    events.add(
        new RunEvent(
            RUN,
            at(70),
            id(),
            Type.STAGE_RETRY,
            Optional.of("report"),
            1,
            2,
            Optional.of("TRANSIENT"),
            "SocketTimeoutException: <b>read</b> & timed out; retrying in 2.0 s"));
    stage(72, 2, Type.STAGE_STARTED, "report", 2, "attempt 2 writing report");
    stage(75, 2, Type.STAGE_SKIPPED_DUPLICATE, "report", 0, "version 0 of report");
    events.add(RunEvent.ofRun(RUN, at(76), id(), Type.RUN_SUCCEEDED, 2, "2 executed"));

    List<ChunkRecord> chunks =
        List.of(
            chunk(0, 1, 1, 11, 15, false),
            chunk(1, 1, 1, 15, 20, false),
            chunk(2, 2, 2, 54, 60, false),
            chunk(3, 2, 1, 60, 65, false));
    List<StageRecord> stages =
        List.of(
            stage("ingest", 1, false, List.of()),
            chunkedStage("clean", 2),
            stage(
                "report",
                2,
                true,
                List.of(new CheckResult("not null <origin>", true, "0 of 12 rows null"))));
    return RunReport.of(
        run(RunStatus.SUCCEEDED, 2),
        stages,
        Map.of("clean", chunks),
        events,
        Optional.empty(),
        at(90));
  }

  @Test
  void aKilledDriver_andTheOneThatResumed_areTwoLanes_theFirstEndingAtItsLastRecord() {
    RunReport report = killedAndResumed();

    assertThat(report.attempts())
        .extracting(
            DriverAttempt::epoch,
            DriverAttempt::host,
            DriverAttempt::pid,
            DriverAttempt::ending,
            DriverAttempt::sparkAppId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                1L, "host-a", 101L, Ending.KILLED, Optional.of("local-1001")),
            org.assertj.core.groups.Tuple.tuple(
                2L, "host-b", 202L, Ending.SUCCEEDED, Optional.of("local-2002")));
    DriverAttempt killed = report.attempts().get(0);
    assertThat(killed.lastSeenAt()).isEqualTo(at(20));
    assertThat(killed.endNote())
        .isEqualTo("recorded no end; epoch 2 took the run over at 2026-12-05T06:00:50Z");
    assertThat(report.attempts().get(1).committedBefore()).containsExactly("ingest");
  }

  @Test
  void eachStageAttemptAndChunk_isABar_colouredByHowItEnded() {
    RunReport report = killedAndResumed();

    assertThat(report.bars())
        .extracting(
            b ->
                b.epoch()
                    + " "
                    + b.stage()
                    + b.chunk().stream().mapToObj(i -> "#" + i).findFirst().orElse("")
                    + " "
                    + b.outcome())
        .containsExactly(
            "1 ingest COMMITTED",
            "1 clean LOST",
            "1 clean#0 COMMITTED",
            "1 clean#1 COMMITTED",
            "2 clean COMMITTED",
            "2 clean#2 REEXECUTED",
            "2 clean#3 COMMITTED",
            "2 report RETRIED",
            "2 report DUPLICATE");
    Bar lost = report.bars().get(1);
    assertThat(lost.start()).isEqualTo(at(11));
    assertThat(lost.end()).isEqualTo(at(20));
    assertThat(lost.detail())
        .isEqualTo(
            "attempt 1: no commit recorded; the driver killed (recorded no end; epoch 2 took the"
                + " run over at 2026-12-05T06:00:50Z)");
  }

  @Test
  void theSummary_countsWallTime_workThatDidNotCommit_andWhatTheKillCost() {
    RunReport.Summary summary = killedAndResumed().summary();

    assertThat(summary.wall()).isEqualTo(Duration.ofSeconds(76));
    // The retried attempt of report (67 s to 70 s); clean's lost attempt committed chunks up to
    // its last record.
    assertThat(summary.notCommitted()).isEqualTo(Duration.ofSeconds(3));
    assertThat(summary.kills())
        .containsExactly(new RunReport.KillCost(1, Duration.ZERO, Duration.ofSeconds(30)));
    assertThat(summary.killCost()).isEqualTo(Duration.ofSeconds(30));
    assertThat(summary.reexecutedChunks()).isEqualTo(1);
    assertThat(summary.duplicateStages()).isEqualTo(1);
    assertThat(summary.retries()).isEqualTo(1);
  }

  @Test
  void thePage_drawsBothLanes_everyStage_theKill_andEscapesWhatTheCheckpointsSay() {
    String html = ReportPage.render(killedAndResumed());

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<g class=\"lane ended-killed\" data-epoch=\"1\">")
        .contains("<g class=\"lane ended-succeeded\" data-epoch=\"2\">")
        .contains("✕ killed")
        .contains("<rect class=\"bar lost\" data-stage=\"clean\"")
        .contains("<rect class=\"bar reexecuted chunk\" data-stage=\"clean\" data-chunk=\"2\"")
        .contains("<rect class=\"bar duplicate\" data-stage=\"report\"")
        .contains("<rect class=\"bar retried\" data-stage=\"report\"")
        .contains("<tr class=\"stage\" data-stage=\"ingest\">")
        .contains("<tr class=\"stage\" data-stage=\"clean\">")
        .contains("<tr class=\"stage\" data-stage=\"report\">")
        .contains("local-1001", "local-2002", "file:/cairn/spark-events")
        .contains("skipped (committed before): ingest")
        .contains("SocketTimeoutException: &lt;b&gt;read&lt;/b&gt; &amp; timed out")
        .contains("check passed not null &lt;origin&gt;: 0 of 12 rows null")
        .contains("30.0 s (1 kill: 0 ms of work lost, 30.0 s without a driver)")
        .doesNotContain("<b>read</b>", "<script", "src=", "href=", "url(", "@import")
        .doesNotContain("id=\"runbook\"");
  }

  @Test
  void aFailedRun_showsItsRunbooksCommands() {
    events.add(
        RunEvent.ofRun(
            RUN, at(0), "a1", Type.ATTEMPT_STARTED, 1, "epoch 1", Map.of("host", "h", "pid", "7")));
    events.add(RunEvent.ofRun(RUN, at(5), "a2", Type.RUN_FAILED, 1, "stage 'clean' failed"));
    RunRecord run = run(RunStatus.FAILED, 1);
    Runbook runbook =
        new Runbook(
            run,
            List.of(
                new Runbook.Section(
                    Optional.of("clean"),
                    "BAD_INPUT",
                    "file vanished",
                    new Runbooks.Entry("BAD_INPUT", "bundled", ""),
                    "cairn rerun " + RUN + " --from clean")));

    RunReport report = RunReport.of(run, List.of(), Map.of(), events, Optional.of(runbook), at(10));
    String html = ReportPage.render(report);

    assertThat(report.attempts()).extracting(DriverAttempt::ending).containsExactly(Ending.FAILED);
    assertThat(html)
        .contains("<section id=\"runbook\">")
        .contains("Stage clean failed: BAD_INPUT")
        .contains("<pre>cairn rerun " + RUN + " --from clean</pre>");
  }

  @Test
  void aDriverHoldingTheLeaseNow_isRunning_andItsOpenAttemptRunsToNow() {
    events.add(
        RunEvent.ofRun(
            RUN, at(0), "a1", Type.ATTEMPT_STARTED, 1, "epoch 1", Map.of("host", "h", "pid", "7")));
    stage(1, 1, Type.STAGE_STARTED, "ingest", 1, "attempt 1");
    RunRecord running =
        new RunRecord(
            RUN,
            "flights-daily",
            "key",
            Map.of(),
            "hash",
            "dev",
            RunStatus.RUNNING,
            1,
            Optional.of(new dev.cairn.internal.store.LeaseHolder("h:7", "h", 7, T0)),
            at(40),
            at(0),
            at(0),
            at(1),
            "");

    RunReport report = RunReport.of(running, List.of(), Map.of(), events, Optional.empty(), at(12));

    assertThat(report.attempts()).extracting(DriverAttempt::ending).containsExactly(Ending.RUNNING);
    assertThat(report.bars()).extracting(Bar::outcome).containsExactly(Outcome.RUNNING);
    assertThat(report.bars().get(0).end()).isEqualTo(at(12));
  }

  private void attemptStarted(int s, long epoch, String host, long pid, String committedBefore) {
    Map<String, String> details =
        committedBefore.isEmpty()
            ? Map.of(RunEvent.DETAIL_HOST, host, RunEvent.DETAIL_PID, Long.toString(pid))
            : Map.of(
                RunEvent.DETAIL_HOST,
                host,
                RunEvent.DETAIL_PID,
                Long.toString(pid),
                RunEvent.DETAIL_COMMITTED_BEFORE,
                committedBefore);
    events.add(
        RunEvent.ofRun(RUN, at(s), id(), Type.ATTEMPT_STARTED, epoch, "epoch " + epoch, details));
  }

  private void spark(int s, long epoch, String appId) {
    events.add(
        RunEvent.ofRun(
            RUN,
            at(s),
            id(),
            Type.SPARK_STARTED,
            epoch,
            "Spark application " + appId,
            Map.of(
                RunEvent.DETAIL_SPARK_APP_ID,
                appId,
                RunEvent.DETAIL_EVENT_LOG_DIR,
                "file:/cairn/spark-events")));
  }

  private void stage(int s, long epoch, Type type, String stage, int attempt, String message) {
    events.add(
        new RunEvent(
            RUN, at(s), id(), type, Optional.of(stage), attempt, epoch, Optional.empty(), message));
  }

  private String id() {
    return String.format("e%03d", ids++);
  }

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static ChunkRecord chunk(
      int index, long epoch, int executions, int start, int end, boolean recovered) {
    return new ChunkRecord(
        RUN,
        "clean",
        1,
        index,
        "2026-0" + (index + 1),
        ChunkStatus.COMMITTED,
        executions,
        index + 1,
        100,
        recovered,
        epoch,
        "t" + index,
        Optional.of(at(start)),
        Optional.of(at(end)));
  }

  private static StageRecord stage(
      String name, int attempts, boolean duplicate, List<CheckResult> checks) {
    return new StageRecord(
        RUN,
        name,
        StageStatus.COMMITTED,
        attempts,
        "/w/" + name,
        "cairn:" + RUN + ":" + name,
        1,
        -1,
        0,
        500,
        false,
        duplicate,
        1,
        "t",
        Optional.of(T0),
        Optional.of(T0),
        Optional.empty(),
        Optional.empty(),
        checks,
        new StageMetrics(8000, 500, 1 << 20, 500, 1 << 19, 0, 0, 0, 0, 6000),
        ChunkPlan.NONE);
  }

  private static StageRecord chunkedStage(String name, int attempts) {
    StageRecord s = stage(name, attempts, false, List.of());
    return new StageRecord(
        s.runId(),
        s.stage(),
        s.status(),
        s.attempts(),
        s.outputTable(),
        s.txnAppId(),
        s.txnVersion(),
        s.baseVersion(),
        4,
        400,
        false,
        false,
        2,
        s.transitionId(),
        s.startedAt(),
        s.finishedAt(),
        s.errorClass(),
        s.errorMessage(),
        s.checks(),
        s.metrics(),
        ChunkPlan.oneChunkPerUnit(List.of("2026-01", "2026-02", "2026-03", "2026-04")));
  }

  private static RunRecord run(RunStatus status, long epoch) {
    return new RunRecord(
        RUN,
        "flights-daily",
        "key",
        Map.of("date", "2026-12-04"),
        "hash",
        "dev",
        status,
        epoch,
        Optional.empty(),
        at(80),
        at(50),
        at(0),
        at(76),
        "");
  }
}
