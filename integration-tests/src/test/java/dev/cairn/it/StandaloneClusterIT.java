package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The flights job on a real Spark standalone cluster (a master and two workers as separate
 * processes on loopback addresses), its driver a client-mode {@code cairn} JVM: a worker node
 * SIGKILLed mid-task (a Spot task node reclaimed), the driver SIGKILLed and resumed on the cluster,
 * and the application jar run by spark-submit while a worker is decommissioned gracefully (a Spot
 * interruption notice). Every run's tables must equal the embedded default's (local Spark) row for
 * row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneClusterIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Path> homes = new ArrayList<>();
  private SparkSession spark;
  private Path root;
  private String[] runArgs;
  private Map<String, List<String>> embeddedTables;
  private StandaloneCluster cluster;

  @BeforeAll
  void startClusterAndRunOnTheEmbeddedDefault() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "cairn-it-checker");
    root = Files.createTempDirectory("cairn-cluster-it");
    ReferenceRun reference = ReferenceRun.get(spark);
    runArgs = reference.runArgs();
    embeddedTables = reference.tables;

    cluster = StandaloneCluster.start(root.resolve("cluster"), 2);
  }

  @AfterAll
  void stopEverything() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    homes.forEach(EmbeddedDynamoDb::stop);
    if (spark != null) {
      spark.stop();
    }
    ScratchDirs.deleteUnlessKept(root);
  }

  @BeforeEach
  void twoAliveWorkers() throws Exception {
    cluster.restoreWorkers();
  }

  @Test
  void workerNodeKilledWhileRunningTasks_jobCompletesOnTheOtherWorker_withTheSameTables()
      throws Exception {
    StandaloneCluster.Worker victim = cluster.worker(2);
    ClusterDriver cd = clusterDriver("worker-killed");
    Driver driver = cd.driver.withEnv("CAIRN_SPARK_MASTER", cluster.masterUrl());

    Driver.Running running = driver.start(runArgs);
    cd.awaitTasksRunningOn(running, victim.host);
    victim.killNode();
    Driver.Result result = running.await(Duration.ofMinutes(10));

    assertThat(result.exitCode()).as(result.all()).isZero();
    assertThat(result.log())
        .contains("Spark master " + cluster.masterUrl() + " (from CAIRN_SPARK_MASTER)");
    EventLog events = EventLog.onlyIn(cd.eventLogs);
    assertThat(events.failedTasks())
        .as("the tasks running on the killed worker were lost")
        .anyMatch(
            task ->
                task.startsWith("ExecutorLostFailure on " + victim.host)
                    && task.contains("\"Exit Caused By App\":false"));
    assertThat(events.sparkProperties().get("spark.jars"))
        .isEqualTo(StandaloneCluster.APP_JAR.toString());
    assertEveryStageCommittedOnce(driver, onlyRunId(driver));
    assertThat(Tables.snapshot(spark, warehouse("worker-killed"))).isEqualTo(embeddedTables);
  }

  @Test
  void driverKilledMidRun_resumeOnTheCluster_completesWithTheSameTables() throws Exception {
    Driver driver = clusterDriver("driver-killed").driver;
    // --master, not CAIRN_SPARK_MASTER (the driver's environment says local[2]): the option wins.
    String[] onCluster = withArgs(runArgs, "--master", cluster.masterUrl());

    Driver.Running running = driver.start(onCluster);
    // Its own log says when the first stage's checkpoint is COMMITTED; the next one starts then.
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofMillis(200))
        .failFast("driver exited before committing a stage", () -> !running.process.isAlive())
        .until(() -> running.log().contains(" committed: version "));
    running.killGroup();
    String runId = onlyRunId(driver);
    Map<String, JsonNode> before = stagesByName(status(driver, runId));

    Driver.Running resuming = driver.start("resume", runId, "--master", cluster.masterUrl());
    Driver.Result resumed = resuming.await(Duration.ofMinutes(10));

    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    assertThat(resumed.log()).contains("Spark master " + cluster.masterUrl() + " (from --master)");
    JsonNode after = status(driver, runId);
    assertThat(after.get("status").asText()).isEqualTo("SUCCEEDED");
    Map<String, JsonNode> stages = stagesByName(after);
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
    assertThat(Tables.snapshot(spark, warehouse("driver-killed"))).isEqualTo(embeddedTables);
  }

  @Test
  void sparkSubmittedRun_workerDecommissionedWhileRunningTasks_noTaskFails_sameTables()
      throws Exception {
    StandaloneCluster.Worker leaving = cluster.worker(2);
    ClusterDriver cd = clusterDriver("decommissioned");

    Driver.Running running = sparkSubmit(cd, runArgs);
    cd.awaitTasksRunningOn(running, leaving.host);
    leaving.decommission();
    await("the master marks the worker DECOMMISSIONED")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> leaving.state().equals("DECOMMISSIONED"));
    Driver.Result result = running.await(Duration.ofMinutes(10));

    assertThat(result.exitCode()).as(result.all()).isZero();
    assertThat(result.output()).contains("SUCCEEDED");
    assertThat(result.log())
        .contains(
            "Spark master "
                + cluster.masterUrl()
                + " (from spark-submit (system property spark.master))");
    EventLog events = EventLog.onlyIn(cd.eventLogs);
    assertThat(events.failedTasks()).as("tasks that failed").isEmpty();
    assertThat(events.succeededTasks()).isPositive();
    List<String> leavingExecutors =
        events.executorHosts().entrySet().stream()
            .filter(e -> e.getValue().equals(leaving.host))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(leavingExecutors).isNotEmpty();
    Map<String, String> removed = events.removedExecutors();
    for (String executor : leavingExecutors) {
      // An executor the driver saw removed went because it was decommissioned, not lost. One still
      // draining when the run ended has no removal event: the run outlived nothing it needed.
      if (removed.containsKey(executor)) {
        assertThat(removed.get(executor))
            .as("why executor " + executor + " on " + leaving.host + " was removed")
            .containsIgnoringCase("decommission");
      }
    }
    Map<String, String> properties = events.sparkProperties();
    assertThat(properties)
        .as("spark-submit's settings kept, Cairn's cluster defaults added")
        .containsEntry("spark.sql.shuffle.partitions", "3")
        .containsEntry("spark.app.name", "cairn flights-daily")
        .containsEntry("spark.decommission.enabled", "true")
        .containsEntry("spark.storage.decommission.enabled", "true")
        .containsEntry("spark.storage.decommission.shuffleBlocks.enabled", "true")
        .containsEntry("spark.storage.decommission.rddBlocks.enabled", "true");
    assertThat(properties.get("spark.jars")).endsWith("cairn-jobs-app.jar");
    assertEveryStageCommittedOnce(cd.driver, onlyRunId(cd.driver));
    assertThat(Tables.snapshot(spark, warehouse("decommissioned"))).isEqualTo(embeddedTables);
  }

  /**
   * {@code spark-submit --class dev.cairn.cli.CairnCli cairn-jobs-app.jar <args>} as on EMR: from a
   * Spark installation (no Cairn, no Delta on its classpath), the application jar its primary
   * resource, master and conf given to spark-submit only. In its own process group.
   */
  private Driver.Running sparkSubmit(ClusterDriver cd, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(
        Arrays.stream(System.getProperty("cairn.jvm.options").trim().split("\\s+")).toList());
    command.add("-Dcairn.dynamodbLocal.lib=" + System.getProperty("cairn.dynamodbLocal.lib"));
    command.add("-Dlog4j2.configurationFile=" + System.getProperty("cairn.log4j.config"));
    command.add("-cp");
    command.add(cluster.sparkJars() + "/*");
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.addAll(
        List.of(
            "--master",
            cluster.masterUrl(),
            "--deploy-mode",
            "client",
            "--class",
            "dev.cairn.cli.CairnCli",
            "--conf",
            "spark.sql.shuffle.partitions=3",
            "--conf",
            "spark.eventLog.enabled=true",
            "--conf",
            "spark.eventLog.dir=" + cd.eventLogs.toUri(),
            "--conf",
            "spark.ui.enabled=true",
            "--conf",
            "spark.ui.port=" + cd.uiPort,
            StandaloneCluster.APP_JAR.toString()));
    command.addAll(List.of(args));
    Path home = cd.eventLogs.getParent();
    Path out = Files.createTempFile(home, "spark-submit-", ".out");
    Path log = Files.createTempFile(home, "spark-submit-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("CAIRN_HOME", home.toString());
    builder.environment().put("CAIRN_DATA_CACHE", root.resolve("cache").toString());
    builder.environment().put("SPARK_HOME", cluster.sparkJars().getParent().toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().remove("CAIRN_SPARK_MASTER");
    builder.environment().remove("CAIRN_SPARK_JARS");
    builder.environment().remove("CAIRN_CHECKPOINT_TABLE");
    builder.environment().remove("CAIRN_WAREHOUSE");
    return new Driver.Running(builder.start(), out, log);
  }

  /** A driver as the launcher starts one against the cluster, with its event log and UI on. */
  final class ClusterDriver {
    final Driver driver;
    final Path eventLogs;
    final int uiPort;

    ClusterDriver(Driver driver, Path eventLogs, int uiPort) {
      this.driver = driver;
      this.eventLogs = eventLogs;
      this.uiPort = uiPort;
    }

    /** Waits until the driver's executor on {@code host} runs a task (the driver's REST API). */
    void awaitTasksRunningOn(Driver.Running running, String host) {
      await("a task running on " + host)
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .failFast(
              "the driver exited before running a task on " + host,
              () -> !running.process.isAlive())
          .until(() -> activeTasksOn(host) > 0);
    }

    private int activeTasksOn(String host) {
      String api = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
      JsonNode apps = cluster.getJson(URI.create(api));
      if (apps.isEmpty()) {
        return 0;
      }
      String app = apps.get(0).get("id").asText();
      int active = 0;
      for (JsonNode executor : cluster.getJson(URI.create(api + "/" + app + "/executors"))) {
        if (executor.get("hostPort").asText().startsWith(host + ":")) {
          active += executor.get("activeTasks").asInt();
        }
      }
      return active;
    }
  }

  private ClusterDriver clusterDriver(String name) throws IOException {
    Path home = root.resolve(name);
    homes.add(home);
    Path events = Files.createDirectories(home.resolve("events"));
    int uiPort = freePort();
    Driver driver = new Driver(home, root.resolve("cache"));
    driver
        .withEnv("CAIRN_SPARK_JARS", StandaloneCluster.APP_JAR.toString())
        // The launcher does the same for a master on loopback: the driver listens there only.
        .withEnv("SPARK_LOCAL_IP", "127.0.0.1")
        .withJvmOption("-Dspark.eventLog.enabled=true")
        .withJvmOption("-Dspark.eventLog.dir=" + events.toUri())
        .withJvmOption("-Dspark.ui.enabled=true")
        .withJvmOption("-Dspark.ui.port=" + uiPort)
        .withJvmOption("-Dspark.sql.shuffle.partitions=4");
    return new ClusterDriver(driver, events, uiPort);
  }

  private Driver driver(String name) {
    Path home = root.resolve(name);
    homes.add(home);
    return new Driver(home, root.resolve("cache"));
  }

  private Path warehouse(String name) {
    return root.resolve(name).resolve("warehouse");
  }

  private void assertEveryStageCommittedOnce(Driver driver, String runId)
      throws IOException, InterruptedException {
    JsonNode status = status(driver, runId);
    assertThat(status.get("status").asText()).isEqualTo("SUCCEEDED");
    for (JsonNode stage : status.get("stages")) {
      assertThat(stage.get("status").asText()).as(stage.toString()).isEqualTo("COMMITTED");
      assertThat(stage.get("attempts").asInt())
          .as("attempts of %s: Spark absorbed the loss, Cairn retried nothing", stage.get("name"))
          .isEqualTo(1);
    }
  }

  private static String[] withArgs(String[] args, String... more) {
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  private JsonNode status(Driver driver, String runId) throws IOException, InterruptedException {
    Driver.Result result = driver.read("status", runId, "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    return JSON.readTree(result.output());
  }

  private List<String> runIds(Driver driver) throws IOException, InterruptedException {
    Driver.Result result = driver.read("runs", "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    List<String> ids = new ArrayList<>();
    JSON.readTree(result.output()).forEach(run -> ids.add(run.get("runId").asText()));
    return ids;
  }

  private String onlyRunId(Driver driver) throws IOException, InterruptedException {
    List<String> ids = runIds(driver);
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  private static Map<String, JsonNode> stagesByName(JsonNode status) {
    Map<String, JsonNode> stages = new HashMap<>();
    status.get("stages").forEach(stage -> stages.put(stage.get("name").asText(), stage));
    return stages;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
