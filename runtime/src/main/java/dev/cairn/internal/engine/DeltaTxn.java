package dev.cairn.internal.engine;

import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.errors.TableErrors;
import dev.cairn.internal.store.StageRecord;

/**
 * The Delta transaction ids a stage writes with, and the commit that holds one. A stage's commit
 * carries {@code (cairn:<runId>:<stage>, txnVersion)}; a chunked stage's chunk {@code i} carries
 * {@code (cairn:<runId>:<stage>#g<generation>, i + 1)}. Delta skips a write whose (app id, version)
 * the table already holds, which is what makes a stage's write idempotent.
 */
final class DeltaTxn {
  private DeltaTxn() {}

  static String appId(String runId, String stage) {
    return "cairn:" + runId + ":" + stage;
  }

  /**
   * The Delta app id of a chunked stage's chunks in one generation: chunk {@code i} writes version
   * {@code i + 1}, so each rerun's generation needs its own id.
   */
  static String chunkAppId(String runId, String stage, long generation) {
    return appId(runId, stage) + "#g" + generation;
  }

  /** The stage's transaction version (and a chunked stage's generation): 1 until a rerun. */
  static long txnVersion(StageRecord record) {
    return record.generation();
  }

  /**
   * The commit holding ({@code appId}, {@code txnVersion}), which the table's transactions say it
   * has, searched from {@code from} and then from the start of the log.
   *
   * @param what how the error names the commit, e.g. {@code " of chunk 3"}, or empty
   * @throws dev.cairn.CairnException the log no longer has the commit (retention cleaned it)
   */
  static TableStore.Commit loggedCommit(
      TableStore tables,
      String location,
      String appId,
      long txnVersion,
      long from,
      String what,
      String runId,
      String stage) {
    return tables
        .findCommit(location, appId, txnVersion, from)
        .or(() -> tables.findCommit(location, appId, txnVersion, 0))
        .orElseThrow(
            () ->
                TableErrors.commitCleanedFromLog(location, appId, txnVersion, what, runId, stage));
  }
}
