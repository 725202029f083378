package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code cairn rerun}, {@code cairn runbook} and {@code cairn init} as an operator uses them, each
 * command a separate driver JVM on the embedded default: a rerun rewrites the stage and what
 * depends on it without duplicating a row and leaves upstream stages untouched (a daily run's rerun
 * of its APPEND stage is in {@code CrashAndResumeIT}, beside the daily runs); a run on a truncated
 * or schema-drifted input fails naming it, and the command its runbook prints recovers it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RerunIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RUN_ID = Pattern.compile("Run (flights-daily-[0-9a-f]{12}) ");

  private final List<Path> homes = new ArrayList<>();
  private SparkSession spark;
  private Path root;
  private Path flights;
  private Path airports;
  private Map<String, List<String>> cleanTables;

  @BeforeAll
  void useTheReferenceRun() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "cairn-rerun-it-checker");
    root = Files.createTempDirectory("cairn-rerun-it");
    // The clean run every scenario is compared with, shared with the other IT classes.
    ReferenceRun reference = ReferenceRun.get(spark);
    flights = reference.flights;
    airports = reference.airports;
    cleanTables = reference.tables;
    assertThat(cleanTables.get("flights_rejected")).isNotEmpty();
  }

  @AfterAll
  void stopEverything() throws IOException {
    homes.forEach(EmbeddedDynamoDb::stop);
    if (spark != null) {
      spark.stop();
    }
    ScratchDirs.deleteUnlessKept(root);
  }

  @Test
  void init_thenRun_thenRerunFromEnrich_rewritesEnrichAndDownstreamOnly_withoutDuplicates()
      throws Exception {
    Driver driver = driver("rerun");
    Driver.Result init = driver.run("init");
    assertThat(init.exitCode()).as(init.all()).isZero();
    assertThat(init.output())
        .contains("Checkpoint table cairn_checkpoints created (on-demand billing")
        .contains("TTL on expiresAt");
    Driver.Result initAgain = driver.run("init");
    assertThat(initAgain.exitCode()).as(initAgain.all()).isZero();
    assertThat(initAgain.output()).contains("Checkpoint table cairn_checkpoints exists");

    Driver.Result first = driver.run(run());
    assertThat(first.exitCode()).as(first.all()).isZero();
    String runId = runId(first);
    assertThat(Tables.snapshot(spark, warehouse("rerun"))).isEqualTo(cleanTables);
    Map<String, JsonNode> before = stagesByName(status(driver, runId));
    assertThat(status(driver, runId).get("expiresAt").isNull()).isFalse();

    Driver.Result dryRun = driver.run("rerun", runId, "--from", "enrich", "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.all()).isZero();
    assertThat(dryRun.output())
        .containsPattern("(?m)^enrich\\s+COMMITTED\\s+\\d+\\s+1->2\\s+overwrite flights_enriched$")
        .containsPattern(
            "(?m)^route_daily\\s+COMMITTED\\s+\\d+\\s+1->2\\s+merge into route_daily_stats on"
                + " flight_date, origin, destination")
        .contains("Kept as committed, read at their versions: clean (version 0), rejects")
        .contains("Dry run: nothing was changed.");
    assertThat(stagesByName(status(driver, runId))).isEqualTo(before);

    Driver.Result rerun = driver.run("rerun", runId, "--from", "enrich");

    assertThat(rerun.exitCode()).as(rerun.all()).isZero();
    assertThat(rerun.output())
        .contains("Rerun recorded; running.")
        .contains(
            "Run " + runId + " SUCCEEDED (epoch 2): 4 executed, 2 skipped (already committed)");
    JsonNode after = status(driver, runId);
    assertThat(after.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(after.get("reruns")).hasSize(1);
    assertThat(after.at("/reruns/0/from").asText()).isEqualTo("enrich");
    assertThat(after.at("/reruns/0/stages").toString())
        .isEqualTo("[\"enrich\",\"airport_daily\",\"route_daily\",\"daily_summary\"]");
    Map<String, JsonNode> stages = stagesByName(after);
    for (String kept : List.of("clean", "rejects")) {
      assertThat(stages.get(kept)).as(kept + " untouched").isEqualTo(before.get(kept));
    }
    for (String rewritten : List.of("enrich", "airport_daily", "route_daily", "daily_summary")) {
      JsonNode stage = stages.get(rewritten);
      assertThat(stage.get("status").asText()).isEqualTo("COMMITTED");
      assertThat(stage.get("txnVersion").asLong()).as(rewritten).isEqualTo(2);
      assertThat(stage.get("attempts").asInt()).as(rewritten).isEqualTo(2);
      assertThat(stage.get("skippedDuplicate").asBoolean()).as(rewritten).isFalse();
      assertThat(stage.get("outputVersion").asLong())
          .as(rewritten + " wrote a new version")
          .isGreaterThan(before.get(rewritten).get("outputVersion").asLong());
    }
    assertThat(Tables.snapshot(spark, warehouse("rerun")))
        .as("same input: every table equals the first run's, no row twice")
        .isEqualTo(cleanTables);
  }

  @Test
  void truncatedInput_failsNamingIt_andTheRerunItsRunbookPrintsRecoversTheRun() throws Exception {
    Path truncated = root.resolve("bad").resolve("truncated.parquet");
    Files.createDirectories(truncated.getParent());
    byte[] whole = Files.readAllBytes(aPartFile(flights));
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
    Driver driver = driver("truncated");

    Driver.Result failed = driver.run(run("-p", "flights=" + truncated));

    assertThat(failed.exitCode()).as(failed.all()).isEqualTo(1);
    assertThat(failed.log())
        .contains("cairn: stage 'clean' of run ")
        .contains(truncated.toString());
    String runId = onlyRunId(driver);
    Driver.Result runbook = driver.run("runbook", runId);
    assertThat(runbook.exitCode()).as(runbook.all()).isZero();
    assertThat(runbook.output())
        .contains("Stage clean failed: ")
        .contains(truncated.toString())
        .contains("cairn resume " + runId);
    String printed =
        command(runbook.output(), "cairn rerun " + runId + " --from clean -p flights=", "copy>");
    assertThat(printed).as(runbook.output()).endsWith("-p flights=<corrected copy>");

    String[] recover = printed.replace("<corrected copy>", flights.toString()).split(" ");
    Driver.Result recovered = driver.run(java.util.Arrays.copyOfRange(recover, 1, recover.length));

    assertThat(recovered.exitCode()).as(recovered.all()).isZero();
    JsonNode status = status(driver, runId);
    assertThat(status.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(status.at("/parameters/flights").asText()).isEqualTo(flights.toString());
    assertThat(status.at("/reruns/0/parameterChanges/flights/before").asText())
        .isEqualTo(truncated.toString());
    assertThat(Tables.snapshot(spark, warehouse("truncated"))).isEqualTo(cleanTables);
  }

  @Test
  void schemaDriftedInput_failsNamingIt_andOnceItIsRewritten_theRerunItsRunbookPrintsRecovers()
      throws Exception {
    Path drifted = root.resolve("drift").resolve("flights.parquet");
    spark
        .read()
        .parquet(flights.toString())
        .withColumnRenamed("delay", "dep_delay")
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(drifted.toString());
    Driver driver = driver("drift");

    Driver.Result failed = driver.run(run("-p", "flights=" + drifted));

    assertThat(failed.exitCode()).as(failed.all()).isEqualTo(1);
    assertThat(failed.log())
        .contains("cairn: stage 'clean' of run ")
        .contains(
            "failed (BAD_INPUT): flights input '"
                + drifted
                + "' (parameter 'flights') has no column 'delay' (it has: date, dep_delay,");
    String runId = onlyRunId(driver);
    Driver.Result runbook = driver.run("runbook", runId);
    assertThat(runbook.exitCode()).as(runbook.all()).isZero();
    assertThat(command(runbook.output(), "cairn resume ")).isEqualTo("cairn resume " + runId);

    spark
        .read()
        .parquet(flights.toString())
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(drifted.toString());
    // Rewriting the file replaced it (new part files): the run's frozen plan no longer matches,
    // so resume refuses rather than read other files than the ones planned, and says what to do.
    Driver.Result resumed = driver.run("resume", runId);

    assertThat(resumed.exitCode()).as(resumed.all()).isEqualTo(1);
    assertThat(resumed.log())
        .contains("planned for stage clean of run " + runId)
        .contains("has vanished")
        .contains("cairn rerun " + runId + " --from clean");
    assertThat(command(driver.run("runbook", runId).output(), "cairn rerun ", " --from clean"))
        .isEqualTo("cairn rerun " + runId + " --from clean");
    Driver.Result rerun = driver.run("rerun", runId, "--from", "clean");

    assertThat(rerun.exitCode()).as(rerun.all()).isZero();
    assertThat(status(driver, runId).get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(Tables.snapshot(spark, warehouse("drift"))).isEqualTo(cleanTables);
  }

  private String[] run(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "flights-daily", "-p", "flights=" + flights, "-p", "airports=" + airports));
    // A later -p for the same key wins (picocli map options).
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** The line of {@code output} that starts (after indentation) with {@code prefix}. */
  private static String command(String output, String prefix) {
    return command(output, prefix, "");
  }

  /** The line of {@code output} starting (after indentation) and ending as given. */
  private static String command(String output, String prefix, String suffix) {
    return output
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith(prefix) && l.endsWith(suffix))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no line starting with " + prefix + " in\n" + output));
  }

  private static Path aPartFile(Path parquetDir) throws IOException {
    try (Stream<Path> files = Files.list(parquetDir)) {
      List<Path> parts =
          files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
      assertThat(parts).isNotEmpty();
      return parts.get(0);
    }
  }

  private static String runId(Driver.Result result) {
    Matcher m = RUN_ID.matcher(result.output());
    assertThat(m.find()).as(result.all()).isTrue();
    return m.group(1);
  }

  private Driver driver(String name) {
    Path home = root.resolve(name);
    homes.add(home);
    return new Driver(home, root.resolve("cache"));
  }

  private Path warehouse(String name) {
    return root.resolve(name).resolve("warehouse");
  }

  private JsonNode status(Driver driver, String runId) throws IOException, InterruptedException {
    Driver.Result result = driver.run("status", runId, "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    return JSON.readTree(result.output());
  }

  private String onlyRunId(Driver driver) throws IOException, InterruptedException {
    Driver.Result result = driver.run("runs", "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    List<String> ids = new ArrayList<>();
    JSON.readTree(result.output()).forEach(run -> ids.add(run.get("runId").asText()));
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  private static Map<String, JsonNode> stagesByName(JsonNode status) {
    Map<String, JsonNode> stages = new HashMap<>();
    status.get("stages").forEach(stage -> stages.put(stage.get("name").asText(), stage));
    return stages;
  }
}
