package dev.cairn.internal.config;

import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * One driver's Spark application, as Spark's History Server names it.
 *
 * @param id Spark's application id ({@code local-1733390000000} on a local master, {@code
 *     app-20261205...} on a standalone cluster, {@code application_...} on YARN)
 * @param eventLogDir where Spark writes the application's event log (a file named after the id,
 *     ending {@code .inprogress} until the application stops), or empty when the event log is off
 */
public record SparkApplication(String id, Optional<String> eventLogDir) {

  /** The application of a running {@code session}. */
  public static SparkApplication of(SparkSession session) {
    SparkConf conf = session.sparkContext().getConf();
    boolean logged = conf.getBoolean("spark.eventLog.enabled", false);
    return new SparkApplication(
        session.sparkContext().applicationId(),
        logged
            ? Optional.of(conf.get("spark.eventLog.dir", "/tmp/spark-events"))
            : Optional.empty());
  }
}
