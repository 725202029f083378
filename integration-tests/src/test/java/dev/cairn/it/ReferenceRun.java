package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.config.EmbeddedDynamoDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The clean run every scenario is compared with: flights-daily on generated data (3000 flights over
 * {@link FlightsData#DAYS} days, seed 20010101) in a driver JVM on the embedded default, with JSON
 * logs. Made once per test JVM and shared by the IT classes (each used to make its own: a driver
 * run saved per class). Its files are deleted and its DynamoDB Local stopped when the JVM exits.
 */
final class ReferenceRun {
  static final int ROWS = 3000;
  private static ReferenceRun made;

  final Path root;
  final Path data;
  final Path flights;
  final Path airports;
  final Driver driver;
  final Driver.Result result;
  final Duration duration;
  final Map<String, List<String>> tables;

  private ReferenceRun(
      Path root,
      Driver driver,
      Driver.Result result,
      Duration duration,
      Map<String, List<String>> tables) {
    this.root = root;
    this.data = root.resolve("data");
    this.flights = data.resolve("flights.parquet");
    this.airports = data.resolve("airports.csv");
    this.driver = driver;
    this.result = result;
    this.duration = duration;
    this.tables = tables;
  }

  /** The reference run, made on first use with {@code spark} (the caller's checker session). */
  static synchronized ReferenceRun get(SparkSession spark) throws Exception {
    if (made == null) {
      made = make(spark);
    }
    return made;
  }

  /** {@code run flights-daily} with the reference data as its inputs, then {@code more}. */
  String[] runArgs(String... more) {
    String[] base = {
      "run", "flights-daily", "-p", "flights=" + flights, "-p", "airports=" + airports
    };
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  /** Where the reference run's tables are. */
  Path warehouse() {
    return root.resolve("clean").resolve("warehouse");
  }

  private static ReferenceRun make(SparkSession spark) throws Exception {
    Path root = Files.createTempDirectory("cairn-it-reference");
    Path home = root.resolve("clean");
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> cleanUp(root, home), "cairn-it-reference-cleanup"));
    FlightsData.write(spark, root.resolve("data"), ROWS, 20010101L);
    Driver driver = new Driver(home, root.resolve("cache")).withEnv("CAIRN_LOG_FORMAT", "json");
    ReferenceRun partial = new ReferenceRun(root, driver, null, Duration.ZERO, Map.of());
    long started = System.nanoTime();
    Driver.Result result = driver.run(partial.runArgs());
    Duration duration = Duration.ofNanos(System.nanoTime() - started);
    assertThat(result.exitCode()).as(result.all()).isZero();
    Map<String, List<String>> tables = Tables.snapshot(spark, partial.warehouse());
    assertThat(tables.get("flights_clean")).hasSizeGreaterThan(ROWS * 9 / 10);
    assertThat(tables.get("flights_rejected")).isNotEmpty();
    assertThat(tables.get("daily_summary")).hasSize(FlightsData.DAYS);
    return new ReferenceRun(root, driver, result, duration, tables);
  }

  private static void cleanUp(Path root, Path home) {
    try {
      EmbeddedDynamoDb.stop(home);
    } catch (RuntimeException alreadyGone) {
      // the server's process exits with this JVM's children anyway
    }
    try {
      ScratchDirs.deleteUnlessKept(root);
    } catch (IOException | RuntimeException leftBehind) {
      // a temp directory left behind is not a test failure
    }
  }
}
