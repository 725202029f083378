package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkTransition;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageTransition;
import java.io.File;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code status}, {@code runs} and {@code resume} end to end in-process, against the embedded
 * checkpoint store (a DynamoDB Local server). Runs and stages are set up through the runtime's
 * store directly, since executing stages would need Spark and Delta.
 */
class CliStatusTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final ObjectMapper JACKSON = new ObjectMapper();
  private static final LeaseHolder DRIVER =
      new LeaseHolder("test-host:4242:abc", "test-host", 4242, Instant.EPOCH);

  private static Path home;
  private static Cli cli;
  private static CairnRuntime setup;
  private static CheckpointStore store;
  private static String warehouse;

  @BeforeAll
  static void startStore() throws Exception {
    home = Files.createTempDirectory("cairn-cli-test");
    cli = new Cli(home);
    setup = cli.newRuntime();
    store = setup.store();
    warehouse = setup.config().warehouse();
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
  void history_listsTheRunsEventsInOrder_asTextAndJson() throws Exception {
    Instant t0 = Instant.parse("2026-02-05T00:00:00Z");
    String runId = openRun(t0);
    Lease lease = store.tryAcquireLease(runId, DRIVER, t0, TTL, null).orElseThrow();
    store.transition(lease, start(runId, "ingest", "raw_flights", t0.plusSeconds(1)));
    store.transition(
        lease,
        new StageTransition.Fail(
            "ingest",
            1,
            "TRANSIENT",
            "SocketTimeoutException: Read timed out",
            Optional.of(Duration.ofSeconds(2)),
            List.of(),
            transitionId(),
            t0.plusSeconds(2)));
    store.transition(lease, start(runId, "ingest", "raw_flights", t0.plusSeconds(4)));
    store.transition(lease, commit(runId, "ingest", "raw_flights", 0, 42, t0.plusSeconds(5)));

    Cli.Result text = cli.run("history", runId);
    Cli.Result json = cli.run("history", runId, "--json");

    assertThat(text.exitCode()).isZero();
    assertThat(text.out().lines().toList())
        .hasSize(5)
        .element(2)
        .asString()
        .contains("STAGE_RETRY")
        .contains("ingest")
        .contains("[TRANSIENT] SocketTimeoutException: Read timed out; retrying in 2.0 s");
    JsonNode events = JACKSON.readTree(json.out());
    assertThat(events).hasSize(4);
    assertThat(events.get(0).get("type").asText()).isEqualTo("STAGE_STARTED");
    assertThat(events.get(1).get("errorClass").asText()).isEqualTo("TRANSIENT");
    assertThat(events.get(3).get("type").asText()).isEqualTo("STAGE_COMMITTED");
    assertThat(events.get(3).get("message").asText())
        .isEqualTo("version 0 of /w/raw_flights, 42 rows");
  }

  @Test
  void leaseBreak_ofALeaseStillRenewed_isRefusedNamingTheHolder_unlessForced() throws Exception {
    String runId = openRun(Instant.parse("2026-05-01T00:00:00Z"));
    store.tryAcquireLease(runId, DRIVER, Instant.now(), TTL, null).orElseThrow();

    Cli.Result refused = cli.run("lease", "break", runId);

    assertThat(refused.exitCode()).isEqualTo(3);
    assertThat(refused.err())
        .contains("run " + runId + " is held by host test-host, pid 4242 since ")
        .contains("and its lease is being renewed (it expires ")
        .contains(
            "Fix: stop that driver; if you know it is dead (its machine is gone), `cairn"
                + " lease break "
                + runId
                + " --force`");
    assertThat(store.findRun(runId).orElseThrow().holder()).isPresent();

    Cli.Result forced = cli.run("lease", "break", runId, "--force");

    assertThat(forced.exitCode()).as(forced.err()).isZero();
    assertThat(forced.out())
        .contains(
            "Broke the lease of run "
                + runId
                + " held by host test-host, pid 4242 (epoch 1). The run is INTERRUPTED; continue it"
                + " with: cairn resume "
                + runId);
    var run = store.findRun(runId).orElseThrow();
    assertThat(run.holder()).isEmpty();
    assertThat(run.epoch()).isEqualTo(2);
    assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(run.reason()).contains("broken by an operator (forced while it was still renewed)");
    assertThat(cli.run("history", runId).out()).contains("OPERATOR");
    // The old holder's epoch is superseded: it can no longer write.
    Lease stale = new Lease(runId, 1, DRIVER);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> store.renewLease(stale, Instant.now(), TTL))
        .isInstanceOf(dev.cairn.RunHeldException.class);
  }

  @Test
  void leaseBreak_ofAnExpiredLease_needsNoForce_andOfAFreeRunDoesNothing() throws Exception {
    String runId = openRun(Instant.parse("2026-05-02T00:00:00Z"));
    store.tryAcquireLease(runId, DRIVER, Instant.now().minusSeconds(300), TTL, null).orElseThrow();

    Cli.Result broken = cli.run("lease", "break", runId);
    Cli.Result again = cli.run("lease", "break", runId);

    assertThat(broken.exitCode()).as(broken.err()).isZero();
    assertThat(broken.out()).contains("Broke the lease of run " + runId);
    assertThat(again.exitCode()).isZero();
    assertThat(again.out())
        .contains("Run " + runId + " holds no lease (INTERRUPTED); nothing to break.");
  }

  @Test
  void status_ofARunningStage_givesAnEtaFromTheJobsLastSucceededRun() throws Exception {
    Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
    String done = openRun(t0);
    Lease first = store.tryAcquireLease(done, DRIVER, t0, TTL, null).orElseThrow();
    store.transition(first, start(done, "ingest", "raw_flights", t0));
    store.transition(first, commit(done, "ingest", "raw_flights", 0, 10, t0.plusSeconds(2)));
    store.finishRun(first, RunStatus.SUCCEEDED, "", Instant.now());
    String running = openRun(t0.plusSeconds(60));
    Lease second = store.tryAcquireLease(running, DRIVER, Instant.now(), TTL, null).orElseThrow();
    store.transition(second, start(running, "ingest", "raw_flights", Instant.now()));

    Cli.Result human = cli.run("status", running);
    JsonNode json = JACKSON.readTree(cli.run("status", running, "--json").out());

    assertThat(human.out())
        .containsPattern("(?m)^ingest\\s+RUNNING\\s+1\\s+-\\s+-\\s+\\S+\\+ ETA ");
    assertThat(json.at("/stages/0/expectedDurationMs").asLong()).isEqualTo(1500);
  }

  @Test
  void status_ofAChunkedStage_showsItsChunksAsAProgressBar_andAsJson() throws Exception {
    Instant t0 = Instant.parse("2026-06-02T00:00:00Z");
    String runId = openRun(t0);
    Lease lease = store.tryAcquireLease(runId, DRIVER, Instant.now(), TTL, null).orElseThrow();
    store.transition(lease, start(runId, "ingest", "raw_flights", Instant.now()));
    List<String> plan = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "m" + i).toList();
    store.planChunks(lease, "ingest", 1, ChunkPlan.oneChunkPerUnit(plan));
    for (int i = 0; i < 4; i++) {
      store.transition(
          lease, new ChunkTransition.Start("ingest", 1, i, "m" + i, transitionId(), t0));
      if (i == 2) { // killed once, executed again
        store.transition(
            lease, new ChunkTransition.Start("ingest", 1, i, "m" + i, transitionId(), t0));
      }
      store.transition(
          lease,
          new ChunkTransition.Commit("ingest", 1, i, "m" + i, i, 10, false, transitionId(), t0));
    }
    store.transition(lease, new ChunkTransition.Start("ingest", 1, 4, "m4", transitionId(), t0));

    Cli.Result human = cli.run("status", runId);
    JsonNode json = JACKSON.readTree(cli.run("status", runId, "--json").out());

    assertThat(human.out())
        .contains("    chunks [########------------] 4/10 committed, 1 re-executed");
    assertThat(json.at("/stages/0/chunks").toString())
        .isEqualTo("{\"total\":10,\"committed\":4,\"reexecuted\":1,\"units\":10}");
    assertThat(json.at("/stages/1/chunks").isMissingNode()).as("a stage not chunked").isTrue();
  }

  @Test
  void status_showsTheRunsInputPlans_filesManifestAndPinnedTable_asTextAndJson() throws Exception {
    Instant t0 = Instant.parse("2026-06-03T00:00:00.123456789Z"); // shown to the second
    String runId = openRun(t0);
    Lease lease = store.tryAcquireLease(runId, DRIVER, Instant.now(), TTL, null).orElseThrow();
    store.recordPlan(
        lease,
        new InputPlan(
            runId,
            InputPlan.RUN_SCOPE,
            "airports",
            0,
            "/in/airports.csv",
            List.of(new InputPlan.PlannedFile("/in/airports.csv", 2_048, "mtime:1")),
            t0));
    store.recordPlan(
        lease,
        new InputPlan(runId, InputPlan.RUN_SCOPE, "flights", 0, "/in/flights", List.of(), t0)
            .inManifest(
                new InputPlan.Manifest(
                    "/w/_cairn/inputs/" + runId + "/ab.jsonl", "ab", 4000, 3L << 30)));
    store.recordPlan(
        lease,
        new InputPlan(
            runId,
            InputPlan.RUN_SCOPE,
            "customers",
            0,
            "/w/customers",
            List.of(),
            Optional.empty(),
            7,
            t0));
    store.recordPlan(
        lease,
        new InputPlan(
            runId,
            "ingest",
            "/in/extra.csv",
            1,
            "/in/extra.csv",
            List.of(new InputPlan.PlannedFile("/in/extra.csv", 10, "mtime:4")),
            t0));

    Cli.Result human = cli.run("status", runId);
    JsonNode json = JACKSON.readTree(cli.run("status", runId, "--json").out());

    assertThat(human.out())
        .contains(
            "INPUT                  SCOPE          SNAPSHOT  PLANNED                  READ AS")
        .contains(
            "airports               run                   0  2026-06-03T00:00:00Z     1 file, 2.0 KiB: /in/airports.csv")
        .contains(
            "customers              run                   0  2026-06-03T00:00:00Z     Delta table at version 7: /w/customers")
        .contains(
            "flights                run                   0  2026-06-03T00:00:00Z     4,000 files, 3.0 GiB: /in/flights (listed in manifest /w/_cairn/inputs/"
                + runId
                + "/ab.jsonl)");
    assertThat(human.out())
        .as("an undeclared input, planned by its stage for itself, after the run's")
        .contains(
            "/in/extra.csv          stage ingest          1  2026-06-03T00:00:00Z     1 file, 10 B: /in/extra.csv");
    assertThat(json.at("/inputs").size()).isEqualTo(4);
    assertThat(json.at("/inputs/3/scope").asText()).isEqualTo("ingest");
    assertThat(json.at("/inputs/1").toString())
        .isEqualTo(
            "{\"name\":\"customers\",\"scope\":\"run\",\"snapshot\":0,\"location\":\"/w/customers\","
                + "\"plannedAt\":\"2026-06-03T00:00:00.123456789Z\",\"tableVersion\":7}");
    assertThat(json.at("/inputs/2/files").asInt()).isEqualTo(4000);
  }

  @Test
  void history_ofAnUnknownRun_isAUsageError() {
    Cli.Result result = cli.run("history", "no-such-run");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no run 'no-such-run'. Fix: list runs with `cairn runs`");
  }

  @Test
  void statusJson_listsCheckpointedStagesThenPendingOnes_inDependencyOrder() throws Exception {
    Instant t0 = Instant.parse("2026-02-01T00:00:00Z");
    String runId = openRun(t0);
    Lease lease = store.tryAcquireLease(runId, DRIVER, t0, TTL, null).orElseThrow();
    store.transition(lease, start(runId, "ingest", "raw_flights", t0.plusSeconds(1)));
    store.transition(lease, commit(runId, "ingest", "raw_flights", 3, 42, t0.plusSeconds(2)));
    store.transition(lease, start(runId, "clean", "clean_flights", t0.plusSeconds(3)));

    Cli.Result result = cli.run("status", runId, "--json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    JsonNode status = JACKSON.readTree(result.out());
    assertThat(status.get("runId").asText()).isEqualTo(runId);
    assertThat(status.get("job").asText()).isEqualTo("demo");
    assertThat(status.get("status").asText()).isEqualTo("RUNNING");
    assertThat(status.get("epoch").asLong()).isEqualTo(1);
    assertThat(status.get("lease").get("host").asText()).isEqualTo("test-host");
    assertThat(status.get("lease").get("pid").asLong()).isEqualTo(4242);
    assertThat(status.get("reason").isNull()).isTrue();

    assertThat(fieldNames(status)).contains("runId", "job", "status", "epoch", "stages");
    List<JsonNode> stages = new ArrayList<>();
    status.get("stages").forEach(stages::add);
    for (JsonNode stage : stages) {
      assertThat(fieldNames(stage))
          .as("the documented fields of every stage, PENDING ones included")
          .contains(
              "name",
              "status",
              "attempts",
              "outputTable",
              "outputVersion",
              "rowsWritten",
              "recovered");
    }
    assertThat(stages)
        .extracting(s -> s.get("name").asText())
        .containsExactly("ingest", "clean", "report");
    assertThat(stages)
        .extracting(s -> s.get("status").asText())
        .containsExactly("COMMITTED", "RUNNING", "PENDING");
    assertThat(stages).extracting(s -> s.get("attempts").asInt()).containsExactly(1, 1, 0);
    assertThat(stages)
        .extracting(s -> s.get("outputTable").asText())
        .containsExactly(
            "/w/raw_flights",
            "/w/clean_flights",
            DeltaTableStore.location(warehouse, "daily_report"));

    JsonNode ingest = stages.get(0);
    assertThat(ingest.get("outputVersion").asLong()).isEqualTo(3);
    assertThat(ingest.get("rowsWritten").asLong()).isEqualTo(42);
    assertThat(ingest.get("recovered").asBoolean()).isFalse();
    JsonNode metrics = ingest.get("metrics");
    assertThat(metrics.get("durationMs").asLong()).isEqualTo(1500);
    assertThat(metrics.get("recordsRead").asLong()).isEqualTo(1300);
    assertThat(metrics.get("recordsWritten").asLong()).isEqualTo(42);
    assertThat(metrics.get("bytesWritten").asLong()).isEqualTo(48_000);
    assertThat(metrics.get("shuffleBytes").asLong()).isEqualTo(2_048);
    assertThat(metrics.get("spillBytes").asLong()).isZero();
    assertThat(metrics.get("failedTasks").asLong()).isEqualTo(1);
    assertThat(ingest.get("checks").isArray()).isTrue();
    for (JsonNode unfinished : stages.subList(1, 3)) {
      assertThat(unfinished.get("metrics").isNull()).isTrue();
      assertThat(unfinished.get("outputVersion").isNull()).isTrue();
      assertThat(unfinished.get("rowsWritten").isNull()).isTrue();
      assertThat(unfinished.get("recovered").isBoolean()).isTrue();
    }
  }

  @Test
  void status_ofARunHeldNowByALiveDriver_givesNoTakeOverHint() throws Exception {
    String runId = openRun(Instant.parse("2026-04-01T00:00:00Z"));
    store.tryAcquireLease(runId, DRIVER, Instant.now(), TTL, null).orElseThrow();

    assertThat(cli.run("status", runId).out())
        .contains("held by host test-host, pid 4242")
        .doesNotContain("takes over");
    assertThat(
            JACKSON.readTree(cli.run("status", runId, "--json").out()).at("/lease/state").asText())
        .isEqualTo("HELD");
  }

  @Test
  void status_ofARunWhoseLeaseExpired_saysResumeTakesOver() throws Exception {
    String runId = openRun(Instant.parse("2026-04-02T00:00:00Z"));
    store.tryAcquireLease(runId, DRIVER, Instant.now().minusSeconds(120), TTL, null).orElseThrow();

    assertThat(cli.run("status", runId).out())
        .contains(
            "The lease has expired: that driver stopped renewing it. `cairn resume "
                + runId
                + "` takes over.");
    assertThat(
            JACKSON.readTree(cli.run("status", runId, "--json").out()).at("/lease/state").asText())
        .isEqualTo("EXPIRED");
  }

  @Test
  void status_ofARunHeldByAProcessGoneFromThisHost_saysResumeTakesOverAtOnce() throws Exception {
    String runId = openRun(Instant.parse("2026-04-03T00:00:00Z"));
    LeaseHolder killed =
        new LeaseHolder(
            "killed-driver",
            InetAddress.getLocalHost().getHostName(),
            999_999_999L,
            Instant.EPOCH,
            LeaseHolder.thisMachine());
    store.tryAcquireLease(runId, killed, Instant.now(), TTL, null).orElseThrow();

    assertThat(cli.run("status", runId).out())
        .contains(
            "That process is no longer running on this host. `cairn resume "
                + runId
                + "` takes over at once.");
    assertThat(
            JACKSON.readTree(cli.run("status", runId, "--json").out()).at("/lease/state").asText())
        .isEqualTo("HOLDER_GONE");
  }

  @Test
  void status_human_showsTheStageTableAndWhoHoldsTheLease() {
    Instant t0 = Instant.parse("2026-02-02T00:00:00Z");
    String runId = openRun(t0);
    Lease lease = store.tryAcquireLease(runId, DRIVER, t0, TTL, null).orElseThrow();
    store.transition(lease, start(runId, "ingest", "raw_flights", t0.plusSeconds(1)));
    store.transition(lease, commit(runId, "ingest", "raw_flights", 7, 1234, t0.plusSeconds(2)));

    Cli.Result result = cli.run("status", runId);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("Run     " + runId + "  (job demo)")
        .contains("Status  RUNNING  epoch 1  held by host test-host, pid 4242")
        .containsPattern("STAGE\\s+STATUS\\s+ATTEMPTS\\s+VERSION\\s+ROWS\\s+DURATION\\s+TABLE")
        .containsPattern("(?m)^ingest\\s+COMMITTED\\s+1\\s+7\\s+1234\\s+1.5s\\s+/w/raw_flights$")
        .containsPattern("(?m)^clean\\s+PENDING\\s+0\\s+-\\s+-\\s+")
        .containsPattern("(?m)^report\\s+PENDING\\s+0\\s+-\\s+-\\s+");
    assertThat(result.out().indexOf("ingest")).isLessThan(result.out().indexOf("clean "));
    assertThat(result.out().indexOf("clean ")).isLessThan(result.out().indexOf("report "));
  }

  @Test
  void status_ofAFinishedRun_showsItsReason_andNoLease() throws Exception {
    Instant t0 = Instant.parse("2026-02-03T00:00:00Z");
    String runId = openRun(t0);
    Lease lease = store.tryAcquireLease(runId, DRIVER, t0, TTL, null).orElseThrow();
    store.transition(lease, start(runId, "ingest", "raw_flights", t0.plusSeconds(1)));
    store.transition(
        lease,
        new StageTransition.Fail(
            "ingest",
            1,
            "PERMANENT",
            "disk \"full\"",
            Optional.empty(),
            List.of(),
            transitionId(),
            t0.plusSeconds(2)));
    store.finishRun(lease, RunStatus.FAILED, "stage ingest failed", t0.plusSeconds(3));

    Cli.Result human = cli.run("status", runId);
    Cli.Result json = cli.run("status", runId, "--json");

    assertThat(human.exitCode()).isZero();
    assertThat(human.out())
        .contains("Status  FAILED  epoch 1" + System.lineSeparator())
        .contains("Reason  stage ingest failed")
        .contains("    error (PERMANENT): disk \"full\"")
        .doesNotContain("held by");
    JsonNode status = JACKSON.readTree(json.out());
    assertThat(status.get("status").asText()).isEqualTo("FAILED");
    assertThat(status.get("reason").asText()).isEqualTo("stage ingest failed");
    assertThat(status.get("lease").isNull()).isTrue();
    JsonNode ingest = status.get("stages").get(0);
    assertThat(ingest.get("status").asText()).isEqualTo("FAILED");
    assertThat(ingest.get("errorMessage").asText()).isEqualTo("disk \"full\"");
  }

  @Test
  void runsJson_listsRunsNewestUpdatedFirst() throws Exception {
    Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
    String older = openRun(t0);
    String newer = openRun(t0);
    store.tryAcquireLease(older, DRIVER, t0.plusSeconds(5), TTL, null).orElseThrow();
    store.tryAcquireLease(newer, DRIVER, t0.plusSeconds(9), TTL, null).orElseThrow();

    Cli.Result result = cli.run("runs", "--json", "--limit", "1000");

    assertThat(result.exitCode()).isZero();
    JsonNode runs = JACKSON.readTree(result.out());
    assertThat(runs.isArray()).isTrue();
    List<JsonNode> mine = new ArrayList<>();
    List<Instant> updated = new ArrayList<>();
    for (JsonNode run : runs) {
      assertThat(run.has("runId") && run.has("job") && run.has("status") && run.has("updatedAt"))
          .as("run %s has the documented fields", run)
          .isTrue();
      updated.add(Instant.parse(run.get("updatedAt").asText()));
      if (List.of(older, newer).contains(run.get("runId").asText())) {
        mine.add(run);
      }
    }
    assertThat(updated).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(mine).extracting(r -> r.get("runId").asText()).containsExactly(newer, older);
    assertThat(mine.get(0).get("job").asText()).isEqualTo("demo");
    assertThat(mine.get(0).get("status").asText()).isEqualTo("RUNNING");
    assertThat(mine.get(0).get("updatedAt").asText()).isEqualTo(t0.plusSeconds(9).toString());
  }

  @Test
  void runs_human_printsAHeaderAndOneLinePerRun_limited() {
    String runId = openRun(Instant.parse("2030-01-01T00:00:00Z"));

    Cli.Result result = cli.run("runs", "--limit", "1");

    assertThat(result.exitCode()).isZero();
    String[] lines = result.out().split("\\R");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).matches("RUN\\s+STATUS\\s+UPDATED\\s+JOB");
    assertThat(lines[1]).matches(runId + "\\s+RUNNING\\s+2030-01-01T00:00:00Z\\s+demo");
  }

  @Test
  void runs_filteredByJobAndStatus() throws Exception {
    String running = openRun(Instant.parse("2029-02-01T00:00:00Z"));
    String failed = openRun(Instant.parse("2029-02-01T00:00:01Z"));
    Lease lease = store.tryAcquireLease(failed, DRIVER, Instant.now(), TTL, null).orElseThrow();
    store.finishRun(lease, RunStatus.FAILED, "stage x failed", Instant.now());

    Cli.Result onlyFailed = cli.run("runs", "--job", "demo", "--status", "failed", "--json");
    Cli.Result otherJob = cli.run("runs", "--job", "no-such-job", "--json");
    Cli.Result badStatus = cli.run("runs", "--status", "DONE");

    List<String> ids = new ArrayList<>();
    JACKSON.readTree(onlyFailed.out()).forEach(r -> ids.add(r.get("runId").asText()));
    assertThat(ids).contains(failed).doesNotContain(running);
    JACKSON
        .readTree(onlyFailed.out())
        .forEach(r -> assertThat(r.get("status").asText()).isEqualTo("FAILED"));
    assertThat(JACKSON.readTree(otherJob.out())).isEmpty();
    assertThat(badStatus.exitCode()).isEqualTo(2);
    assertThat(badStatus.err())
        .contains(
            "--status DONE is not a run state. Fix: use one of RUNNING, SUCCEEDED, FAILED,"
                + " INTERRUPTED");
  }

  @Test
  void status_unknownRun_isAUsageError_sayingHowToListRuns() {
    Cli.Result result = cli.run("status", "no-such-run");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: no run 'no-such-run'. Fix: list runs with `cairn runs`"
                + System.lineSeparator());
    assertThat(result.out()).isEmpty();
  }

  @Test
  void resume_unknownRun_isAUsageError_namingTheCheckpointTable() {
    Cli.Result result = cli.run("resume", "no-such-run");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: no run 'no-such-run' in checkpoint table cairn_checkpoints. Fix: list runs"
                + " with `cairn runs`"
                + System.lineSeparator());
  }

  @Test
  void status_ofARunWhoseJobIsNotOnTheClasspath_showsItsCheckpointedStagesOnly() throws Exception {
    Instant t0 = Instant.parse("2026-02-04T00:00:00Z");
    String runId = "gone-" + UUID.randomUUID();
    store.openRun(new NewRun(runId, "gone", "", Map.of(), "h", "dev", t0));
    Lease lease = store.tryAcquireLease(runId, DRIVER, t0, TTL, null).orElseThrow();
    store.transition(lease, start(runId, "old_stage", "old_table", t0.plusSeconds(1)));

    Cli.Result result = cli.run("status", runId, "--json");

    assertThat(result.exitCode()).isZero();
    JsonNode stages = JACKSON.readTree(result.out()).get("stages");
    assertThat(stages).hasSize(1);
    assertThat(stages.get(0).get("name").asText()).isEqualTo("old_stage");
    assertThat(stages.get(0).get("status").asText()).isEqualTo("RUNNING");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String openRun(Instant createdAt) {
    String runId = "demo-" + UUID.randomUUID();
    store.openRun(
        new NewRun(
            runId,
            DemoJob.NAME,
            "date=2001-01-05",
            Map.of("date", "2001-01-05"),
            "hash",
            "dev",
            createdAt));
    return runId;
  }

  /** Unique, like the runtime's: it is also the write's idempotency token. */
  private static String transitionId() {
    return UUID.randomUUID().toString();
  }

  private static StageTransition.Start start(String runId, String stage, String table, Instant at) {
    return new StageTransition.Start(
        stage, 1, "/w/" + table, "cairn:" + runId + ":" + stage, 1, -1, transitionId(), at);
  }

  private static StageTransition.Commit commit(
      String runId, String stage, String table, long version, long rows, Instant at) {
    return new StageTransition.Commit(
        stage,
        "/w/" + table,
        "cairn:" + runId + ":" + stage,
        1,
        version,
        rows,
        false,
        false,
        List.of(),
        new StageMetrics(1500, 1300, 64_000, rows, 48_000, 2_048, 0, 1, 0, 1200),
        transitionId(),
        at);
  }
}
