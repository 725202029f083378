package dev.cairn.internal.config;

import dev.cairn.internal.delta.FencedLogStore;
import org.apache.spark.sql.SparkSession;

/** The one SparkSession of a driver, configured for Delta. */
public final class Spark {
  private Spark() {}

  /** Creates (or returns) the session for {@code master}, named after the job. */
  public static SparkSession session(String master, String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master(master)
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            // Outputs must not depend on the machine's time zone.
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", System.getProperty("cairn.spark.ui", "false"))
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.databricks.delta.snapshotPartitions", "4")
            .config("spark.sql.adaptive.enabled", "true")
            // Commits on local and HDFS file systems go through the lease fence (zombie drivers
            // cannot publish); see FencedLogStore.
            .config("spark.delta.logStore.file.impl", FencedLogStore.class.getName())
            .config("spark.delta.logStore.hdfs.impl", FencedLogStore.class.getName());
    if (master.startsWith("local")) {
      // Nothing listens beyond loopback on a laptop; few cores want few shuffle partitions.
      builder
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config(
              "spark.sql.shuffle.partitions", System.getProperty("cairn.shuffle.partitions", "8"));
    }
    SparkSession spark = builder.getOrCreate();
    if (System.getProperty("log4j2.configurationFile") == null) {
      // No log configuration given (tests, spark-submit without one): keep Spark's INFO chatter
      // out; a given configuration decides for itself.
      spark.sparkContext().setLogLevel(System.getProperty("cairn.spark.logLevel", "WARN"));
    }
    return spark;
  }
}
