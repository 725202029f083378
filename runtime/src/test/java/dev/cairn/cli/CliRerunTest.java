package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunStatus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cairn rerun} in-process against the embedded checkpoint store: the {@code --dry-run} plan
 * (human and JSON), and the refusals (exit 2 for an unknown run, stage or parameter; exit 3 for a
 * run another driver holds), none of which changes anything.
 */
class CliRerunTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();
  private static final String NL = System.lineSeparator();

  private static Path home;
  private static Cli cli;
  private static CairnRuntime setup;
  private static CheckpointStore store;
  private static Checkpoints checkpoints;

  @BeforeAll
  static void startStore() throws Exception {
    home = Files.createTempDirectory("cairn-cli-rerun-test");
    cli = new Cli(home);
    setup = cli.newRuntime();
    store = setup.store();
    checkpoints = new Checkpoints(store);
  }

  @AfterAll
  static void stopStore() throws Exception {
    if (setup != null) {
      setup.close();
    }
    EmbeddedDynamoDb.stop(home);
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  @Test
  void dryRun_printsTheStageAndWhatDependsOnIt_withVersionsAndNextTxn_andChangesNothing() {
    String runId = succeededRun();

    Cli.Result result = cli.run("rerun", runId, "--from", "clean", "--dry-run");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo(
            "Rerun of run "
                + runId
                + " (job demo, SUCCEEDED) from stage clean:"
                + NL
                + NL
                + "STAGE                  STATUS      VERSION      TXN  WRITE"
                + NL
                + "clean                  COMMITTED         4     1->2  overwrite clean_flights"
                + NL
                + "report                 COMMITTED         5     1->2  overwrite daily_report"
                + NL
                + NL
                + "Kept as committed, read at their versions: ingest (version 3)"
                + NL
                + "Parameters unchanged."
                + NL
                + "Dry run: nothing was changed. Without --dry-run, `cairn rerun` records this and"
                + " runs it."
                + NL);
    CairnRuntime.RunView after = setup.status(runId).orElseThrow();
    assertThat(after.run().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(after.run().reruns()).isEmpty();
    assertThat(after.run().epoch()).isEqualTo(1);
    assertThat(after.stages()).allSatisfy(s -> assertThat(s.txnVersion()).isEqualTo(1));
  }

  @Test
  void dryRunJson_withAParameterChange_showsOldAndNewValues() throws Exception {
    String runId = succeededRun();

    Cli.Result result =
        cli.run("rerun", runId, "--from", "report", "-p", "region=west", "--dry-run", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode plan = JACKSON.readTree(result.out());
    assertThat(plan.get("runId").asText()).isEqualTo(runId);
    assertThat(plan.get("from").asText()).isEqualTo("report");
    assertThat(plan.get("dryRun").asBoolean()).isTrue();
    assertThat(plan.get("stages")).hasSize(1);
    JsonNode report = plan.get("stages").get(0);
    assertThat(report.get("name").asText()).isEqualTo("report");
    assertThat(report.get("status").asText()).isEqualTo("COMMITTED");
    assertThat(report.get("outputVersion").asLong()).isEqualTo(5);
    assertThat(report.get("txnVersion").asLong()).isEqualTo(1);
    assertThat(report.get("nextTxnVersion").asLong()).isEqualTo(2);
    assertThat(report.get("mode").asText()).isEqualTo("OVERWRITE");
    assertThat(report.get("outputTable").asText())
        .isEqualTo(DeltaTableStore.location(setup.config().warehouse(), "daily_report"));
    assertThat(plan.get("kept").findValuesAsText("name")).containsExactly("ingest", "clean");
    assertThat(plan.at("/parameterChanges/region/before").asText()).isEmpty();
    assertThat(plan.at("/parameterChanges/region/after").asText()).isEqualTo("west");
    assertThat(plan.get("parameterChanges").size()).isEqualTo(1);
  }

  @Test
  void dryRun_withAParameterChange_saysKeptStagesKeepTheOldValues() {
    String runId = succeededRun();

    Cli.Result result =
        cli.run("rerun", runId, "--from", "clean", "-p", "date=2001-01-06", "--dry-run");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains(
            "Parameters changed (recorded on the run; the run keeps its id):"
                + NL
                + "    date: 2001-01-05 -> 2001-01-06"
                + NL
                + "    Stages kept as committed keep what they computed with the old values."
                + NL);
  }

  @Test
  void unknownStage_isAUsageError_listingTheStagesInOrder() {
    String runId = succeededRun();

    Cli.Result result = cli.run("rerun", runId, "--from", "enrich", "--dry-run");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: run "
                + runId
                + " (job demo) has no stage 'enrich'. Fix: rerun from one of its stages: ingest,"
                + " clean, report"
                + NL);
    assertThat(result.out()).isEmpty();
  }

  @Test
  void unknownRun_isAUsageError() {
    Cli.Result result = cli.run("rerun", "demo-nope", "--from", "clean");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: no run 'demo-nope' in checkpoint table cairn_checkpoints. Fix: list runs with"
                + " `cairn runs`"
                + NL);
  }

  @Test
  void unknownParameter_isAUsageError_namingIt_andNothingChanges() {
    String runId = succeededRun();

    Cli.Result result = cli.run("rerun", runId, "--from", "clean", "-p", "regoin=west");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: job 'demo' has no parameter 'regoin'. Fix: use one of: date, region" + NL);
    assertThat(setup.status(runId).orElseThrow().run().epoch())
        .as("refused before taking the lease")
        .isEqualTo(1);
  }

  @Test
  void rerunOfARunHeldByALiveDriver_exits3_andChangesNothing() {
    Instant now = Instant.now();
    String runId = checkpoints.openRun(now, Map.of("date", "2001-01-05"));
    Lease lease = checkpoints.lease(runId, now);
    checkpoints.committed(lease, "ingest", "raw_flights", 0, now);

    Cli.Result result = cli.run("rerun", runId, "--from", "ingest");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err())
        .startsWith("cairn: run " + runId + " is held by host test-host, pid 4242 since ");
    assertThat(result.out()).isEmpty();
    CairnRuntime.RunView after = setup.status(runId).orElseThrow();
    assertThat(after.run().epoch()).isEqualTo(1);
    assertThat(after.run().reruns()).isEmpty();
    assertThat(after.stages().get(0).txnVersion()).isEqualTo(1);
  }

  @Test
  void status_ofARerunRun_listsItsReruns_withTheParameterChanges() throws Exception {
    String runId = succeededRun();
    Instant at = Instant.parse("2026-02-02T10:00:00Z");
    Lease lease = checkpoints.lease(runId, at);
    store.recordRerun(
        lease,
        new Rerun(
            "rerun-1",
            at,
            "clean",
            List.of("clean", "report"),
            Map.of("date", new Rerun.ParameterChange("2001-01-05", "2001-01-06")),
            "ops@admin"),
        Map.of("date", "2001-01-06"),
        List.of());

    Cli.Result human = cli.run("status", runId);
    JsonNode json = JACKSON.readTree(cli.run("status", runId, "--json").out());

    assertThat(human.out())
        .contains(
            "Rerun   2026-02-02T10:00:00Z from clean by ops@admin; date: 2001-01-05 -> 2001-01-06"
                + NL)
        .doesNotContain("Expires");
    assertThat(json.at("/reruns/0/from").asText()).isEqualTo("clean");
    assertThat(json.at("/reruns/0/stages").toString()).isEqualTo("[\"clean\",\"report\"]");
    assertThat(json.at("/reruns/0/parameterChanges/date/after").asText()).isEqualTo("2001-01-06");
    assertThat(json.at("/reruns/0/by").asText()).isEqualTo("ops@admin");
    assertThat(json.at("/parameters/date").asText()).isEqualTo("2001-01-06");
    assertThat(json.get("expiresAt").isNull()).as("a rerun run is live again").isTrue();
  }

  @Test
  void status_ofASucceededRun_saysWhenItsCheckpointsExpire() throws Exception {
    String runId = succeededRun();

    JsonNode json = JACKSON.readTree(cli.run("status", runId, "--json").out());

    assertThat(json.get("expiresAt").asText()).isEqualTo("2026-05-02T00:00:01Z");
    assertThat(cli.run("status", runId).out())
        .contains("Expires 2026-05-02T00:00:01Z (its checkpoints are deleted then)");
  }

  /** A demo run whose three stages committed at versions 3, 4 and 5, then succeeded. */
  private static String succeededRun() {
    Instant t0 = Instant.parse("2026-02-01T00:00:00Z");
    String runId = checkpoints.openRun(t0, Map.of("date", "2001-01-05"));
    Lease lease = checkpoints.lease(runId, t0);
    checkpoints.committed(lease, "ingest", "raw_flights", 3, t0);
    checkpoints.committed(lease, "clean", "clean_flights", 4, t0);
    checkpoints.committed(lease, "report", "daily_report", 5, t0);
    store.finishRun(lease, RunStatus.SUCCEEDED, "", t0.plusSeconds(1));
    return runId;
  }
}
