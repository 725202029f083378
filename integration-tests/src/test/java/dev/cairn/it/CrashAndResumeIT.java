package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The flights job in separate driver JVMs on the embedded default (DynamoDB Local on 127.0.0.1,
 * local Delta warehouse), SIGKILLed at each crash window of the commit protocol and at random
 * instants, then resumed: the output tables must equal a clean run's row for row, and no stage
 * committed before the kill may run again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashAndResumeIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Kills at random instants per suite run (a new seed each run, printed on failure; {@code
   * -Dcairn.it.seed} repeats one): the crash windows and chunk kills cover the protocol's states,
   * these sample the instants between them. One keeps the suite's time down.
   */
  private static final int RANDOM_KILLS = Integer.getInteger("cairn.it.randomKills", 1);

  private final List<Path> homes = new ArrayList<>();
  private SparkSession spark;
  private Path root;
  private ReferenceRun reference;
  private String[] runArgs;
  private Map<String, List<String>> cleanTables;
  private Duration cleanDuration;

  @BeforeAll
  void generateInputAndRunCleanly() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "cairn-it-checker");
    root = Files.createTempDirectory("cairn-it");
    reference = ReferenceRun.get(spark);
    runArgs = reference.runArgs();
    cleanDuration = reference.duration;
    cleanTables = reference.tables;

    // The reference run is made with CAIRN_LOG_FORMAT=json: its log, status and history.
    Driver clean = reference.driver;
    assertThat(reference.result.output()).contains("SUCCEEDED");
    String runId = onlyRunId(clean);
    assertLogIsJsonLinesAboutTheRun(reference.result.log(), runId);

    Driver.Result statusCommand = clean.run("status", runId, "--json");
    assertThat(statusCommand.exitCode()).as(statusCommand.all()).isZero();
    JsonNode status = JSON.readTree(statusCommand.output());
    assertThat(status.get("status").asText()).isEqualTo("SUCCEEDED");
    for (JsonNode stage : status.get("stages")) {
      assertThat(stage.get("status").asText()).as(stage.toString()).isEqualTo("COMMITTED");
      assertThat(stage.get("attempts").asInt()).isEqualTo(1);
      assertThat(stage.get("recovered").asBoolean()).isFalse();
      assertThat(stage.get("outputTable").asText()).startsWith(reference.root.toString());
      JsonNode metrics = stage.get("metrics");
      assertThat(metrics.get("durationMs").asLong()).as(stage.toString()).isPositive();
      assertThat(metrics.get("recordsWritten").asLong())
          .as(stage.toString())
          .isEqualTo(stage.get("rowsWritten").asLong());
      assertThat(metrics.get("bytesWritten").asLong()).as(stage.toString()).isPositive();
    }
    Map<String, JsonNode> byName = stagesByName(status);
    // Default sizing: the ten days' expected work is far below τ, so one chunk.
    JsonNode chunks = byName.get("enrich").get("chunks");
    assertThat(chunks.get("total").asInt()).as(chunks.toString()).isEqualTo(1);
    assertThat(chunks.get("units").asInt()).isEqualTo(FlightsData.DAYS);
    assertThat(chunks.get("sizing").get("summary").asText())
        .startsWith(FlightsData.DAYS + " units in 1 chunk: τ ")
        .contains("cap 300 s", "(upstream stages)");
    assertThat(byName.get("rejects").get("checks").get(0).get("detail").asText())
        .contains("destination is not a known airport: ");
    assertThat(byName.get("daily_summary").get("checks"))
        .extracting(c -> c.get("passed").asBoolean())
        .containsOnly(true)
        .hasSize(3);

    Driver.Result history = clean.run("history", runId);
    assertThat(history.exitCode()).as(history.all()).isZero();
    assertThat(history.output())
        .contains("ATTEMPT_STARTED", "RUN_SUCCEEDED")
        .contains("STAGE_COMMITTED          daily_summary");
  }

  @AfterAll
  void stopEverything() throws IOException {
    homes.forEach(EmbeddedDynamoDb::stop);
    if (spark != null) {
      spark.stop();
    }
    ScratchDirs.deleteUnlessKept(root);
  }

  /**
   * One run killed at each crash window of the commit protocol in turn, each kill hitting the
   * driver that resumed from the one before: after a stage's start (it runs again), between a
   * stage's Delta commit and its checkpoint (recovered from the Delta log, not recomputed), after a
   * checkpoint (nothing runs again), and once more between a Delta commit and its checkpoint; then
   * SIGTERM, handled like a Spot notice (exit 75, INTERRUPTED); then the last resume completes the
   * run with the clean run's tables. One run for all windows keeps the suite's time down.
   */
  @Test
  void killAtEachCrashWindow_thenResume_matchesCleanRunWithoutRecomputingCommittedStages()
      throws Exception {
    Driver driver = driver("windows");
    Path parked = driver.pauseAt("clean", "after-start");
    Driver.Running running = driver.start(runArgs);
    awaitParked(running, parked);
    String runId = onlyRunId(driver);
    Driver.Result second = driver.run(runArgs);
    assertThat(second.exitCode()).as(second.all()).isEqualTo(3);
    assertThat(second.log())
        .contains("run " + runId + " is held by host ")
        .contains("pid " + running.process.pid());
    Map<String, JsonNode> before = stagesByName(status(driver, runId));

    // Killed after clean's start: its resume runs it again.
    running = killAndResumeUntil(driver, running, runId, "rejects", "after-delta-commit");
    Map<String, JsonNode> now = stagesByName(status(driver, runId));
    assertCommittedStagesDidNotRunAgain(before, now);
    assertThat(now.get("clean").get("attempts").asInt()).as("clean run again").isEqualTo(2);
    assertThat(now.get("clean").get("recovered").asBoolean()).isFalse();
    before = now;

    // Killed between rejects' Delta commit and its checkpoint: recovered, not recomputed.
    running = killAndResumeUntil(driver, running, runId, "airport_daily", "after-checkpoint");
    now = stagesByName(status(driver, runId));
    assertCommittedStagesDidNotRunAgain(before, now);
    assertThat(now.get("rejects").get("attempts").asInt()).as("not recomputed").isEqualTo(1);
    assertThat(now.get("rejects").get("recovered").asBoolean()).isTrue();
    assertThat(running.log()).contains("Stage rejects recovered: its Delta commit");
    assertThat(now.get("airport_daily").get("status").asText()).isEqualTo("COMMITTED");
    before = now;

    // Killed after airport_daily's checkpoint: nothing of it runs again.
    running = killAndResumeUntil(driver, running, runId, "route_daily", "after-delta-commit");
    now = stagesByName(status(driver, runId));
    assertCommittedStagesDidNotRunAgain(before, now);
    before = now;

    // Killed between route_daily's Delta commit and its checkpoint (a merge: recovered too), the
    // next driver gets SIGTERM: it stops like a Spot notice, exit 75.
    running = killAndResumeUntil(driver, running, runId, "daily_summary", "after-start");
    assertThat(running.log()).contains("Stage route_daily recovered: its Delta commit");
    running.signal("TERM");
    Driver.Running terminated = running;
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> terminated.log().contains("SIGTERM received"));
    Files.delete(driver.pausedFile());
    Driver.Result stopped = running.await(Duration.ofMinutes(2));
    assertThat(stopped.exitCode()).as(stopped.all()).isEqualTo(75);
    JsonNode interrupted = status(driver, runId);
    assertThat(interrupted.get("status").asText()).isEqualTo("INTERRUPTED");
    assertThat(interrupted.get("reason").asText()).startsWith("SIGTERM received");
    now = stagesByName(interrupted);
    assertCommittedStagesDidNotRunAgain(before, now);
    assertThat(now.get("route_daily").get("attempts").asInt()).as("not recomputed").isEqualTo(1);
    assertThat(now.get("route_daily").get("recovered").asBoolean()).isTrue();
    before = now;

    driver.noPause();
    Driver.Result resumed = driver.run("resume", runId);
    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    JsonNode after = status(driver, runId);
    assertThat(after.get("status").asText()).isEqualTo("SUCCEEDED");
    Map<String, JsonNode> stages = stagesByName(after);
    assertCommittedStagesDidNotRunAgain(before, stages);
    stages.values().forEach(s -> assertThat(s.get("skippedDuplicate").asBoolean()).isFalse());
    assertThat(after.get("attempts")).hasSize(6);
    assertThat(Tables.snapshot(spark, warehouse(driver, "windows"))).isEqualTo(cleanTables);
  }

  /**
   * SIGKILLs {@code running} (parked), then resumes the run in a driver parked at {@code
   * stage}:{@code window}, and returns it once parked.
   */
  private static Driver.Running killAndResumeUntil(
      Driver driver, Driver.Running running, String runId, String stage, String window)
      throws IOException, InterruptedException {
    running.killGroup();
    driver.pauseAt(stage, window);
    Driver.Running resumed = driver.start("resume", runId);
    awaitParked(resumed, driver.pausedFile());
    return resumed;
  }

  /**
   * The chunked stage (enrich, one day per chunk under a tiny {@code CAIRN_CHUNK_MAX_SECONDS})
   * killed between staging chunk 1 and its checkpoint, then, in the driver that resumed it with the
   * default cap, killed again with chunks 0-1 committed and chunk 2 computing: each resume runs at
   * most the chunk in flight again (chunk 1 is recovered from its staged files, chunk 2 runs
   * twice), and follows the frozen plan although the resumed drivers run with the default cap.
   */
  @Test
  void killMidChunkedStage_thenResume_reexecutesAtMostTheChunkInFlight() throws Exception {
    String name = "chunks";
    Driver driver = driver(name).withEnv("CAIRN_CHUNK_MAX_SECONDS", FlightsData.ONE_DAY_PER_CHUNK);
    Path parked = driver.pauseAt("enrich#1", "after-delta-commit");
    Driver.Running running = driver.start(runArgs);
    awaitParked(running, parked);
    String runId = onlyRunId(driver);
    JsonNode before = stagesByName(status(driver, runId)).get("enrich");
    assertThat(before.get("status").asText()).isEqualTo("RUNNING");
    assertThat(before.get("chunks").get("committed").asInt())
        .as("chunks committed before the first kill")
        .isEqualTo(1);
    assertThat(before.get("chunks").get("total").asInt()).isEqualTo(FlightsData.DAYS);
    assertThat(before.get("chunks").get("sizing").get("capBasis").asText())
        .isEqualTo("CAIRN_CHUNK_MAX_SECONDS");
    assertThat(warehouse(driver, name).resolve("flights_enriched/_delta_log"))
        .as("a reader sees nothing of a chunked stage before it is published")
        .doesNotExist();

    driver.withoutEnv("CAIRN_CHUNK_MAX_SECONDS");
    running = killAndResumeUntil(driver, running, runId, "enrich#2", "after-start");
    assertThat(running.log()).contains("Stage enrich chunk 1 (").contains("recovered");
    JsonNode between = stagesByName(status(driver, runId)).get("enrich");
    assertThat(between.get("chunks").get("committed").asInt())
        .as("chunks committed before the second kill")
        .isEqualTo(2);
    assertThat(between.get("chunks").get("total").asInt()).isEqualTo(FlightsData.DAYS);

    running.killGroup();
    driver.noPause();
    Driver.Result resumed = driver.run("resume", runId);

    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    JsonNode enrich = stagesByName(status(driver, runId)).get("enrich");
    assertThat(enrich.get("status").asText()).isEqualTo("COMMITTED");
    assertThat(enrich.get("chunks").get("committed").asInt()).isEqualTo(FlightsData.DAYS);
    assertThat(enrich.get("chunks").get("reexecuted").asInt())
        .as("only chunk 2, in flight at the second kill")
        .isEqualTo(1);
    assertThat(Tables.snapshot(spark, warehouse(driver, name))).isEqualTo(cleanTables);
    assertReportShowsTheKillsAndTheResume(driver, name, runId);
  }

  /**
   * {@code cairn report} of the chunked run killed twice and resumed: three driver lanes, the first
   * two killed, every stage, the chunk recovered without recomputing and the one re-executed, each
   * driver's Spark application with its event log on disk; and headless Chromium renders the page.
   */
  private void assertReportShowsTheKillsAndTheResume(Driver driver, String name, String runId)
      throws IOException, InterruptedException {
    Path page = root.resolve(name).resolve("report.html");
    Driver.Result report = driver.run("report", runId, "-o", page.toString());
    assertThat(report.exitCode()).as(report.all()).isZero();
    assertThat(report.output().strip()).isEqualTo(page.toString());
    String html = Files.readString(page);
    assertThat(html)
        .contains("<g class=\"lane ended-killed\" data-epoch=\"1\">")
        .contains("<g class=\"lane ended-killed\" data-epoch=\"2\">")
        .contains("<g class=\"lane ended-succeeded\" data-epoch=\"3\">")
        .contains("✕ killed")
        .contains("<rect class=\"bar lost\" data-stage=\"enrich\"")
        .contains("skipped (committed before): ")
        .contains("<rect class=\"bar recovered chunk\" data-stage=\"enrich\" data-chunk=\"1\"")
        .contains("<rect class=\"bar reexecuted chunk\" data-stage=\"enrich\" data-chunk=\"2\"");
    JsonNode status = status(driver, runId);
    for (String stage : stagesByName(status).keySet()) {
      assertThat(html).contains("<tr class=\"stage\" data-stage=\"" + stage + "\">");
    }
    JsonNode attempts = status.get("attempts");
    assertThat(attempts).hasSize(3);
    assertThat(attempts.get(0).get("ended").asText()).isEqualTo("killed");
    assertThat(attempts.get(1).get("ended").asText()).isEqualTo("killed");
    assertThat(attempts.get(2).get("ended").asText()).isEqualTo("succeeded");
    for (JsonNode attempt : attempts) {
      String app = attempt.get("sparkAppId").asText();
      assertThat(html).contains(app);
      Path events = root.resolve(name).resolve("spark-events");
      assertThat(attempt.get("eventLogDir").asText()).isEqualTo(events.toUri().toString());
      try (var logs = Files.list(events)) {
        assertThat(logs.map(p -> p.getFileName().toString()))
            .as("Spark's event log of %s in %s", app, events)
            // Spark 4 rolls event logs: a directory eventlog_v2_<appId> (a file <appId> when not).
            .anyMatch(file -> file.equals("eventlog_v2_" + app) || file.startsWith(app));
      }
    }
    // Kept under target/ for a person to look at (CI keeps it as an artifact).
    Chromium.screenshot(page, Path.of("target", "report-" + name + ".png"), root.resolve(name));
  }

  @Test
  void killAtRandomInstants_thenResume_matchesCleanRun() throws Exception {
    long seed = Long.getLong("cairn.it.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int round = 0; round < RANDOM_KILLS; round++) {
      String name = "random-" + round;
      Driver driver = driver(name);
      long killAfterMs = 1000 + (long) (random.nextDouble() * cleanDuration.toMillis() * 0.9);
      Driver.Running running = driver.start(runArgs);
      // The instant is the point of this test; a run done before it is not waited for.
      running.process.waitFor(killAfterMs, TimeUnit.MILLISECONDS);
      running.killGroup();

      List<String> runs = runIds(driver);
      Map<String, JsonNode> before =
          runs.isEmpty() ? Map.of() : stagesByName(status(driver, runs.get(0)));
      Driver.Result resumed =
          runs.isEmpty() ? driver.run(runArgs) : driver.run("resume", runs.get(0));

      String context = "seed " + seed + ", killed after " + killAfterMs + " ms";
      assertThat(resumed.exitCode()).as(context + "\n" + resumed.all()).isZero();
      String runId = onlyRunId(driver);
      assertCommittedStagesDidNotRunAgain(before, stagesByName(status(driver, runId)));
      assertThat(Tables.snapshot(spark, warehouse(driver, name)))
          .as(context)
          .isEqualTo(cleanTables);
    }
  }

  /**
   * The reference flights split into 4,000 Parquet files: the run's plan of them is too big for a
   * checkpoint item and kept in a manifest beside the warehouse. A file of rows dropped into the
   * input while {@code clean} runs (its Delta commit made, its checkpoint not) is read by no stage;
   * the driver is SIGKILLed there, and the resumed run, which reads the manifest back, ends with
   * the single-file clean run's tables.
   */
  @Test
  void anInputOf4000Files_killedMidRun_withAFileArrivingMeanwhile_matchesTheSingleFileRun()
      throws Exception {
    String name = "split";
    Path split = root.resolve("flights-split");
    FlightsData.split(spark, reference.flights, split, 4000);
    String[] args = {
      "run", "flights-daily", "-p", "flights=" + split, "-p", "airports=" + reference.airports
    };
    Driver driver = driver(name);
    Path parked = driver.pauseAt("clean", "after-delta-commit");
    Driver.Running running = driver.start(args);
    awaitParked(running, parked);
    String runId = onlyRunId(driver);
    Path late = split.resolve("part-99999-late.parquet");
    FlightsData.writeLateRows(spark, late);
    running.killGroup();
    driver.noPause();
    Driver.Result resumed = driver.run("resume", runId);

    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    assertThat(resumed.log())
        .contains("files arrived after the run planned it")
        .contains(late.getFileName().toString());
    Path manifests = warehouse(driver, name).resolve("_cairn/inputs").resolve(runId);
    try (var listed = Files.list(manifests)) {
      assertThat(listed.map(p -> p.getFileName().toString()))
          .as("the flights' plan, in one manifest named by its hash")
          .singleElement()
          .asString()
          .matches("[0-9a-f]{64}\\.jsonl");
    }
    assertThat(stagesByName(status(driver, runId)).get("clean").get("recovered").asBoolean())
        .as("clean, killed after its Delta commit, is recovered, not recomputed")
        .isTrue();
    assertThat(Tables.snapshot(spark, warehouse(driver, name))).isEqualTo(cleanTables);
  }

  @Test
  void dailyRuns_replaceOnlyTheirOwnDay_andMatchTheFullRunForThatDay() throws Exception {
    Driver driver = driver("daily");
    List<LocalDate> days =
        List.of(FlightsData.FIRST_DAY.plusDays(2), FlightsData.FIRST_DAY.plusDays(5));
    List<String> dailyRunIds = new ArrayList<>();
    for (LocalDate day : days) {
      Driver.Result result = driver.run(withArgs(runArgs, "-p", "date=" + day));
      assertThat(result.exitCode()).as(result.all()).isZero();
      Matcher id = Pattern.compile("Run (flights-daily-[0-9a-f]{12}) ").matcher(result.output());
      assertThat(id.find()).as(result.output()).isTrue();
      dailyRunIds.add(id.group(1));
    }
    // The same daily run again is the same run: it resumes, finds it done, writes nothing; also
    // when its inputs are spelled otherwise (a symlink to the flights, `.` in the airports' path).
    Driver.Result again = driver.run(withArgs(respelled(runArgs), "-p", "date=" + days.get(0)));
    assertThat(again.exitCode()).as(again.all()).isZero();
    assertThat(again.output()).contains("Run " + dailyRunIds.get(0)).contains("already SUCCEEDED");
    assertThat(runIds(driver)).hasSize(2);

    // A rerun of the first day's APPEND stage replaces the rows its txn appended, neither
    // duplicating them nor touching the second day's.
    String first = dailyRunIds.get(0);
    List<String> rejected =
        Tables.snapshot(spark, warehouse(driver, "daily")).get("flights_rejected");
    assertThat(rejected).isNotEmpty();
    Driver.Result plan = driver.run("rerun", first, "--from", "rejects", "--dry-run");
    assertThat(plan.output())
        .containsPattern(
            "(?m)^rejects\\s+COMMITTED\\s+0\\s+1->2\\s+append to flights_rejected, replacing the"
                + " rows its txn 1 appended$");
    Driver.Result rerun = driver.run("rerun", first, "--from", "rejects");
    assertThat(rerun.exitCode()).as(rerun.all()).isZero();
    JsonNode rejects = stagesByName(status(driver, first)).get("rejects");
    assertThat(rejects.get("txnVersion").asLong()).isEqualTo(2);
    assertThat(rejects.get("outputVersion").asLong())
        .as("after both days' appends, the rerun's commit")
        .isEqualTo(2);

    Map<String, List<String>> daily = Tables.snapshot(spark, warehouse(driver, "daily"));
    assertThat(daily.get("flights_rejected"))
        .as("the append stage's rows replaced, not duplicated")
        .isEqualTo(rejected);
    assertThat(daily).isEqualTo(Tables.snapshot(spark, reference.warehouse(), days));
    assertThat(daily.get("daily_summary")).hasSize(2);
  }

  /**
   * Every stderr line is one JSON object (log4j's JsonTemplateLayout or a CloudWatch EMF line), and
   * most of the driver's own lines carry the run id and a stage.
   */
  private static void assertLogIsJsonLinesAboutTheRun(String log, String runId) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : log.lines().filter(l -> !l.isBlank()).toList()) {
      try {
        lines.add(JSON.readTree(line));
      } catch (IOException notJson) {
        throw new AssertionError("not a JSON log line: " + line, notJson);
      }
    }
    List<JsonNode> cairn =
        lines.stream().filter(l -> l.path("logger").asText().startsWith("dev.cairn")).toList();
    long aboutStages =
        cairn.stream()
            .filter(l -> runId.equals(l.path("runId").asText()))
            .filter(l -> !l.path("stage").asText().isEmpty())
            .count();
    assertThat(cairn).hasSizeGreaterThan(10);
    assertThat(aboutStages).isGreaterThan(cairn.size() / 2);
    assertThat(
            lines.stream()
                .filter(l -> l.has("_aws"))
                .filter(l -> l.path("Stage").asText().equals("clean"))
                .map(l -> l.path("StageDurationMs").asLong()))
        .singleElement()
        .satisfies(ms -> assertThat(ms).isPositive());
  }

  @Test
  void spotNoticeMidRun_exits75BeforeTheDeadline_releasesTheLease_andResumeCompletes()
      throws Exception {
    try (ImdsStub imds = new ImdsStub()) {
      Driver driver =
          driver("spot")
              .withEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint())
              .withEnv("CAIRN_SPOT_POLL_SECONDS", "1");
      Path parked = driver.pauseAt("airport_daily", "after-start");
      Driver.Running running = driver.start(runArgs);
      awaitParked(running, parked);

      Instant deadline = Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
      imds.serve(
          ImdsStub.INSTANCE_ACTION, "{\"action\": \"terminate\", \"time\": \"" + deadline + "\"}");
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> running.log().contains("Stop requested"));
      Files.delete(parked);
      Driver.Result stopped = running.await(Duration.ofMinutes(2));

      assertThat(Instant.now()).isBefore(deadline);
      assertThat(stopped.exitCode()).as(stopped.all()).isEqualTo(75);
      assertThat(stopped.log())
          .contains("was interrupted (EC2 Spot interruption notice: terminate at " + deadline);
      String runId = onlyRunId(driver);
      JsonNode status = status(driver, runId);
      assertThat(status.get("status").asText()).isEqualTo("INTERRUPTED");
      assertThat(status.get("lease").isNull()).as("lease released").isTrue();
      Map<String, JsonNode> stages = stagesByName(status);
      assertThat(stages.get("airport_daily").get("status").asText()).isEqualTo("COMMITTED");
      assertThat(stages.get("daily_summary").get("status").asText()).isEqualTo("PENDING");

      driver.noPause();
      driver.withoutEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT"); // the next machine has no notice
      Driver.Result resumed = driver.run("resume", runId);

      assertThat(resumed.exitCode()).as(resumed.all()).isZero();
      assertThat(Tables.snapshot(spark, warehouse(driver, "spot"))).isEqualTo(cleanTables);
    }
  }

  /**
   * The Delta write fence, not a checkpoint write, is what stops a driver frozen between writing a
   * stage's data files and its log entry: the zombie parks with every chunk of {@code enrich}
   * staged, is frozen past its lease, the next driver takes the run over and parks at the same
   * point (the publish not made, so nothing in the log tells the zombie it lost), and the zombie,
   * woken, tries to publish first. Between the fault point and the commit file the zombie reads
   * only the log and its manifests; {@code flights_enriched} is new, so building the commit runs no
   * Spark job the zombie's keeper could cancel on learning of the loss. The zombie then cannot
   * record anything either: the run's epoch is the successor's.
   */
  @Test
  void zombieFrozenBeforeItsPublishingCommit_isStoppedByTheDeltaFence() throws Exception {
    Driver driver = driver("zombie").withEnv("CAIRN_LEASE_TTL_SECONDS", "6");
    Path zombieParked = driver.pauseAt("enrich", "before-publish");
    Driver.Running zombie = driver.start(runArgs);
    Driver.Running successor = null;
    try {
      awaitParked(zombie, zombieParked);
      String runId = onlyRunId(driver);
      Path warehouse = warehouse(driver, "zombie");
      Map<String, Long> commits = Tables.commitCounts(warehouse);
      assertThat(commits).as("enrich staged, not published").containsEntry("flights_enriched", 0L);

      zombie.signal("STOP");
      Path successorParked = zombieParked.resolveSibling("paused-successor");
      driver.withEnv("CAIRN_TEST_PAUSE_FILE", successorParked.toString());
      // The frozen driver's process is alive, so the next one waits for its lease to expire.
      Instant giveUp = Instant.now().plus(Duration.ofMinutes(3));
      while (successor == null) {
        assertThat(Instant.now()).as("the next driver took the run over in time").isBefore(giveUp);
        Driver.Running next = driver.start("resume", runId);
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> !next.process.isAlive() || Files.exists(successorParked));
        if (Files.exists(successorParked)) {
          successor = next;
        } else {
          Driver.Result held = next.await(Duration.ofSeconds(10));
          assertThat(held.exitCode()).as(held.all()).isEqualTo(3);
        }
      }
      driver.noPause();
      JsonNode takenOver = status(driver, runId);

      Files.delete(zombieParked);
      zombie.signal("CONT");
      Driver.Result woken = zombie.await(Duration.ofMinutes(2));

      assertThat(woken.exitCode()).as(woken.all()).isEqualTo(3);
      assertThat(woken.log())
          .contains("refusing to publish Delta commit")
          .contains("flights_enriched/_delta_log/");
      assertThat(Tables.commitCounts(warehouse))
          .as("no commit published by the zombie")
          .isEqualTo(commits);
      JsonNode afterZombie = status(driver, runId);
      assertThat(afterZombie.get("epoch").asLong()).isEqualTo(takenOver.get("epoch").asLong());
      assertThat(stagesByName(afterZombie).get("enrich").get("attempts").asInt())
          .isEqualTo(stagesByName(takenOver).get("enrich").get("attempts").asInt());

      Files.delete(successorParked);
      Driver.Result resumed = successor.await(Duration.ofMinutes(4));

      assertThat(resumed.exitCode()).as(resumed.all()).isZero();
      assertThat(Tables.snapshot(spark, warehouse)).isEqualTo(cleanTables);
      assertThat(status(driver, runId).get("status").asText()).isEqualTo("SUCCEEDED");
    } finally {
      for (Driver.Running left : Arrays.asList(zombie, successor)) {
        if (left != null && left.process.isAlive()) {
          left.killGroup();
        }
      }
    }
  }

  private static void awaitParked(Driver.Running running, Path parked) {
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(200))
        .failFast("driver exited before parking", () -> !running.process.isAlive())
        .until(() -> Files.exists(parked));
  }

  /** {@code args} with the flights read through a symlink and the airports' path through `.`. */
  private static String[] respelled(String[] args) throws IOException {
    String[] respelled = args.clone();
    Path links = Files.createTempDirectory("cairn-respelled");
    for (int i = 0; i < respelled.length; i++) {
      if (respelled[i].startsWith("flights=")) {
        Path flights = Path.of(respelled[i].substring("flights=".length()));
        respelled[i] =
            "flights="
                + Files.createSymbolicLink(
                    links.resolve(flights.getFileName()), flights.toAbsolutePath());
      } else if (respelled[i].startsWith("airports=")) {
        Path airports = Path.of(respelled[i].substring("airports=".length())).toAbsolutePath();
        respelled[i] = "airports=" + airports.getParent() + "/./" + airports.getFileName();
      }
    }
    return respelled;
  }

  private static String[] withArgs(String[] args, String... more) {
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  private static void assertCommittedStagesDidNotRunAgain(
      Map<String, JsonNode> before, Map<String, JsonNode> after) {
    before.forEach(
        (name, stage) -> {
          if (stage.get("status").asText().equals("COMMITTED")) {
            JsonNode now = after.get(name);
            assertThat(now.get("attempts").asInt())
                .as("attempts of committed stage " + name)
                .isEqualTo(stage.get("attempts").asInt());
            assertThat(now.get("outputVersion").asLong())
                .as("version of committed stage " + name)
                .isEqualTo(stage.get("outputVersion").asLong());
          }
        });
  }

  private Driver driver(String name) {
    Path home = root.resolve(name);
    homes.add(home);
    return new Driver(home, root.resolve("cache"));
  }

  private Path warehouse(Driver driver, String name) {
    return root.resolve(name).resolve("warehouse");
  }

  /** {@code status --json}, in this JVM (the reference run's is checked from a JVM of its own). */
  private JsonNode status(Driver driver, String runId) throws IOException {
    Driver.Result result = driver.read("status", runId, "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    return JSON.readTree(result.output());
  }

  private List<String> runIds(Driver driver) throws IOException {
    Driver.Result result = driver.read("runs", "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    List<String> ids = new ArrayList<>();
    JSON.readTree(result.output()).forEach(run -> ids.add(run.get("runId").asText()));
    return ids;
  }

  private String onlyRunId(Driver driver) throws IOException {
    List<String> ids = runIds(driver);
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  private static Map<String, JsonNode> stagesByName(JsonNode status) {
    Map<String, JsonNode> stages = new HashMap<>();
    status.get("stages").forEach(stage -> stages.put(stage.get("name").asText(), stage));
    return stages;
  }
}
