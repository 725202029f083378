package dev.cairn.internal.config;

import dev.cairn.InvalidParameterException;
import dev.cairn.internal.delta.FencedLogStore;
import dev.cairn.internal.delta.S3ConditionalPutLogStore;
import dev.cairn.internal.errors.ConfigErrors;
import dev.cairn.internal.fs.NioLocalFileSystem;
import dev.cairn.internal.fs.NioLocalFs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a driver, configured for Delta.
 *
 * <p>Settings given to the JVM as {@code spark.*} system properties win over Cairn's: that is how
 * spark-submit passes its {@code --master}, {@code --conf}, {@code --jars} and {@code
 * spark-defaults.conf} to the driver, and how {@code CAIRN_JAVA_OPTS="-Dspark.x=y"} tunes a driver
 * started by the launcher. The one exception is {@code spark.sql.extensions}, to which Delta's
 * extension is added if a given list lacks it (Cairn cannot write without it).
 *
 * <p>On a cluster master (anything but {@code local[...]}) Cairn ships {@link
 * CairnConfig#sparkJars()} to the executors ({@code spark.jars}) and turns on Spark's
 * decommissioning, so an executor on a node that is being taken away (an EC2 Spot task node given
 * its two-minute notice, a standalone worker sent SIGPWR) hands its shuffle and cached blocks to
 * the others and its running tasks finish instead of failing.
 *
 * <p>A driver's session writes Spark's event log, to {@code $CAIRN_HOME/spark-events} unless {@code
 * spark.eventLog.dir} is given (and {@code spark.eventLog.enabled=false} turns it off), so Spark's
 * History Server shows the jobs of a driver that was killed; {@code cairn report} and {@code cairn
 * status} name each driver attempt's application id. Sessions for tests and table checkers write
 * none.
 */
public final class Spark {
  private static final Logger LOG = LogManager.getLogger(Spark.class);

  static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";

  /** spark-submit names the application after its main class unless given {@code --name}. */
  private static final String CLI_MAIN_CLASS = "dev.cairn.cli.CairnCli";

  private Spark() {}

  /** A session on {@code master} that ships no jars: tests and table checkers. */
  public static SparkSession session(String master, String appName) {
    return create(
        settings(
            master,
            List.of(),
            appName,
            CairnConfig.systemProperties(),
            S3Settings.fromEnvironment(System.getenv())));
  }

  /**
   * The driver's session for {@code config}, named after the job.
   *
   * @throws InvalidParameterException if a jar to ship to a cluster's executors is not a file
   */
  public static SparkSession session(CairnConfig config, String appName) {
    Map<String, String> given = CairnConfig.systemProperties();
    Map<String, String> settings =
        settings(
            config.sparkMaster(),
            config.sparkJars(),
            appName,
            given,
            S3Settings.fromEnvironment(System.getenv()));
    if (!config.localMaster()) {
      if (settings.containsKey("spark.jars")) {
        config.sparkJars().forEach(Spark::requireFile);
      } else if (!given.containsKey("spark.jars")
          && !given.containsKey("spark.executor.extraClassPath")) {
        LOG.warn(
            "Spark master {} is a cluster, and no jars are shipped to its executors, which need"
                + " Delta's and the job's classes. Fix: set CAIRN_SPARK_JARS to the application"
                + " jar (jobs/target/cairn-jobs-app.jar; ./cairn does), or run through"
                + " spark-submit",
            config.sparkMaster());
      }
    }
    LOG.info(
        "Spark master {} (from {}){}",
        config.sparkMaster(),
        config.sparkMasterOrigin().description(),
        settings.containsKey("spark.jars") ? ", shipping " + settings.get("spark.jars") : "");
    settings.putAll(eventLog(config.home(), given));
    return create(settings);
  }

  /**
   * The event log settings of a driver's session, minus those {@code given}: on, into {@code
   * <home>/spark-events} (created here; Spark refuses a missing directory).
   */
  static Map<String, String> eventLog(Path home, Map<String, String> given) {
    Map<String, String> settings = new LinkedHashMap<>();
    boolean enabled =
        Boolean.parseBoolean(given.getOrDefault("spark.eventLog.enabled", "true").strip());
    if (!given.containsKey("spark.eventLog.enabled")) {
      settings.put("spark.eventLog.enabled", "true");
    }
    if (enabled && !given.containsKey("spark.eventLog.dir")) {
      Path dir = home.resolve("spark-events");
      try {
        Files.createDirectories(dir);
        settings.put("spark.eventLog.dir", dir.toUri().toString());
      } catch (IOException cannotCreate) {
        LOG.warn(
            "Spark's event log is off: cannot create {} ({}). Fix: make {} writable, or set"
                + " spark.eventLog.dir (CAIRN_JAVA_OPTS=-Dspark.eventLog.dir=...)",
            dir,
            cannotCreate.getMessage(),
            home);
        settings.put("spark.eventLog.enabled", "false");
      }
    }
    return settings;
  }

  /**
   * What Cairn sets on a session for {@code master}: its defaults, minus any setting already {@code
   * given} as a system property.
   */
  static Map<String, String> settings(
      String master, List<String> jars, String appName, Map<String, String> given) {
    return settings(master, jars, appName, given, S3Settings.NONE);
  }

  /** As above, with S3A reaching S3 as {@code s3} says. */
  static Map<String, String> settings(
      String master, List<String> jars, String appName, Map<String, String> given, S3Settings s3) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.master", master);
    settings.put("spark.app.name", appName);
    settings.put("spark.sql.extensions", DELTA_EXTENSION);
    settings.put(
        "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    // Outputs must not depend on the machine's time zone.
    settings.put("spark.sql.session.timeZone", "UTC");
    settings.put("spark.ui.enabled", given.getOrDefault("cairn.spark.ui", "false"));
    settings.put("spark.ui.showConsoleProgress", "false");
    settings.put("spark.databricks.delta.snapshotPartitions", "4");
    settings.put("spark.sql.adaptive.enabled", "true");
    // A stage with data-quality checks persists its rows, and writes the cached plan. Without this,
    // that plan keeps every shuffle partition (AQE does not coalesce a cached plan), so a small
    // aggregate is written as shuffle-partitions files per table partition instead of one: 8x the
    // files, a slower write and slower reads downstream (measured by `cairn bench`).
    settings.put("spark.sql.optimizer.canChangeCachedPlanOutputPartitioning", "true");
    // Local files: permissions set by system calls, not a chmod process per file and directory
    // (Hadoop without its native library); see NioLocalFileSystem.
    settings.put("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());
    settings.put("spark.hadoop.fs.AbstractFileSystem.file.impl", NioLocalFs.class.getName());
    // Commits on local and HDFS file systems go through the lease fence (zombie drivers cannot
    // publish); see FencedLogStore.
    settings.put("spark.delta.logStore.file.impl", FencedLogStore.class.getName());
    settings.put("spark.delta.logStore.hdfs.impl", FencedLogStore.class.getName());
    // On S3, commits are conditional puts: two drivers committing the same version cannot both
    // win, so no commit is lost (and the fence applies too); see S3ConditionalPutLogStore.
    settings.put("spark.delta.logStore.s3a.impl", S3ConditionalPutLogStore.class.getName());
    settings.put("spark.delta.logStore.s3.impl", S3ConditionalPutLogStore.class.getName());
    s3.hadoopSettings().forEach((key, value) -> settings.put("spark.hadoop." + key, value));
    if (CairnConfig.isLocal(master)) {
      // Nothing listens beyond loopback on a laptop; few cores want few shuffle partitions.
      settings.put("spark.driver.host", "127.0.0.1");
      settings.put("spark.driver.bindAddress", "127.0.0.1");
      settings.put(
          "spark.sql.shuffle.partitions", given.getOrDefault("cairn.shuffle.partitions", "8"));
      // Spark lists more than 32 input paths with a Spark job of one task per path: 12-19 s to
      // read a 4,000-file input on 2 local cores, against 0.6 s listed on the driver (measured);
      // local executors share the driver's cores and file system, so the job only adds overhead.
      settings.put("spark.sql.sources.parallelPartitionDiscovery.threshold", "1000000");
    } else {
      if (!jars.isEmpty()) {
        settings.put("spark.jars", String.join(",", jars));
      }
      // A node leaving (Spot reclamation, scale-in) decommissions its executors: no new tasks,
      // running ones finish, shuffle and cached blocks move to the remaining executors.
      settings.put("spark.decommission.enabled", "true");
      settings.put("spark.storage.decommission.enabled", "true");
      settings.put("spark.storage.decommission.rddBlocks.enabled", "true");
      settings.put("spark.storage.decommission.shuffleBlocks.enabled", "true");
    }

    settings.keySet().removeIf(given::containsKey);
    String extensions = given.get("spark.sql.extensions");
    if (extensions != null
        && Arrays.stream(extensions.split(","))
            .map(String::strip)
            .noneMatch(DELTA_EXTENSION::equals)) {
      settings.put("spark.sql.extensions", extensions + "," + DELTA_EXTENSION);
    }
    if (CLI_MAIN_CLASS.equals(given.get("spark.app.name"))) {
      settings.put("spark.app.name", appName);
    }
    return settings;
  }

  private static SparkSession create(Map<String, String> settings) {
    SparkSession.Builder builder = SparkSession.builder();
    settings.forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    if (System.getProperty("log4j2.configurationFile") == null) {
      // No log configuration given (tests, spark-submit without one): keep Spark's INFO chatter
      // out; a given configuration decides for itself.
      spark.sparkContext().setLogLevel(System.getProperty("cairn.spark.logLevel", "WARN"));
    }
    return spark;
  }

  private static void requireFile(String jar) {
    boolean uri = jar.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    Path path = uri && jar.startsWith("file:") ? Path.of(URI.create(jar)) : Path.of(jar);
    if ((!uri || jar.startsWith("file:")) && !Files.isRegularFile(path)) {
      throw ConfigErrors.sparkJarNotAFile(jar);
    }
  }
}
