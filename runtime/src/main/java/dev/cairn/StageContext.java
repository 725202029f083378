package dev.cairn;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

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
   * The files of an input, frozen for the run: listed once, recorded in the checkpoint table with
   * each file's size and ETag (or modification time), and returned unchanged to every later
   * attempt, even if files arrive meanwhile (they are logged by name and not read). Read exactly
   * these (e.g. {@code spark.read().parquet(files.toArray(String[]::new))}). Each attempt lists the
   * input once more to check every planned file is still what was planned.
   *
   * <p>An input the stage declared ({@link Stage.Builder#reads}, {@link Input#files}) was planned
   * once for the whole run at its first start: every stage declaring it reads the same files. An
   * input not declared is planned when this stage first asks, for this stage alone (the weaker
   * guarantee: two stages reading it may see different files).
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
   * A Delta-table input this stage declared ({@link Input#deltaTable}), read at the version the run
   * pinned when it planned its inputs (time travel): every stage and attempt of the run reads the
   * same rows, whatever was committed to the table since.
   *
   * @throws IllegalArgumentException if the stage did not declare {@code parameterOrPath} as a
   *     Delta-table input
   * @throws BadInputException when the pinned version can no longer be read (VACUUM, log retention;
   *     {@code cairn rerun <runId> --from <stage>} re-pins)
   */
  default Dataset<Row> table(String parameterOrPath) {
    throw new IllegalArgumentException(
        "input '" + parameterOrPath + "' is not a declared Delta-table input of this stage");
  }

  /**
   * The partitions of an upstream stage's output as chunk units: one per value of its partition
   * column {@code column}, in ascending order of the values, weighted by rows; the key is the
   * value's string form ({@code 2001-01-31} for a date). Rows whose value is null form no unit. For
   * a {@link ChunkPlanner} whose units are the days (or other partitions) of its input.
   *
   * <p>The runtime counts the rows from the Delta log's file statistics at the version {@link
   * #input} reads, without reading the data; where the statistics cannot say (not a partition
   * column, files without row counts), it counts them with one aggregation over the input.
   *
   * @throws IllegalArgumentException if {@code stage} is not a declared dependency
   */
  default List<ChunkPlanner.Unit> partitionUnits(String stage, String column) {
    return input(stage)
        .where(functions.col(column).isNotNull())
        .groupBy(column)
        .count()
        .orderBy(column)
        .select(functions.col(column).cast("string"), functions.col("count"))
        .collectAsList()
        .stream()
        .map(r -> ChunkPlanner.Unit.of(r.getString(0), r.getLong(1)))
        .toList();
  }

  /**
   * For a chunked stage ({@link Stage.Builder#chunked(ChunkPlanner)}), the chunk this call
   * computes: the compute function returns only the rows of its units. Empty for a stage that is
   * not chunked, and while planning.
   */
  default Optional<Chunk> chunk() {
    return Optional.empty();
  }
}
