package dev.cairn.it;

import dev.cairn.internal.config.Spark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A writer process of the concurrent-writers test: once its Spark session is up, creates {@code
 * ready}, waits until {@code go} exists (so that all writers start appending together), then
 * appends {@code count} batches of 10 ids to the Delta table at {@code table}, batch {@code i}
 * holding {@code base + 10 i} to {@code base + 10 i + 9}. Its Spark session is configured as a
 * driver's ({@code Spark.session}): S3 from the environment, Delta's commits through Cairn's log
 * store.
 *
 * <p>Arguments: {@code table base count ready go}.
 */
public final class DeltaAppender {
  private DeltaAppender() {}

  public static void main(String[] args) throws Exception {
    String table = args[0];
    long base = Long.parseLong(args[1]);
    int count = Integer.parseInt(args[2]);
    Path ready = Path.of(args[3]);
    Path go = Path.of(args[4]);
    SparkSession spark = Spark.session("local[1]", "cairn-it-appender-" + base);
    spark.range(1).count(); // Spark's start-up done before the barrier
    Files.createFile(ready);
    while (!Files.exists(go)) {
      Thread.sleep(20); // a start barrier between processes
    }
    for (int i = 0; i < count; i++) {
      long from = base + 10L * i;
      spark.range(from, from + 10).write().format("delta").mode("append").save(table);
    }
    spark.stop();
  }
}
