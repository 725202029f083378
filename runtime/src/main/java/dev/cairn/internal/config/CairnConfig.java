package dev.cairn.internal.config;

import dev.cairn.InvalidParameterException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where a driver keeps its state, read once from the environment. Immutable.
 *
 * <p>With nothing set (the embedded default): everything under {@code CAIRN_HOME} (default {@code
 * ./cairn-data}): the Delta warehouse in {@code warehouse/} and the checkpoint table in a DynamoDB
 * Local server persisted in {@code dynamodb/}. {@code CAIRN_CHECKPOINT_TABLE} switches to a
 * DynamoDB table reached through the AWS SDK's standard settings; {@code CAIRN_WAREHOUSE} sets the
 * warehouse root (a path or URI).
 *
 * @param home the state directory
 * @param warehouse the warehouse root: an absolute path or a URI
 * @param checkpointTable the DynamoDB table, or empty for the embedded store
 * @param sparkMaster the Spark master URL
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
    Path dataCache,
    Duration leaseTtl,
    Optional<Path> dynamoDbLocalLib,
    Duration retention,
    Path runbooks) {

  /** The embedded store's table name. */
  public static final String EMBEDDED_TABLE = "cairn_checkpoints";

  /** Reads the configuration from environment variables and system properties. */
  public static CairnConfig fromEnvironment(Map<String, String> env) {
    Path home = Path.of(env.getOrDefault("CAIRN_HOME", "cairn-data")).toAbsolutePath().normalize();
    String warehouse =
        Optional.ofNullable(env.get("CAIRN_WAREHOUSE"))
            .filter(s -> !s.isBlank())
            .map(CairnConfig::normalizeWarehouse)
            .orElse(home.resolve("warehouse").toString());
    Optional<String> table =
        Optional.ofNullable(env.get("CAIRN_CHECKPOINT_TABLE")).filter(s -> !s.isBlank());
    table.ifPresent(CairnConfig::validateTableName);
    String master = env.getOrDefault("CAIRN_SPARK_MASTER", "local[*]");
    Path cache =
        Optional.ofNullable(env.get("CAIRN_DATA_CACHE"))
            .filter(s -> !s.isBlank())
            .map(Path::of)
            .orElse(Path.of(System.getProperty("user.home"), ".cache", "cairn"))
            .toAbsolutePath();
    Duration ttl = Duration.ofSeconds(parseSeconds(env, "CAIRN_LEASE_TTL_SECONDS", 30));
    Optional<Path> lib =
        Optional.ofNullable(System.getProperty("cairn.dynamodbLocal.lib"))
            .or(() -> Optional.ofNullable(env.get("CAIRN_DYNAMODB_LOCAL_LIB")))
            .filter(s -> !s.isBlank())
            .map(Path::of);
    Duration retention = Duration.ofDays(parseDays(env, "CAIRN_RETENTION_DAYS", 90));
    Path runbooks =
        Optional.ofNullable(env.get("CAIRN_RUNBOOKS"))
            .filter(s -> !s.isBlank())
            .map(s -> Path.of(s).toAbsolutePath().normalize())
            .orElse(home.resolve("runbooks"));
    return new CairnConfig(home, warehouse, table, master, cache, ttl, lib, retention, runbooks);
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
    throw new InvalidParameterException(
        name + "='" + value + "' is not a number of days from 1 to 36500", "set it to e.g. 90");
  }

  /** True when the checkpoint store is the embedded DynamoDB Local. */
  public boolean embeddedStore() {
    return checkpointTable.isEmpty();
  }

  /** The checkpoint table's name. */
  public String tableName() {
    return checkpointTable.orElse(EMBEDDED_TABLE);
  }

  private static String normalizeWarehouse(String value) {
    if (value.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return value;
    }
    return Path.of(value).toAbsolutePath().normalize().toString();
  }

  private static void validateTableName(String name) {
    if (!name.matches("[a-zA-Z0-9_.-]{3,255}")) {
      throw new InvalidParameterException(
          "CAIRN_CHECKPOINT_TABLE='" + name + "' is not a valid DynamoDB table name",
          "use 3 to 255 characters from a-z, A-Z, 0-9, '_', '-' and '.'");
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
    throw new InvalidParameterException(
        name + "='" + value + "' is not a number of seconds >= 3", "set it to e.g. 30");
  }
}
