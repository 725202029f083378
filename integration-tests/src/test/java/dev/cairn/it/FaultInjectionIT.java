package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.faultproxy.Fault;
import dev.cairn.faultproxy.FaultProxy;
import dev.cairn.faultproxy.FaultProxyConfig;
import dev.cairn.faultproxy.FaultProxyStats;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The flights job in separate driver JVMs whose checkpoint table is reached through the fault
 * proxy: DynamoDB Local on 127.0.0.1 behind a proxy that throttles, answers 500s and drops
 * connections (before the request reached DynamoDB, or after DynamoDB applied it) for a quarter of
 * requests. The run must end as a clean run does, with the same tables row for row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultInjectionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double FAULT_RATE = 0.25;
  // The proxy draws one random number per request, so the faults of the first n requests are fixed
  // by the seed. With this one, every kind appears at least 3 times and 15 to 35 % of requests
  // fail, for any n from 50 to 1500 (a run makes about 70 to 300 requests here).
  private static final long SEED_KILLED = 111;

  private final List<Path> homes = new ArrayList<>();
  private final List<FaultProxy> proxies = new ArrayList<>();
  private SparkSession spark;
  private Path root;
  private String[] runArgs;
  private Map<String, List<String>> cleanTables;
  private URI dynamoDbLocal;

  @BeforeAll
  void generateInputRunCleanlyAndStartDynamoDbLocal() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "cairn-it-checker");
    root = Files.createTempDirectory("cairn-faults-it");
    ReferenceRun reference = ReferenceRun.get(spark);
    runArgs = reference.runArgs();
    cleanTables = reference.tables;

    Path serverHome = root.resolve("dynamodb-local");
    homes.add(serverHome);
    dynamoDbLocal =
        EmbeddedDynamoDb.ensureRunning(
            serverHome, Optional.of(Path.of(System.getProperty("cairn.dynamodbLocal.lib"))));
  }

  @AfterEach
  void closeProxies() {
    proxies.forEach(FaultProxy::close);
    proxies.clear();
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
  void killedMidRunUnderFaults_thenResumedThroughTheProxy_matchesCleanRun() throws Exception {
    FaultProxy proxy =
        proxy(FaultProxyConfig.builder(dynamoDbLocal).faultRate(FAULT_RATE).seed(SEED_KILLED));
    Driver driver = throughProxy("faults-killed", "cairn_faults_killed_it", proxy);

    Driver.Running running = driver.start(runArgs);
    // Killed once two stages have committed: mid-run, with checkpoints both sides of the kill.
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(200))
        .failFast("driver exited before two stages committed", () -> !running.process.isAlive())
        .until(() -> committedStagesLogged(running.log()) >= 2);
    running.killGroup();

    String runId = onlyRunId(driver);
    Map<String, JsonNode> before = stagesByName(status(driver, runId));
    Driver.Result resumed = driver.run("resume", runId);

    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    assertThat(resumed.output()).contains("SUCCEEDED");
    JsonNode after = status(driver, runId);
    assertThat(after.get("status").asText()).isEqualTo("SUCCEEDED");
    Map<String, JsonNode> stages = stagesByName(after);
    assertThat(stages).hasSize(Tables.FLIGHTS_TABLES.size());
    assertThat(stages.values())
        .allSatisfy(s -> assertThat(s.get("status").asText()).isEqualTo("COMMITTED"))
        .allSatisfy(s -> assertThat(s.get("skippedDuplicate").asBoolean()).isFalse());
    // The store's faults are retried inside each call: no stage attempt fails on them. Only the
    // stage in flight at the kill runs twice.
    before.forEach(
        (name, stage) -> {
          if (stage.get("status").asText().equals("PENDING")) {
            assertThat(stages.get(name).get("attempts").asInt())
                .as("attempts of " + name + ", run by the resumed driver alone")
                .isEqualTo(1);
          }
        });
    long committedBefore =
        before.values().stream().filter(s -> s.get("status").asText().equals("COMMITTED")).count();
    assertThat(committedBefore).isGreaterThanOrEqualTo(2);
    before.forEach(
        (name, stage) -> {
          if (stage.get("status").asText().equals("COMMITTED")) {
            assertThat(stages.get(name).get("attempts").asInt())
                .as("attempts of " + name + ", committed before the kill")
                .isEqualTo(stage.get("attempts").asInt());
            assertThat(stages.get(name).get("outputVersion").asLong())
                .isEqualTo(stage.get("outputVersion").asLong());
          }
        });
    assertThat(Tables.snapshot(spark, warehouse("faults-killed"))).isEqualTo(cleanTables);
    assertFaultsReallyInjected("faults-killed", proxy.stats());
  }

  @Test
  void storeClient_triesTenTimesByDefault_andAwsMaxAttemptsOverridesIt() throws Exception {
    FaultProxy failing =
        proxy(
            FaultProxyConfig.builder(dynamoDbLocal)
                .faultRate(1)
                .faults(EnumSet.of(Fault.SERVER_ERROR)));
    Driver driver = throughProxy("always-500", "cairn_faults_500_it", failing);

    Driver.Result byDefault = driver.run("runs", "--json");

    assertThat(byDefault.exitCode()).as(byDefault.all()).isEqualTo(1);
    assertThat(byDefault.log())
        .contains("cannot reach or create checkpoint table cairn_faults_500_it")
        .contains("Internal server error");
    assertThat(failing.stats().requests()).isEqualTo(10);

    Driver.Result three = driver.withEnv("AWS_MAX_ATTEMPTS", "3").run("runs", "--json");

    assertThat(three.exitCode()).as(three.all()).isEqualTo(1);
    assertThat(failing.stats().requests()).isEqualTo(13);
  }

  /** Asserts the proxy failed a real share of requests, each kind; keeps its counts in target/. */
  private void assertFaultsReallyInjected(String name, FaultProxyStats stats) throws IOException {
    String counts = stats.toProperties();
    Path kept = Path.of("target", "fault-injection", name + ".properties");
    Files.createDirectories(kept.getParent());
    Files.writeString(kept, counts);
    assertThat(stats.requests()).as("the seeds are chosen for 50 to 1500").isBetween(50L, 1500L);
    for (Fault fault : Fault.values()) {
      assertThat(stats.injected(fault))
          .as(fault.cliName() + " in\n" + counts)
          .isGreaterThanOrEqualTo(3);
    }
    assertThat((double) stats.faults() / stats.requests())
        .as("share of requests failed in\n" + counts)
        .isBetween(0.15, 0.35);
    assertThat(stats.upstreamFailures()).as(counts).isZero();
  }

  private static long committedStagesLogged(String log) {
    Matcher committed = Pattern.compile("Stage \\w+ committed: version").matcher(log);
    long count = 0;
    while (committed.find()) {
      count++;
    }
    return count;
  }

  private FaultProxy proxy(FaultProxyConfig.Builder config) throws IOException {
    FaultProxy proxy = FaultProxy.start(config.build());
    proxies.add(proxy);
    return proxy;
  }

  /** A driver whose checkpoint table is {@code table}, reached through {@code proxy}. */
  private Driver throughProxy(String name, String table, FaultProxy proxy) {
    return driver(name)
        .withEnv("CAIRN_CHECKPOINT_TABLE", table)
        .withEnv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:" + proxy.port())
        .withEnv("AWS_REGION", "eu-west-1")
        // DynamoDB Local accepts only alphanumeric access keys.
        .withEnv("AWS_ACCESS_KEY_ID", "cairnit")
        .withEnv("AWS_SECRET_ACCESS_KEY", "cairnitsecret")
        // A heartbeat every second: the lease renewal runs under faults too.
        .withEnv("CAIRN_LEASE_TTL_SECONDS", "3");
  }

  private Driver driver(String name) {
    Path home = root.resolve(name);
    homes.add(home);
    return new Driver(home, root.resolve("cache"));
  }

  private Path warehouse(String name) {
    return root.resolve(name).resolve("warehouse");
  }

  private static JsonNode status(Driver driver, String runId)
      throws IOException, InterruptedException {
    Driver.Result result = driver.run("status", runId, "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    return JSON.readTree(result.output());
  }

  private static String onlyRunId(Driver driver) throws IOException, InterruptedException {
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
