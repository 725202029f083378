package dev.cairn;

import java.util.List;
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
   * The files this stage reads from an input, frozen for the run: listed once (the first attempt of
   * the stage), recorded in the checkpoint table with each file's size and ETag (or modification
   * time), and returned unchanged to every later attempt, even if files arrive meanwhile. Read
   * exactly these (e.g. {@code spark.read().parquet(files.toArray(String[]::new))}).
   *
   * @param parameterOrPath a parameter of the job whose value is the input's path or URI, or the
   *     path or URI itself
   * @return full paths or URIs of the data files (hidden files, {@code _*} and {@code .*}, left
   *     out), sorted
   * @throws BadInputException when the input does not exist or has no files, or a planned file has
   *     since vanished or changed ({@code cairn rerun <runId> --from <stage>} re-plans)
   */
  List<String> files(String parameterOrPath);

  /**
   * For a chunked stage ({@link Stage.Builder#chunked(ChunkPlanner)}), the chunk this call
   * computes: the compute function returns only the rows of its units. Empty for a stage that is
   * not chunked, and while planning.
   */
  default Optional<Chunk> chunk() {
    return Optional.empty();
  }
}
