package dev.cairn.internal.config;

import dev.cairn.InvalidParameterException;
import dev.cairn.internal.errors.ConfigErrors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a driver keeps its state, read once from the environment. Immutable.
 *
 * <p>With nothing set (the embedded default): everything under {@code CAIRN_HOME} (default {@code
 * ./cairn-data}): the Delta warehouse in {@code warehouse/} and the checkpoint table in a DynamoDB
 * Local server persisted in {@code dynamodb/}. {@code CAIRN_CHECKPOINT_TABLE} switches to a
 * DynamoDB table reached through the AWS SDK's standard settings; {@code CAIRN_WAREHOUSE} sets the
 * warehouse root (a path or URI).
 *
 * <p>The Spark master is, first to last: spark-submit's {@code --master} (the {@code spark.master}
 * system property it gives the driver), {@code cairn run --master} ({@link #withSparkMaster}),
 * {@code CAIRN_SPARK_MASTER}, {@code local[*]}. A {@code --master} or {@code CAIRN_SPARK_MASTER}
 * that disagrees with spark-submit's is refused rather than silently ignored. {@code
 * CAIRN_SPARK_JARS} lists the jars shipped to executors when the master is a cluster.
 *
 * @param home the state directory
 * @param warehouse the warehouse root: an absolute path or a URI
 * @param checkpointTable the DynamoDB table, or empty for the embedded store
 * @param sparkMaster the Spark master URL
 * @param sparkMasterOrigin where {@code sparkMaster} came from
 * @param sparkJars jars (paths or URIs) shipped to a cluster's executors ({@code spark.jars})
 * @param dataCache where fetched datasets are cached
 * @param leaseTtl how long a driver's lease lasts unless renewed
 * @param dynamoDbLocalLib the DynamoDB Local server's classpath directory (embedded store only)
 * @param retention how long a succeeded run's checkpoints are kept before DynamoDB's TTL deletes
 *     them ({@code CAIRN_RETENTION_DAYS}, default 90)
 * @param runbooks the operator's runbook entries, read before the bundled ones ({@code
 *     CAIRN_RUNBOOKS}, default {@code $CAIRN_HOME/runbooks}; it need not exist)
 */
public record CairnConfig(
    Path home,
    String warehouse,
    Optional<String> checkpointTable,
    String sparkMaster,
    MasterOrigin sparkMasterOrigin,
    List<String> sparkJars,
    Path dataCache,
    Duration leaseTtl,
    Optional<Path> dynamoDbLocalLib,
    Duration retention,
    Path runbooks) {

  /** The embedded store's table name. */
  public static final String EMBEDDED_TABLE = "cairn_checkpoints";

  /** The default Spark master: local, one worker thread per core. */
  public static final String DEFAULT_MASTER = "local[*]";

  private static final Pattern MASTER_URL =
      Pattern.compile("local(\\[[^\\]]*\\])?|local-cluster\\[[^\\]]+\\]|(spark|k8s)://.+|yarn");

  /** Where the Spark master was given. */
  public enum MasterOrigin {
    DEFAULT("the default"),
    ENVIRONMENT("CAIRN_SPARK_MASTER"),
    OPTION("--master"),
    SPARK_SUBMIT("spark-submit (system property spark.master)");

    private final String description;

    MasterOrigin(String description) {
      this.description = description;
    }

    /** How a message names it: {@code CAIRN_SPARK_MASTER}, {@code --master}... */
    public String description() {
      return description;
    }
  }

  public CairnConfig {
    sparkJars = List.copyOf(sparkJars);
  }

  /** Reads the configuration from environment variables and this JVM's system properties. */
  public static CairnConfig fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, systemProperties());
  }

  /**
   * Reads the configuration from environment variables and system properties ({@code spark.master}
   * from spark-submit, {@code cairn.dynamodbLocal.lib} from the launcher).
   */
  public static CairnConfig fromEnvironment(
      Map<String, String> env, Map<String, String> systemProperties) {
    Path home = Path.of(env.getOrDefault("CAIRN_HOME", "cairn-data")).toAbsolutePath().normalize();
    String warehouse =
        Optional.ofNullable(env.get("CAIRN_WAREHOUSE"))
            .filter(s -> !s.isBlank())
            .map(CairnConfig::absolutePathOrUri)
            .orElse(home.resolve("warehouse").toString());
    Optional<String> table =
        Optional.ofNullable(env.get("CAIRN_CHECKPOINT_TABLE")).filter(s -> !s.isBlank());
    table.ifPresent(CairnConfig::validateTableName);
    Optional<String> submitted = nonBlank(systemProperties.get("spark.master"));
    Optional<String> fromEnv = nonBlank(env.get("CAIRN_SPARK_MASTER"));
    String master = DEFAULT_MASTER;
    MasterOrigin origin = MasterOrigin.DEFAULT;
    if (submitted.isPresent()) {
      master = validateMaster(submitted.get(), MasterOrigin.SPARK_SUBMIT);
      origin = MasterOrigin.SPARK_SUBMIT;
      if (fromEnv.isPresent()) {
        refuseConflict(fromEnv.get().strip(), MasterOrigin.ENVIRONMENT, master);
      }
    } else if (fromEnv.isPresent()) {
      master = validateMaster(fromEnv.get(), MasterOrigin.ENVIRONMENT);
      origin = MasterOrigin.ENVIRONMENT;
    }
    List<String> jars =
        nonBlank(env.get("CAIRN_SPARK_JARS")).map(CairnConfig::parseJars).orElse(List.of());
    Path cache =
        Optional.ofNullable(env.get("CAIRN_DATA_CACHE"))
            .filter(s -> !s.isBlank())
            .map(Path::of)
            .orElse(Path.of(System.getProperty("user.home"), ".cache", "cairn"))
            .toAbsolutePath();
    Duration ttl = Duration.ofSeconds(parseSeconds(env, "CAIRN_LEASE_TTL_SECONDS", 30));
    Optional<Path> lib =
        Optional.ofNullable(systemProperties.get("cairn.dynamodbLocal.lib"))
            .or(() -> Optional.ofNullable(env.get("CAIRN_DYNAMODB_LOCAL_LIB")))
            .filter(s -> !s.isBlank())
            .map(Path::of);
    Duration retention = Duration.ofDays(parseDays(env, "CAIRN_RETENTION_DAYS", 90));
    Path runbooks =
        Optional.ofNullable(env.get("CAIRN_RUNBOOKS"))
            .filter(s -> !s.isBlank())
            .map(s -> Path.of(s).toAbsolutePath().normalize())
            .orElse(home.resolve("runbooks"));
    return new CairnConfig(
        home, warehouse, table, master, origin, jars, cache, ttl, lib, retention, runbooks);
  }

  private static long parseDays(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long days = Long.parseLong(value.strip());
      if (days >= 1 && days <= 36_500) {
        return days;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw ConfigErrors.notANumberOfDays(name, value);
  }

  /**
   * This configuration with the master given by {@code cairn run --master}, which wins over {@code
   * CAIRN_SPARK_MASTER}.
   *
   * @throws InvalidParameterException if it is not a master URL, or spark-submit gave another one
   */
  public CairnConfig withSparkMaster(String master) {
    String url = validateMaster(master, MasterOrigin.OPTION);
    if (sparkMasterOrigin == MasterOrigin.SPARK_SUBMIT) {
      refuseConflict(url, MasterOrigin.OPTION, sparkMaster);
      return this;
    }
    return new CairnConfig(
        home,
        warehouse,
        checkpointTable,
        url,
        MasterOrigin.OPTION,
        sparkJars,
        dataCache,
        leaseTtl,
        dynamoDbLocalLib,
        retention,
        runbooks);
  }

  /** True when the Spark master runs everything in this JVM ({@code local}, {@code local[4]}). */
  public boolean localMaster() {
    return isLocal(sparkMaster);
  }

  /** True for {@code local}, {@code local[N]}, {@code local[*]}, {@code local[N,F]}. */
  public static boolean isLocal(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  /** True when the checkpoint store is the embedded DynamoDB Local. */
  public boolean embeddedStore() {
    return checkpointTable.isEmpty();
  }

  /** The checkpoint table's name. */
  public String tableName() {
    return checkpointTable.orElse(EMBEDDED_TABLE);
  }

  private static String validateMaster(String value, MasterOrigin origin) {
    String url = value.strip();
    if (!MASTER_URL.matcher(url).matches()) {
      throw ConfigErrors.notASparkMaster(origin.description(), value);
    }
    return url;
  }

  private static void refuseConflict(String given, MasterOrigin origin, String submitted) {
    if (!given.equals(submitted)) {
      throw ConfigErrors.masterDisagreesWithSparkSubmit(origin.description(), given, submitted);
    }
  }

  /** Comma-separated; relative paths are made absolute, URIs ({@code s3://...}) kept. */
  private static List<String> parseJars(String value) {
    return Arrays.stream(value.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(CairnConfig::absolutePathOrUri)
        .toList();
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(s -> !s.isBlank());
  }

  /** This JVM's system properties, as a map. */
  static Map<String, String> systemProperties() {
    Map<String, String> properties = new HashMap<>();
    System.getProperties()
        .stringPropertyNames()
        .forEach(name -> properties.put(name, System.getProperty(name)));
    return properties;
  }

  private static String absolutePathOrUri(String value) {
    if (value.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return value;
    }
    return Path.of(value).toAbsolutePath().normalize().toString();
  }

  private static void validateTableName(String name) {
    if (!name.matches("[a-zA-Z0-9_.-]{3,255}")) {
      throw ConfigErrors.notADynamoDbTableName(name);
    }
  }

  private static long parseSeconds(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      if (seconds >= 3) {
        return seconds;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw ConfigErrors.notANumberOfSeconds(name, value);
  }
}
