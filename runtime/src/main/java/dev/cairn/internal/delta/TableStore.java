package dev.cairn.internal.delta;

import dev.cairn.Output;
import java.util.List;
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
  default Commit write(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion) {
    return write(rows, output, location, appId, txnVersion, baseVersion, BeforeCommit.NONE);
  }

  /**
   * {@link #write}, with a decision between writing the data files and committing them: once the
   * write job has written every row, and before the commit, {@code beforeCommit} is given the rows
   * as written; if it throws, nothing is committed (the files written are deleted, or left for
   * VACUUM) and its exception is thrown. Only where {@link #decidesBeforeCommit} says so; elsewhere
   * it is never called. Not called for a write Delta skips as a duplicate.
   */
  Commit write(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion,
      BeforeCommit beforeCommit);

  /**
   * Whether {@link #write} with {@code output} to {@code location} at {@code txnVersion} calls its
   * {@link BeforeCommit} before committing: everything but a MERGE into a table that exists
   * (Delta's MERGE commits as it writes) and a rerun's APPEND generation ({@code txnVersion > 1}).
   */
  boolean decidesBeforeCommit(Output output, String location, long txnVersion);

  /** A decision made between writing a step's data files and committing them. */
  @FunctionalInterface
  interface BeforeCommit {
    /** Decides nothing: every write is committed. */
    BeforeCommit NONE = written -> {};

    /**
     * Called once the rows are written as data files, before any commit references them.
     *
     * @param written the rows as written, read back from those files when an action asks for them
     * @throws RuntimeException to commit nothing
     */
    void decide(Dataset<Row> written);
  }

  /**
   * Writes one chunk of a chunked MERGE stage in one Delta commit carrying ({@code appId}, {@code
   * txnVersion}), idempotent like {@link #write}. Chunks share one app id per stage generation and
   * are merged in plan order with rising versions (chunk index + 1).
   *
   * @throws IllegalArgumentException for an output that does not merge
   */
  Commit mergeChunk(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion);

  /**
   * Writes chunk {@code index} of a chunked OVERWRITE or REPLACE_WHERE stage as data files of the
   * table that no commit references yet, recorded under {@code appId} (replacing what an earlier
   * attempt staged for it). Readers do not see them until {@link #publishChunks}.
   *
   * @throws dev.cairn.CairnException when the rows do not have the table's columns, or a
   *     REPLACE_WHERE predicate names a column the table is not partitioned by
   */
  default Staged stageChunk(
      Dataset<Row> rows, Output output, String location, String appId, int index) {
    return stageChunk(rows, output, location, appId, index, BeforeCommit.NONE);
  }

  /**
   * {@link #stageChunk}, with a decision between writing the chunk's data files and recording them
   * as staged: if {@code beforeCommit} throws, the chunk is not staged (its files are deleted, or
   * left for VACUUM) and its exception is thrown.
   */
  Staged stageChunk(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      int index,
      BeforeCommit beforeCommit);

  /** Chunk {@code index} as staged under {@code appId} by an earlier attempt, if it was. */
  Optional<Staged> stagedChunk(String location, String appId, int index);

  /**
   * The rows of chunks {@code 0..chunks-1} as staged under {@code appId} and not yet published,
   * read lazily as a reader of the publishing commit will read them, with an int column {@code
   * chunkColumn} holding each row's chunk index: what a check of the whole stage reads before
   * {@link #publishChunks}.
   *
   * @throws dev.cairn.CairnException when a chunk was not staged, or the table changed since
   */
  Dataset<Row> stagedRows(String location, String appId, int chunks, String chunkColumn);

  /**
   * Publishes the staged chunks {@code 0..chunks-1} of {@code appId} in one Delta commit carrying
   * ({@code appId}, {@code txnVersion}) that replaces what {@code output} replaces (the table, or
   * the partitions its predicate selects) as the table is at that commit. Idempotent like {@link
   * #write}.
   *
   * @param baseVersion the table's version before the stage's attempt, where the search for the
   *     commit starts
   * @throws dev.cairn.CairnException a chunk's staged files are missing; nothing is published
   */
  Commit publishChunks(
      Output output, String location, String appId, long txnVersion, int chunks, long baseVersion);

  /**
   * A chunk written as files no commit references yet.
   *
   * @param rows rows in its files (-1 when Delta's file statistics do not say)
   * @param stagedAtMillis when it was staged, epoch milliseconds
   */
  record Staged(int index, long rows, int files, long stagedAtMillis) {}

  /** The table as it was at {@code version}. */
  Dataset<Row> read(String location, long version);

  /**
   * The rows of each value of partition column {@code column} of the table at {@code version}, in
   * ascending order of the values, counted from the file statistics in its log: no data file is
   * read. Empty when {@code column} is not a plain partition column of the table or a file's
   * statistics hold no row count (the caller then counts the rows).
   *
   * @return each value in Spark's string form (rows whose value is null are left out), with its
   *     rows
   */
  Optional<List<PartitionRows>> rowsByPartition(String location, long version, String column);

  /** The rows of one partition value. */
  record PartitionRows(String value, long rows) {}

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
