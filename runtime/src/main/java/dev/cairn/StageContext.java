package dev.cairn;

import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** What a stage's compute function may use. */
public interface StageContext {

  /** The run's Spark session. */
  SparkSession spark();

  /** The run's effective parameters. */
  Parameters parameters();

  /**
   * The output of an upstream stage this stage depends on, read at the Delta version recorded when
   * that stage committed, so every attempt of this stage sees exactly the same rows.
   *
   * @throws IllegalArgumentException if {@code stage} is not a declared dependency
   */
  Dataset<Row> input(String stage);

  /**
   * For a chunked stage ({@link Stage.Builder#chunked(ChunkPlanner)}), the key of the chunk this
   * call computes: the compute function returns only that chunk's rows. Empty for a stage that is
   * not chunked, and while planning.
   */
  default Optional<String> chunk() {
    return Optional.empty();
  }
}
