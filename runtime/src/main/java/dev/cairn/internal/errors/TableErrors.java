package dev.cairn.internal.errors;

import static dev.cairn.internal.errors.Messages.problemAndFix;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import java.util.List;
import java.util.Map;

/**
 * Errors of the output tables: a Delta write that cannot be done safely, or whose outcome the
 * table's log does not show, and the write fence's refusal. A write refused because of what the
 * table holds is {@link FailureClass#PERMANENT}: retrying finds the same table.
 */
public final class TableErrors {
  private TableErrors() {}

  /**
   * A rerun of an append cannot replace the rows of generation {@code previousTxnVersion}: its
   * commit has left the table's log.
   */
  public static CairnException appendedCommitLeftTheLog(
      String location, String appId, long previousTxnVersion) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "cannot replace the rows that "
                + generation(appId, previousTxnVersion)
                + " appended to "
                + location
                + ": its commit is no longer in the table's log (log retention cleaned it), so the"
                + " files holding those rows are unknown, and appending again would duplicate"
                + " them. Nothing was written",
            "Cairn cannot do this safely; delete those rows from the table yourself, then write"
                + " them with a new run (`cairn run` with a parameter changed), or leave the table"
                + " as it is"));
  }

  /**
   * A rerun of an append cannot replace the rows of generation {@code previousTxnVersion}: some of
   * the files its commit added were since rewritten or removed.
   *
   * @param commit the table version of that generation's commit
   * @param gone how many of its files are gone
   * @param files how many files it added
   */
  public static CairnException appendedFilesRewritten(
      String location, String appId, long previousTxnVersion, long commit, long gone, long files) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "cannot replace the rows that "
                + generation(appId, previousTxnVersion)
                + " appended to "
                + location
                + " (commit "
                + commit
                + "): "
                + gone
                + " of its "
                + files
                + " files were since rewritten or removed (OPTIMIZE, DELETE or another writer),"
                + " so its rows can no longer be removed exactly and appending again would"
                + " duplicate them. Nothing was written",
            "Cairn cannot do this safely; delete the rows that version "
                + commit
                + " added yourself, then write them with a new run (`cairn run` with a parameter"
                + " changed), or leave the table as it is"));
  }

  /**
   * A later chunk's rows do not have the columns the first chunk wrote.
   *
   * @param rows the rows' columns, lower-cased name to SQL type, sorted
   * @param table the table's columns, the same way
   */
  public static CairnException chunkColumnsDiffer(
      String location, Map<String, String> rows, Map<String, String> table) {
    return columnsDiffer(
        location,
        rows,
        table,
        "a chunked stage publishes all its chunks in one commit, so every chunk must have the"
            + " table's columns (or, for a new table, its first chunk's)",
        "make the stage's compute return the table's columns for every chunk, then resume the"
            + " run");
  }

  /**
   * A chunked stage's REPLACE_WHERE predicate names a column the table is not partitioned by, so
   * the commit publishing its chunks could not remove exactly the rows it replaces.
   */
  public static CairnException chunkedPredicateNotOnPartitions(
      String location, String predicate, String column, List<String> partitionColumns) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "cannot write the chunks of "
                + location
                + " with replaceWhere("
                + predicate
                + "): it names column '"
                + column
                + "', which the table is not partitioned by ("
                + (partitionColumns.isEmpty() ? "no partitions" : partitionColumns)
                + "); a chunked stage replaces whole partitions in the commit that publishes it."
                + " Nothing was written",
            "partition the output by the predicate's columns (Output.partitionedBy), or do not"
                + " chunk the stage"));
  }

  /** A chunked stage's output is partitioned otherwise than the table it writes to. */
  public static CairnException chunkPartitionsDiffer(
      String location, List<String> output, List<String> table) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "cannot write the chunks of "
                + location
                + ": the stage's output is partitioned by "
                + output
                + " but the table by "
                + table
                + ". Nothing was written",
            "declare the output with the table's partitioning (Output.partitionedBy), or drop the"
                + " table so that the stage creates it anew"));
  }

  /**
   * The commit publishing a chunked stage found no whole manifest for one of its chunks (deleted,
   * or written by a different stage generation).
   */
  public static CairnException stagedChunkMissing(String location, String appId, int index) {
    return cannotPublish(
        location,
        appId,
        "chunk "
            + index
            + " is recorded as staged but its manifest under "
            + location
            + "/_cairn/staged is missing or cut short",
        "writes the stage again from its first chunk");
  }

  /**
   * The table changed since a chunked stage's chunks were staged (columns, partitioning, column
   * mapping), so their files cannot be published into it.
   *
   * @param how what changed
   */
  public static CairnException tableChangedSinceStaging(String location, String appId, String how) {
    return cannotPublish(
        location,
        appId,
        "the table changed since they were staged ("
            + how
            + "), so the files they wrote would not be read as the table now is",
        "writes the stage again into the table as it is");
  }

  /**
   * A staged chunk's data file is gone (VACUUM deletes files no commit references once they are
   * older than the table's retention).
   */
  public static CairnException stagedFilesGone(
      String location, String appId, int index, String file) {
    return cannotPublish(
        location,
        appId,
        "chunk "
            + index
            + "'s staged file "
            + file
            + " is gone (VACUUM removes files no commit references once they are older than the"
            + " table's retention)",
        "writes the stage again; resume a chunked stage within the table's"
            + " deletedFileRetentionDuration (7 days by default)");
  }

  /**
   * A rerun of an append, which replaces the previous rows in place, has rows without the table's
   * columns.
   *
   * @param rows the rows' columns, lower-cased name to SQL type, sorted
   * @param table the table's columns, the same way
   */
  public static CairnException rerunAppendColumnsDiffer(
      String location, Map<String, String> rows, Map<String, String> table) {
    return columnsDiffer(
        location,
        rows,
        table,
        "a rerun of an append replaces the previous rows in place and needs the table's schema",
        "make the stage produce the table's columns, or rerun from a stage that overwrites the"
            + " table");
  }

  /**
   * A Delta write returned, but the table's log holds no commit with its transaction, nor a later
   * one. Unclassified.
   */
  public static CairnException writeLeftNoCommit(String location, String appId, long txnVersion) {
    return new CairnException(
        problemAndFix(
            "the write to "
                + location
                + " returned but its log holds no commit with transaction ("
                + appId
                + ", "
                + txnVersion
                + ")",
            "check that nothing else rewrites the table's _delta_log, then resume the run"));
  }

  /**
   * The table's transactions hold ({@code appId}, {@code txnVersion}) but its log lost the commit.
   * Unclassified, as it always was.
   *
   * @param what how the message names the commit, e.g. {@code " of chunk 3"}, or empty
   */
  public static CairnException commitCleanedFromLog(
      String location, String appId, long txnVersion, String what, String runId, String stage) {
    return new CairnException(
        "table "
            + location
            + " holds transaction ("
            + appId
            + ", "
            + txnVersion
            + ")"
            + what
            + " but its log no longer has the commit (log retention cleaned it)."
            + " Fix: `cairn rerun "
            + runId
            + " --from "
            + stage
            + "` to write the stage again");
  }

  /**
   * The message of the write fence's refusal (thrown as {@code WriteFence.FencedException}, which
   * the failure classifier maps to {@link FailureClass#LEASE_LOST}; not a {@link CairnException}
   * because Delta's log store code paths throw it).
   *
   * @param what what was to be published, e.g. {@code Delta commit <path>}
   * @param holder the driver whose lease could not be renewed in time
   */
  public static String fencedCommitRefused(String what, String holder) {
    return problemAndFix(
        "refusing to publish "
            + what
            + ": driver "
            + holder
            + " could not renew its lease in time (frozen, paused or cut off from the"
            + " checkpoint table), so another driver may have taken the run over. Nothing was"
            + " published",
        "check `cairn status`; `cairn resume` continues the run");
  }

  /**
   * The one shape of a refused publishing commit: nothing was published, and the rerun writes the
   * stage again.
   *
   * @param why what stands in the way
   * @param rerunDoes what the rerun does, following "`cairn rerun <run> --from <stage>` "
   */
  private static CairnException cannotPublish(
      String location, String appId, String why, String rerunDoes) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "cannot publish the chunks of "
                + appId
                + " to "
                + location
                + ": "
                + why
                + ". Nothing was published",
            "`cairn rerun <run> --from <stage>` " + rerunDoes));
  }

  private static CairnException columnsDiffer(
      String location,
      Map<String, String> rows,
      Map<String, String> table,
      String why,
      String fix) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "the rows to append to "
                + location
                + " have columns "
                + rows
                + " but the table has "
                + table
                + "; "
                + why,
            fix));
  }

  private static String generation(String appId, long txnVersion) {
    return "generation " + txnVersion + " of " + appId;
  }
}
