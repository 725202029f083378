package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.Expectation.Severity;
import dev.cairn.Output;
import dev.cairn.cli.json.HistoryJson;
import dev.cairn.cli.json.JsonOutput;
import dev.cairn.cli.json.RerunPlanJson;
import dev.cairn.cli.json.RunJson;
import dev.cairn.cli.json.StatusJson;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.engine.RerunPlan;
import dev.cairn.internal.report.DriverAttempt;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkDecision;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.LeaseState;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract of every {@code --json} output (README, "JSON"): field names, their order, value
 * types, which values are {@code null} and which fields are left out, and the layout, checked as
 * exact text against fixed runs.
 */
class JsonTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void status_ofAHeldRunWithARerunAndTwoStages_isTheDocumentedShape() {
    CairnRuntime.RunView view =
        new CairnRuntime.RunView(
            run(
                Optional.of(new LeaseHolder("host-a:4242:x", "host-a", 4242, T0)),
                "interrupted by SIGTERM",
                Optional.empty(),
                List.of(
                    new Rerun(
                        "r1",
                        T0.plusSeconds(10),
                        "clean",
                        List.of("clean", "report"),
                        Map.of("region", new Rerun.ParameterChange("", "west \"x\"")),
                        "ops@host"))),
            List.of(committedStage("clean"), StageRecord.pending("demo-1", "report", "/wh/report")),
            LeaseState.HELD,
            T0.plusSeconds(60),
            Map.of("clean", 4500L),
            Map.of("clean", new CairnRuntime.ChunkProgress(4, 4, 1)),
            List.of(
                new InputPlan(
                        "demo-1",
                        InputPlan.RUN_SCOPE,
                        "flights",
                        1,
                        "/in/flights",
                        List.of(),
                        T0.plusSeconds(2))
                    .inManifest(
                        new InputPlan.Manifest("/wh/_cairn/inputs/m.jsonl", "ab", 4000, 9_000L)),
                new InputPlan(
                    "demo-1",
                    InputPlan.RUN_SCOPE,
                    "customers",
                    1,
                    "/wh/customers",
                    List.of(),
                    Optional.empty(),
                    12,
                    T0.plusSeconds(2)),
                new InputPlan(
                    "demo-1",
                    "report",
                    "/in/extra.csv",
                    1,
                    "/in/extra.csv",
                    List.of(
                        new InputPlan.PlannedFile("/in/extra.csv/a", 10, "mtime:1"),
                        new InputPlan.PlannedFile("/in/extra.csv/b", 5, "mtime:2")),
                    T0.plusSeconds(3))));

    DriverAttempt attempt =
        new DriverAttempt(
            3,
            "host-a",
            4242,
            T0.plusSeconds(5),
            T0.plusSeconds(55),
            DriverAttempt.Ending.RUNNING,
            "holds the lease",
            List.of(),
            Optional.of("local-1767225605000"),
            Optional.of("file:/cairn/spark-events"));

    assertThat(JsonOutput.write(StatusJson.of(view, List.of(attempt))))
        .isEqualTo(
            """
            {
              "runId": "demo-1",
              "job": "demo",
              "status": "RUNNING",
              "epoch": 3,
              "runKey": "a=1&b=2",
              "parameters": {
                "a": "1",
                "b": "2"
              },
              "createdAt": "2026-01-01T00:00:00Z",
              "updatedAt": "2026-01-01T00:01:00Z",
              "lease": {
                "host": "host-a",
                "pid": 4242,
                "since": "2026-01-01T00:00:30Z",
                "expiresAt": "2026-01-01T00:01:30Z",
                "state": "HELD"
              },
              "reason": "interrupted by SIGTERM",
              "expiresAt": null,
              "reruns": [
                {
                  "at": "2026-01-01T00:00:10Z",
                  "from": "clean",
                  "stages": [
                    "clean",
                    "report"
                  ],
                  "parameterChanges": {
                    "region": {
                      "before": "",
                      "after": "west \\"x\\""
                    }
                  },
                  "by": "ops@host"
                }
              ],
              "stages": [
                {
                  "name": "clean",
                  "status": "COMMITTED",
                  "attempts": 2,
                  "outputTable": "/wh/clean",
                  "outputVersion": 7,
                  "rowsWritten": 100,
                  "recovered": false,
                  "skippedDuplicate": true,
                  "txnAppId": "cairn-demo-1-clean",
                  "txnVersion": 2,
                  "startedAt": "2026-01-01T00:00:01Z",
                  "finishedAt": "2026-01-01T00:00:05Z",
                  "errorClass": null,
                  "errorMessage": null,
                  "checks": [
                    {
                      "check": "rows > 0",
                      "passed": true,
                      "detail": "100 rows",
                      "severity": "ERROR"
                    },
                    {
                      "check": "unique key (day)",
                      "passed": true,
                      "detail": "every key once",
                      "severity": "ERROR",
                      "provenByPlan": true
                    },
                    {
                      "check": "not null (origin)",
                      "passed": false,
                      "detail": "1 null(s) in origin",
                      "severity": "WARN"
                    }
                  ],
                  "metrics": {
                    "durationMs": 4000,
                    "recordsRead": 1,
                    "bytesRead": 2,
                    "recordsWritten": 3,
                    "bytesWritten": 4,
                    "shuffleBytes": 5,
                    "spillBytes": 6,
                    "failedTasks": 7,
                    "executorsLost": 8,
                    "sparkJobMs": 9,
                    "checkMs": 10
                  },
                  "expectedDurationMs": 4500,
                  "chunks": {
                    "total": 4,
                    "committed": 4,
                    "reexecuted": 1,
                    "units": 8,
                    "sizing": {
                      "summary": "8 units in 4 chunks: τ 228 s from C 0.30 s, M 24 h, cap 2.0 s; expected 8.0 s (upstream stages)",
                      "fixedCostSeconds": 0.3,
                      "fixedCostBasis": "this run",
                      "expectedSeconds": 8.0,
                      "expectedBasis": "upstream stages",
                      "mtbiSeconds": 86400.0,
                      "tauSeconds": 227.5,
                      "capSeconds": 2.0,
                      "capBasis": "CAIRN_CHUNK_MAX_SECONDS",
                      "overheadBudget": 0.02,
                      "targetSeconds": 2.0
                    }
                  }
                },
                {
                  "name": "report",
                  "status": "PENDING",
                  "attempts": 0,
                  "outputTable": "/wh/report",
                  "outputVersion": null,
                  "rowsWritten": null,
                  "recovered": false,
                  "skippedDuplicate": false,
                  "txnAppId": null,
                  "txnVersion": null,
                  "startedAt": null,
                  "finishedAt": null,
                  "errorClass": null,
                  "errorMessage": null,
                  "checks": [],
                  "metrics": null
                }
              ],
              "attempts": [
                {
                  "epoch": 3,
                  "host": "host-a",
                  "pid": 4242,
                  "startedAt": "2026-01-01T00:00:05Z",
                  "lastSeenAt": "2026-01-01T00:00:55Z",
                  "ended": "running",
                  "sparkAppId": "local-1767225605000",
                  "eventLogDir": "file:/cairn/spark-events"
                }
              ],
              "inputs": [
                {
                  "name": "flights",
                  "scope": "run",
                  "snapshot": 1,
                  "location": "/in/flights",
                  "plannedAt": "2026-01-01T00:00:02Z",
                  "files": 4000,
                  "bytes": 9000,
                  "manifest": "/wh/_cairn/inputs/m.jsonl"
                },
                {
                  "name": "customers",
                  "scope": "run",
                  "snapshot": 1,
                  "location": "/wh/customers",
                  "plannedAt": "2026-01-01T00:00:02Z",
                  "tableVersion": 12
                },
                {
                  "name": "/in/extra.csv",
                  "scope": "report",
                  "snapshot": 1,
                  "location": "/in/extra.csv",
                  "plannedAt": "2026-01-01T00:00:03Z",
                  "files": 2,
                  "bytes": 15
                }
              ]
            }""");
  }

  @Test
  void status_ofAFreeSucceededRun_hasNullLeaseAndReason_andItsExpiry() {
    CairnRuntime.RunView view =
        new CairnRuntime.RunView(
            run(Optional.empty(), "", Optional.of(T0.plusSeconds(86_400)), List.of()),
            List.of(),
            LeaseState.FREE,
            T0,
            Map.of(),
            Map.of(),
            List.of());

    String json = JsonOutput.write(StatusJson.of(view));

    assertThat(json)
        .contains("\n  \"lease\": null,\n  \"reason\": null,\n")
        .contains("\n  \"expiresAt\": \"2026-01-02T00:00:00Z\",\n")
        .endsWith(
            "\n  \"reruns\": [],\n  \"stages\": [],\n  \"attempts\": [],\n  \"inputs\": []\n}");
  }

  @Test
  void runs_isAListOfRunsWithTheirKeyAndEpoch() {
    assertThat(
            JsonOutput.write(
                List.of(RunJson.of(run(Optional.empty(), "", Optional.empty(), List.of())))))
        .isEqualTo(
            """
            [
              {
                "runId": "demo-1",
                "job": "demo",
                "status": "RUNNING",
                "updatedAt": "2026-01-01T00:01:00Z",
                "createdAt": "2026-01-01T00:00:00Z",
                "runKey": "a=1&b=2",
                "epoch": 3
              }
            ]""");
    assertThat(JsonOutput.write(List.<RunJson>of())).isEqualTo("[]");
  }

  @Test
  void history_isAListOfEvents_withNullStageAttemptAndErrorClassWhenTheEventHasNone() {
    List<HistoryJson> events =
        List.of(
                new RunEvent(
                    "demo-1",
                    T0,
                    "e1",
                    RunEvent.Type.ATTEMPT_STARTED,
                    Optional.empty(),
                    0,
                    1,
                    Optional.empty(),
                    "started on host-a"),
                new RunEvent(
                    "demo-1",
                    T0.plusSeconds(1),
                    "e2",
                    RunEvent.Type.STAGE_RETRY,
                    Optional.of("clean"),
                    2,
                    1,
                    Optional.of("TRANSIENT"),
                    "line one\nline\ttwo"))
            .stream()
            .map(HistoryJson::of)
            .toList();

    assertThat(JsonOutput.write(events))
        .isEqualTo(
            """
            [
              {
                "at": "2026-01-01T00:00:00Z",
                "type": "ATTEMPT_STARTED",
                "stage": null,
                "attempt": null,
                "epoch": 1,
                "errorClass": null,
                "message": "started on host-a"
              },
              {
                "at": "2026-01-01T00:00:01Z",
                "type": "STAGE_RETRY",
                "stage": "clean",
                "attempt": 2,
                "epoch": 1,
                "errorClass": "TRANSIENT",
                "message": "line one\\nline\\ttwo"
              }
            ]""");
  }

  @Test
  void rerunPlan_listsStagesToRunKeptUnfinishedAndParameterChanges() {
    RunRecord run = run(Optional.empty(), "", Optional.empty(), List.of());
    Map<String, Rerun.ParameterChange> changes = new LinkedHashMap<>();
    changes.put("z", new Rerun.ParameterChange("1", "2"));
    changes.put("region", new Rerun.ParameterChange("", "west"));
    RerunPlan plan =
        new RerunPlan(
            run,
            "clean",
            List.of(
                new RerunPlan.PlannedStage(
                    "clean", StageStatus.COMMITTED, 7, 2, 3, Output.table("clean"), "/wh/clean"),
                new RerunPlan.PlannedStage(
                    "report",
                    StageStatus.PENDING,
                    -1,
                    0,
                    1,
                    Output.table("report").append(),
                    "/wh/report")),
            List.of(committedStage("ingest")),
            List.of(StageRecord.pending("demo-1", "audit", "/wh/audit")),
            changes,
            Map.of("a", "1"));

    assertThat(JsonOutput.write(RerunPlanJson.ofDryRun(plan)))
        .isEqualTo(
            """
            {
              "runId": "demo-1",
              "job": "demo",
              "status": "RUNNING",
              "from": "clean",
              "dryRun": true,
              "stages": [
                {
                  "name": "clean",
                  "status": "COMMITTED",
                  "outputVersion": 7,
                  "txnVersion": 2,
                  "nextTxnVersion": 3,
                  "mode": "OVERWRITE",
                  "outputTable": "/wh/clean"
                },
                {
                  "name": "report",
                  "status": "PENDING",
                  "outputVersion": null,
                  "txnVersion": null,
                  "nextTxnVersion": 1,
                  "mode": "APPEND",
                  "outputTable": "/wh/report"
                }
              ],
              "kept": [
                {
                  "name": "ingest",
                  "outputVersion": 7
                }
              ],
              "unfinished": [
                {
                  "name": "audit",
                  "status": "PENDING"
                }
              ],
              "parameterChanges": {
                "region": {
                  "before": "",
                  "after": "west"
                },
                "z": {
                  "before": "1",
                  "after": "2"
                }
              }
            }""");
  }

  @Test
  void strings_withQuotesBackslashesNewlinesAndControlCharacters_roundTrip() throws Exception {
    String nasty =
        "say \"hi\" C:\\dir\\file\nline two\r\n\ttabbed \u0000 \u0001 \u001f \b \f é ✈ \u2028 end";

    String json = JsonOutput.write(nasty);

    assertThat(new ObjectMapper().readValue(json, String.class)).isEqualTo(nasty);
    assertThat(json)
        .contains("\\\"hi\\\"")
        .contains("C:\\\\dir")
        .contains("\\n")
        .contains("\\u0000")
        .doesNotContain("\n");
  }

  private static RunRecord run(
      Optional<LeaseHolder> holder,
      String reason,
      Optional<Instant> expiresAt,
      List<Rerun> reruns) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("b", "2");
    parameters.put("a", "1");
    return new RunRecord(
        "demo-1",
        "demo",
        "a=1&b=2",
        parameters,
        "hash",
        "dev",
        RunStatus.RUNNING,
        3,
        holder,
        T0.plusSeconds(90),
        T0.plusSeconds(30),
        T0,
        T0.plusSeconds(60),
        reason,
        expiresAt,
        reruns);
  }

  private static StageRecord committedStage(String name) {
    return new StageRecord(
        "demo-1",
        name,
        StageStatus.COMMITTED,
        2,
        "/wh/clean",
        "cairn-demo-1-clean",
        2,
        6,
        7,
        100,
        false,
        true,
        3,
        "t1",
        Optional.of(T0.plusSeconds(1)),
        Optional.of(T0.plusSeconds(5)),
        Optional.empty(),
        Optional.empty(),
        List.of(
            new CheckResult("rows > 0", true, "100 rows"),
            new CheckResult("unique key (day)", true, "every key once", true),
            new CheckResult(
                "not null (origin)", false, "1 null(s) in origin", false, Severity.WARN)),
        new StageMetrics(4000, 1, 2, 3, 4, 5, 6, 7, 8, 9).withCheckMs(10),
        new ChunkPlan(
            List.of("d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"),
            List.of(0, 2, 4, 6),
            Optional.of(
                new ChunkDecision(
                    8,
                    4,
                    8,
                    0.3,
                    "this run",
                    8.0,
                    "upstream stages",
                    86_400,
                    227.5,
                    2.0,
                    "CAIRN_CHUNK_MAX_SECONDS",
                    0.02,
                    2.0))));
  }
}
