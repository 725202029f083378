package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Cairn on S3 as a real deployment reaches it, through the SDK's standard settings only: S3Proxy
 * (an S3 API over a local directory) and DynamoDB Local, both separate processes on 127.0.0.1,
 * reached through {@code AWS_ENDPOINT_URL_S3} and {@code AWS_ENDPOINT_URL_DYNAMODB}, with the
 * warehouse and the inputs at {@code s3a://} URIs. The flights job is killed mid-run and resumed,
 * and must leave the same tables as on the embedded default; several writers appending to one Delta
 * table at once must lose no commit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3WarehouseIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "cairn-it";
  // DynamoDB Local accepts letters and digits only; S3Proxy checks the same pair.
  private static final String ACCESS_KEY = "cairnS3it";

  /** Recognisable, so that the test can prove it is never printed. */
  private static final String SECRET_KEY = "SecretCanary7Qx9Zr4Lm2Wv8";

  private final List<Path> homes = new ArrayList<>();
  private SparkSession spark;
  private Path root;
  private Path data;
  private ReferenceRun reference;
  private S3Server s3;
  private URI dynamoDbLocal;

  @BeforeAll
  void startS3AndDynamoDbLocal() throws Exception {
    root = Files.createTempDirectory("cairn-s3-it");
    s3 = S3Server.start(Files.createDirectories(root.resolve("s3proxy")), ACCESS_KEY, SECRET_KEY);
    s3.createBucket(BUCKET);
    Path serverHome = root.resolve("dynamodb-local");
    homes.add(serverHome);
    dynamoDbLocal =
        EmbeddedDynamoDb.ensureRunning(
            serverHome, Optional.of(Path.of(System.getProperty("cairn.dynamodbLocal.lib"))));

    // The checker's session reaches S3Proxy as a driver would; the SDK reads aws.* properties as
    // it reads AWS_* variables.
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    System.setProperty("aws.region", S3Server.REGION);
    System.setProperty("spark.hadoop.fs.s3a.endpoint", s3.endpoint().toString());
    System.setProperty("spark.hadoop.fs.s3a.endpoint.region", S3Server.REGION);
    System.setProperty("spark.hadoop.fs.s3a.path.style.access", "true");
    System.setProperty("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    System.setProperty(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider");
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "cairn-s3-it-checker");
    reference = ReferenceRun.get(spark);
    data = reference.data;
  }

  @AfterAll
  void stopEverything() throws Exception {
    homes.forEach(EmbeddedDynamoDb::stop);
    if (spark != null) {
      spark.stop();
    }
    if (s3 != null) {
      s3.close();
    }
    ScratchDirs.deleteUnlessKept(root);
  }

  @Test
  void flightsJobOnS3_killedMidRunAndResumed_matchesTheEmbeddedDefault_andNeverLogsTheSecret()
      throws Exception {
    // The embedded default's tables: the shared reference run, on the same data from local files.
    Map<String, List<String>> expected = reference.tables;

    uploadInputs();
    String warehouse = "s3a://" + BUCKET + "/warehouse";
    Driver driver = onS3("s3", warehouse);
    List<Driver.Result> results = new ArrayList<>();

    Driver.Result init = driver.run("init");
    results.add(init);
    assertThat(init.exitCode()).as(init.all()).isZero();
    assertThat(init.output()).contains("Warehouse " + warehouse + " created and is writable");
    Driver.Result again = driver.run("init");
    results.add(again);
    assertThat(again.exitCode()).as("init is idempotent: " + again.all()).isZero();
    assertThat(again.output()).contains("Warehouse " + warehouse + " exists and is writable");

    String[] args = runArgs(null, null);
    // The flights' plan (2 files) too big for an item: a manifest, put on S3 only if absent.
    driver.withJvmOption("-Dcairn.test.planItemBytes=200");
    Path parked = driver.pauseAt("route_daily", "after-delta-commit");
    Driver.Running running = driver.start(args);
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(200))
        .failFast("driver exited before parking", () -> !running.process.isAlive())
        .until(() -> Files.exists(parked));
    running.killGroup();
    results.add(new Driver.Result(-9, Files.readString(running.out), running.log()));
    // The flights files were listed once through S3A for the whole run, the plan written as a
    // manifest on S3 and recorded in DynamoDB Local; the airports' plan fits in its item.
    String runId = onlyRunId(driver);
    String manifests = "s3a://" + BUCKET + "/warehouse/_cairn/inputs/" + runId + "/";
    assertThat(running.log())
        .containsOnlyOnce("Input flights planned for the run: 2 files")
        .contains("(listed in manifest " + manifests)
        .contains("Input airports planned for the run: 1 files")
        .doesNotContain("Input flights of stage");
    try (S3Client client = s3.client()) {
      var listed =
          client.listObjectsV2(
              b -> b.bucket(BUCKET).prefix("warehouse/_cairn/inputs/" + runId + "/"));
      assertThat(listed.contents()).hasSize(1);
      String manifest =
          client
              .getObjectAsBytes(b -> b.bucket(BUCKET).key(listed.contents().get(0).key()))
              .asUtf8String();
      assertThat(manifest.lines())
          .hasSize(2)
          .allSatisfy(line -> assertThat(line).startsWith("{\"path\":\"s3a://" + BUCKET + "/in/"));
    }
    driver.noPause();
    Driver.Result resumed = driver.run("resume", runId);
    results.add(resumed);

    assertThat(resumed.exitCode()).as(resumed.all()).isZero();
    assertThat(resumed.output()).contains("1 recovered from the Delta log");
    Driver.Result statusResult = driver.run("status", runId, "--json");
    results.add(statusResult);
    JsonNode status = JSON.readTree(statusResult.output());
    assertThat(status.get("status").asText()).isEqualTo("SUCCEEDED");
    Map<String, JsonNode> stages = new HashMap<>();
    status.get("stages").forEach(s -> stages.put(s.get("name").asText(), s));
    for (String table : Tables.FLIGHTS_TABLES) {
      assertThat(stages.values())
          .extracting(s -> s.get("outputTable").asText())
          .contains(warehouse + "/" + table);
    }
    assertThat(stages.get("route_daily").get("recovered").asBoolean()).isTrue();
    assertThat(stages.get("clean").get("attempts").asInt()).as("not run again").isEqualTo(1);
    assertThat(Tables.snapshot(spark, warehouse)).isEqualTo(expected);

    for (Driver.Result result : results) {
      assertThat(result.all()).doesNotContain(SECRET_KEY);
    }
    try (var files = Files.walk(root.resolve("s3"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        // Bytes as ISO-8859-1: every file, binary ones (Parquet, the store's files) included.
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
            .as(file.toString())
            .doesNotContain(SECRET_KEY);
      }
    }
  }

  @Test
  void concurrentWriterProcessesAppendingToOneTableOnS3_loseNoCommit() throws Exception {
    String table = "s3a://" + BUCKET + "/concurrent/appends";
    spark.range(0, 10).write().format("delta").save(table);
    int writers = 2;
    int appendsEach = 4;
    Path dir = Files.createDirectories(root.resolve("appenders"));
    Path go = dir.resolve("go");
    List<Process> processes = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      processes.add(appender(dir, "writer-" + w, table, 1000L * (w + 1), appendsEach, go).start());
    }
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .failFast("a writer exited early", () -> processes.stream().anyMatch(p -> !p.isAlive()))
        .until(
            () -> {
              try (var ready = Files.list(dir)) {
                return ready.filter(f -> f.getFileName().toString().startsWith("ready-")).count()
                    == writers;
              }
            });
    Files.createFile(go);
    for (int w = 0; w < writers; w++) {
      Process p = processes.get(w);
      assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("writer %d finished", w).isTrue();
      assertThat(p.exitValue())
          .as("writer %d: %s", w, Files.readString(dir.resolve("writer-" + w + ".log")))
          .isZero();
    }

    int commits = 1 + writers * appendsEach;
    try (S3Client client = s3.client()) {
      List<String> logFiles =
          client
              .listObjectsV2Paginator(
                  b -> b.bucket(BUCKET).prefix("concurrent/appends/_delta_log/"))
              .contents()
              .stream()
              .map(S3Object::key)
              .filter(k -> k.endsWith(".json"))
              .map(k -> k.substring(k.lastIndexOf('/') + 1))
              .sorted()
              .toList();
      assertThat(logFiles)
          .as("versions 0..%d, contiguous", commits - 1)
          .isEqualTo(
              LongStream.range(0, commits).mapToObj(v -> String.format("%020d.json", v)).toList());
    }
    List<Long> ids =
        spark
            .read()
            .format("delta")
            .load(table)
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    List<Long> expected = new ArrayList<>(LongStream.range(0, 10).boxed().toList());
    for (int w = 0; w < writers; w++) {
      long base = 1000L * (w + 1);
      expected.addAll(LongStream.range(base, base + 10L * appendsEach).boxed().toList());
    }
    assertThat(ids).hasSize(10 * commits).containsExactlyInAnyOrderElementsOf(expected);
    List<Row> history =
        spark
            .sql("DESCRIBE HISTORY delta.`" + table + "`")
            .select("version", "readVersion")
            .collectAsList();
    assertThat(history).hasSize(commits);
    long raced =
        history.stream().filter(r -> !r.isNullAt(1) && r.getLong(1) != r.getLong(0) - 1).count();
    assertThat(raced)
        .as("commits whose version another writer took first, retried by Delta as the next one")
        .isPositive();
  }

  /** A writer JVM (see {@link DeltaAppender}) reaching S3Proxy through the standard variables. */
  private ProcessBuilder appender(
      Path dir, String name, String table, long base, int count, Path go) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(Arrays.asList(System.getProperty("cairn.jvm.options").trim().split("\\s+")));
    command.add("-Dlog4j2.configurationFile=" + System.getProperty("cairn.log4j.config"));
    command.add("-cp");
    command.add(
        System.getProperty("cairn.jobs.lib")
            + "/*"
            + java.io.File.pathSeparator
            + Path.of("target", "test-classes").toAbsolutePath());
    command.add(DeltaAppender.class.getName());
    command.addAll(
        List.of(
            table,
            Long.toString(base),
            Integer.toString(count),
            dir.resolve("ready-" + name).toString(),
            go.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    builder.environment().put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
    builder.environment().put("AWS_REGION", S3Server.REGION);
    builder.environment().put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
    builder.environment().put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    return builder;
  }

  /** Copies the generated inputs to {@code s3://cairn-it/in/}. */
  private void uploadInputs() throws IOException {
    try (S3Client client = s3.client();
        var files = Files.walk(data)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".crc")) {
          continue;
        }
        String key = "in/" + data.relativize(file).toString().replace('\\', '/');
        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromFile(file));
      }
    }
  }

  /** Arguments of the flights job; {@code null}s: the inputs uploaded to S3. */
  private String[] runArgs(Path flights, String airports) {
    String flightsUri =
        flights == null ? "s3a://" + BUCKET + "/in/flights.parquet" : flights.toString();
    String airportsUri =
        airports == null
            ? "s3a://" + BUCKET + "/in/airports.csv"
            : data.resolve(airports).toString();
    return new String[] {
      "run", "flights-daily", "-p", "flights=" + flightsUri, "-p", "airports=" + airportsUri
    };
  }

  /** A driver whose warehouse is on S3Proxy and whose checkpoint table is on DynamoDB Local. */
  private Driver onS3(String name, String warehouse) {
    return driver(name)
        // Spark's event log uncompressed, so the secret check above reads it too.
        .withJvmOption("-Dspark.eventLog.compress=false")
        .withEnv("CAIRN_WAREHOUSE", warehouse)
        .withEnv("CAIRN_CHECKPOINT_TABLE", "cairn_s3_it")
        .withEnv("AWS_ENDPOINT_URL_S3", s3.endpoint().toString())
        .withEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamoDbLocal.toString())
        .withEnv("AWS_REGION", S3Server.REGION)
        .withEnv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .withEnv("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  private Driver driver(String name) {
    Path home = root.resolve(name);
    homes.add(home);
    return new Driver(home, root.resolve("cache"));
  }

  private static String onlyRunId(Driver driver) throws IOException, InterruptedException {
    Driver.Result result = driver.run("runs", "--json");
    assertThat(result.exitCode()).as(result.all()).isZero();
    List<String> ids = new ArrayList<>();
    JSON.readTree(result.output()).forEach(run -> ids.add(run.get("runId").asText()));
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }
}
