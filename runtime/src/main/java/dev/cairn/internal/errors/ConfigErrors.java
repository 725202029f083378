package dev.cairn.internal.errors;

import static dev.cairn.internal.errors.Messages.problemAndFix;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.InvalidParameterException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Errors in what a driver is given: job names, environment settings ({@code CAIRN_*}, {@code
 * AWS_*}), the Spark master and jars, the warehouse, the embedded checkpoint store. A setting that
 * cannot be used is an {@link InvalidParameterException} (class {@link FailureClass#PERMANENT},
 * exit code 2); a setting that is well-formed but does not work is a {@link CairnException},
 * classified only when its cause cannot change the outcome.
 *
 * <p>A missing run parameter is reported by {@link dev.cairn.Parameters#require} itself: the public
 * API imports nothing internal.
 */
public final class ConfigErrors {
  private ConfigErrors() {}

  /**
   * No job on the classpath is named {@code name}.
   *
   * @param known the names of the jobs that are there, in the order to list them
   */
  public static InvalidParameterException noSuchJob(String name, Collection<String> known) {
    return new InvalidParameterException(
        "no job named '" + name + "'",
        known.isEmpty()
            ? "put the jobs jar on the classpath (./cairn does)"
            : "use one of: " + String.join(", ", known));
  }

  /** Environment variable {@code name} is not a number of days from 1 to 36500. */
  public static InvalidParameterException notANumberOfDays(String name, String value) {
    return new InvalidParameterException(
        name + "='" + value + "' is not a number of days from 1 to 36500", "set it to e.g. 90");
  }

  /** Environment variable {@code name} is not a number of seconds of at least 3. */
  public static InvalidParameterException notANumberOfSeconds(String name, String value) {
    return new InvalidParameterException(
        name + "='" + value + "' is not a number of seconds >= 3", "set it to e.g. 30");
  }

  /**
   * Environment variable {@code name} (a timeout or an interval) is not a whole number of seconds.
   *
   * @param byDefault the default, offered in the fix
   */
  public static InvalidParameterException notAWholeNumberOfSeconds(
      String name, String value, long byDefault) {
    return new InvalidParameterException(
        "environment variable " + name + "='" + value + "' is not a number of seconds",
        "set it to a whole number, e.g. " + name + "=" + byDefault);
  }

  /**
   * Environment variable {@code name} is not a number in the range it must be in.
   *
   * @param range what it must be, e.g. {@code a number of seconds > 0}
   * @param example a value to offer in the fix
   */
  public static InvalidParameterException notANumberIn(
      String name, String value, String range, String example) {
    return new InvalidParameterException(
        "environment variable " + name + "='" + value + "' is not " + range,
        "set it to e.g. " + name + "=" + example + ", or unset it for the default");
  }

  /**
   * {@code setting} (e.g. {@code -Daws.maxAttempts}) is not a number of attempts of at least 1.
   *
   * @param suggested the default, offered in the fix
   */
  public static InvalidParameterException notANumberOfAttempts(
      String setting, String value, int suggested) {
    return new InvalidParameterException(
        setting + "='" + value + "' is not a number of attempts >= 1",
        "set it to e.g. " + suggested + ", or unset it for the default");
  }

  /** {@code CAIRN_CHECKPOINT_TABLE} is not a name DynamoDB accepts. */
  public static InvalidParameterException notADynamoDbTableName(String name) {
    return new InvalidParameterException(
        "CAIRN_CHECKPOINT_TABLE='" + name + "' is not a valid DynamoDB table name",
        "use 3 to 255 characters from a-z, A-Z, 0-9, '_', '-' and '.'");
  }

  /** S3 endpoint variable {@code name} ({@code AWS_ENDPOINT_URL_S3}...) is not an http(s) URL. */
  public static InvalidParameterException notAnS3Endpoint(String name, String value) {
    return new InvalidParameterException(
        name + "='" + value + "' is not an http(s) URL",
        "set it to the S3 endpoint, e.g. http://127.0.0.1:9000 or"
            + " https://s3.eu-west-1.amazonaws.com, or unset it to use AWS's own");
  }

  /**
   * A Spark master given by {@code origin} is not a master URL.
   *
   * @param origin where it was given, as messages name it: {@code --master}, {@code
   *     CAIRN_SPARK_MASTER}...
   */
  public static InvalidParameterException notASparkMaster(String origin, String value) {
    return new InvalidParameterException(
        origin + " '" + value + "' is not a Spark master URL",
        "use local[*] (this JVM), spark://host:7077 (a standalone master), yarn (EMR) or"
            + " k8s://https://host:443");
  }

  /**
   * A Spark master given by {@code origin} disagrees with the one spark-submit gave the driver.
   *
   * @param origin where {@code given} was given, as messages name it
   */
  public static InvalidParameterException masterDisagreesWithSparkSubmit(
      String origin, String given, String submitted) {
    return new InvalidParameterException(
        origin
            + " '"
            + given
            + "' disagrees with the master spark-submit gave this driver, '"
            + submitted
            + "' (system property spark.master)",
        "give the master in one place: spark-submit --master, and no " + origin);
  }

  /** A jar of {@code CAIRN_SPARK_JARS} to ship to a cluster's executors is not a file. */
  public static InvalidParameterException sparkJarNotAFile(String jar) {
    return new InvalidParameterException(
        "CAIRN_SPARK_JARS names " + jar + ", which is not a file",
        "build the application jar (`mvn -Dmaven.test.skip=true package` writes"
            + " jobs/target/cairn-jobs-app.jar) or point CAIRN_SPARK_JARS at yours");
  }

  /**
   * The warehouse probe (create the directory, create and delete a file) failed. Unclassified: the
   * cause may be transient (S3 throttling) or not (no credentials).
   */
  public static CairnException warehouseNotWritable(String warehouse, Exception cause) {
    return new CairnException(
        problemAndFix(
            "warehouse "
                + warehouse
                + " is not writable: "
                + cause.getClass().getSimpleName()
                + ": "
                + cause.getMessage(),
            "check CAIRN_WAREHOUSE, that the file system's scheme is on the classpath"
                + " (s3a needs hadoop-aws), and that the credentials allow creating and deleting"
                + " files under it (on S3: AWS_REGION, AWS_ENDPOINT_URL_S3 if not AWS's, and"
                + " s3:PutObject, s3:DeleteObject, s3:ListBucket on the prefix)"),
        cause);
  }

  /**
   * The embedded store's directory {@code dir} could not be prepared or its server found.
   * Unclassified: decided by the I/O error.
   */
  public static CairnException embeddedStoreNotPrepared(Path dir, Exception cause) {
    return new CairnException(
        problemAndFix(
            "cannot prepare the embedded checkpoint store in "
                + dir
                + " ("
                + cause.getMessage()
                + ")",
            "make CAIRN_HOME a writable local directory, or set CAIRN_CHECKPOINT_TABLE"
                + " to use DynamoDB"),
        cause);
  }

  /**
   * The embedded store's server for {@code home} could not be stopped. Unclassified: decided by the
   * I/O error.
   *
   * @param readyFile the file naming the server's pid
   */
  public static CairnException embeddedStoreNotStopped(Path home, Path readyFile, Exception cause) {
    return new CairnException(
        problemAndFix(
            "cannot stop the embedded checkpoint store in "
                + home
                + " ("
                + cause.getMessage()
                + ")",
            "stop the pid in " + readyFile + " by hand; it also exits by itself when idle"),
        cause);
  }

  /** The embedded store is wanted, but where its server's jars are was not said. */
  public static CairnException embeddedStoreJarsNotGiven() {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "the embedded checkpoint store needs the DynamoDB Local server's jars, and"
                + " neither -Dcairn.dynamodbLocal.lib nor CAIRN_DYNAMODB_LOCAL_LIB is set",
            "start Cairn with ./cairn, or set CAIRN_CHECKPOINT_TABLE to use DynamoDB"));
  }

  /** The embedded store's server jars are not in {@code libDir}. */
  public static CairnException embeddedStoreJarsMissing(Path libDir) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "the DynamoDB Local server's jars are not in " + libDir,
            "build them with `mvn -B -q -DskipTests package` (./cairn does it on first use)"));
  }

  /**
   * The embedded store's server did not come up in time. Unclassified: a slow machine may manage
   * the next time.
   *
   * @param serverLog where the server wrote what went wrong
   */
  public static CairnException embeddedStoreDidNotStart(long timeoutSeconds, Path serverLog) {
    return new CairnException(
        problemAndFix(
            "the embedded checkpoint store (DynamoDB Local) did not start within "
                + timeoutSeconds
                + " s",
            "read " + serverLog + " for its error"));
  }
}
