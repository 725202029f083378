package dev.cairn.internal.delta;

import dev.cairn.Output;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The output tables: where they live, what their transaction logs hold, and the one way rows are
 * written to them. Thread-compatible: one stage writes at a time.
 */
public interface TableStore {

  /** The full URI or path of a table under the warehouse. */
  String location(String table);

  /** The table's latest version, or -1 when the table does not exist yet. */
  long currentVersion(String location);

  /** The highest transaction version the table has committed for {@code appId}, or -1. */
  long committedTxnVersion(String location, String appId);

  /**
   * The commit holding transaction ({@code appId}, {@code txnVersion}), searching the log from
   * {@code fromVersion} on.
   */
  Optional<Commit> findCommit(String location, String appId, long txnVersion, long fromVersion);

  /**
   * Writes {@code rows} atomically in one Delta commit carrying the transaction ({@code appId},
   * {@code txnVersion}). Idempotent: if the table already holds that transaction (or a later
   * version of it), Delta writes nothing and the outcome says {@code skippedDuplicate}.
   *
   * <p>A {@code txnVersion} above the one the table holds for {@code appId} is a rerun's new
   * generation. OVERWRITE and REPLACE_WHERE replace their table or partition and MERGE upserts
   * again, as always; APPEND removes, in the same commit, the files the previous generation's
   * commit added, so the rows are replaced, not duplicated (and refuses, writing nothing, when
   * those files were since rewritten or their commit left the log).
   *
   * @param baseVersion the table's version before this attempt, where the search for the commit
   *     starts
   */
  Commit write(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion);

  /**
   * Writes one chunk of a chunked stage in one Delta commit carrying ({@code appId}, {@code
   * txnVersion}), idempotent like {@link #write}. Chunks share one app id per stage generation and
   * are written in plan order with rising versions (chunk index + 1). The {@code first} chunk
   * writes as {@code output} says (replacing the table or the rows matching its predicate); later
   * chunks append, except with MERGE, where every chunk merges.
   *
   * @throws IllegalArgumentException for an APPEND output, which is never chunked
   */
  Commit writeChunk(
      Dataset<Row> rows,
      Output output,
      boolean first,
      String location,
      String appId,
      long txnVersion,
      long baseVersion);

  /** Refuses an APPEND output for a chunk write, which {@link #writeChunk} never takes. */
  static void requireChunkable(Output output) {
    if (output.mode() == Output.Mode.APPEND) {
      throw new IllegalArgumentException(
          "APPEND outputs are not chunked: "
              + output
              + ". Fix: declare the stage with overwrite(), replaceWhere(...) or mergeOn(...)");
    }
  }

  /** The table as it was at {@code version}. */
  Dataset<Row> read(String location, long version);

  /**
   * One commit of a table.
   *
   * @param version the table version it created
   * @param rowsWritten rows it wrote, from Delta's operation metrics (-1 when not recorded)
   * @param skippedDuplicate true when the write asked for was skipped because this earlier commit
   *     already held its transaction
   */
  record Commit(long version, long rowsWritten, boolean skippedDuplicate) {}
}
