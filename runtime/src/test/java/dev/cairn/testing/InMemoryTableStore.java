package dev.cairn.testing;

import dev.cairn.Output;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.errors.TableErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A {@link TableStore} in memory: each table is a log of commits, each carrying at most one Delta
 * transaction ({@code appId}, {@code version}), the rows written (any {@link Dataset}, {@code null}
 * in tests that do not start Spark) and a row count.
 *
 * <p>It honours Delta's idempotency rule: a write whose {@code appId} already has a transaction
 * version at or above the one asked for commits nothing and returns the earlier commit with {@code
 * skippedDuplicate = true}. Staged chunks are kept apart from the log until published. A write at a
 * higher version of an app that already committed (a rerun's generation) commits as usual; in
 * APPEND mode it records which earlier commit it replaces ({@link LoggedCommit#replaces()}), as
 * Delta's commit removes that commit's files.
 *
 * <p>For assertions it records every write call ({@link #writes(String)}, {@link
 * #writesFor(String)}) and every read ({@link #reads()}); {@link #failNextWrite(RuntimeException)}
 * injects a failed write. Thread-safe: every method is synchronized.
 */
public final class InMemoryTableStore implements TableStore {

  /** A Delta transaction: app id and version. */
  public record Txn(String appId, long version) {}

  /**
   * One commit in a table's log.
   *
   * @param txn the transaction it carries, empty for a write made outside Cairn
   * @param rows what was written ({@code null} when the test does not build datasets)
   * @param replaces the version of the previous generation's APPEND commit whose rows this one
   *     replaces, or -1
   */
  public record LoggedCommit(
      long version, Optional<Txn> txn, Dataset<Row> rows, long rowsWritten, long replaces) {}

  /**
   * One call to {@link #write}.
   *
   * @param outcome what the write returned, empty when it threw
   */
  public record WriteCall(
      String location,
      String appId,
      long txnVersion,
      long baseVersion,
      Output output,
      Optional<Commit> outcome) {}

  /** One call to {@link #read}. */
  public record Read(String location, long version) {}

  private final String warehouse;
  private final Map<String, List<LoggedCommit>> logs = new HashMap<>();
  private final Map<String, Long> rowsPerWrite = new HashMap<>();
  private final Map<String, Map<Integer, Staged>> staged = new HashMap<>();
  private final Map<String, Map<Integer, Dataset<Row>>> stagedRows = new HashMap<>();
  private final List<WriteCall> writeCalls = new ArrayList<>();
  private final List<Read> reads = new ArrayList<>();
  private RuntimeException nextWriteFailure;

  /** Tables under {@code warehouse}, e.g. {@code memory://warehouse}. */
  public InMemoryTableStore(String warehouse) {
    this.warehouse = warehouse.endsWith("/") ? warehouse : warehouse + "/";
  }

  /** The next write throws {@code failure} and commits nothing. */
  public synchronized void failNextWrite(RuntimeException failure) {
    nextWriteFailure = failure;
  }

  /** Each later write to {@code location} reports {@code rows} rows written (default 1). */
  public synchronized void rowsPerWrite(String location, long rows) {
    rowsPerWrite.put(location, rows);
  }

  /** Commits to {@code location} as a writer outside Cairn would: no transaction. */
  public synchronized long appendExternally(String location) {
    return append(location, Optional.empty(), null, -1).version();
  }

  /** The table's log, oldest first; empty when the table does not exist. */
  public synchronized List<LoggedCommit> commits(String location) {
    return List.copyOf(logs.getOrDefault(location, List.of()));
  }

  /** Commits in {@code location} carrying a transaction of {@code appId}. */
  public synchronized List<LoggedCommit> commitsOf(String location, String appId) {
    return logs.getOrDefault(location, List.of()).stream()
        .filter(c -> c.txn().map(t -> t.appId().equals(appId)).orElse(false))
        .toList();
  }

  /** How many times {@link #write} was called for {@code location}, skipped or failed included. */
  public synchronized int writes(String location) {
    return (int) writeCalls.stream().filter(w -> w.location().equals(location)).count();
  }

  /** The write calls made with {@code appId} (one stage's writes), in order. */
  public synchronized List<WriteCall> writesFor(String appId) {
    return writeCalls.stream().filter(w -> w.appId().equals(appId)).toList();
  }

  /** Every read, in order. */
  public synchronized List<Read> reads() {
    return List.copyOf(reads);
  }

  @Override
  public synchronized String location(String table) {
    return warehouse + table;
  }

  @Override
  public synchronized long currentVersion(String location) {
    return logs.getOrDefault(location, List.of()).size() - 1L;
  }

  @Override
  public synchronized long committedTxnVersion(String location, String appId) {
    return commitsOf(location, appId).stream()
        .mapToLong(c -> c.txn().orElseThrow().version())
        .max()
        .orElse(-1);
  }

  @Override
  public synchronized Optional<Commit> findCommit(
      String location, String appId, long txnVersion, long fromVersion) {
    return commitsOf(location, appId).stream()
        .filter(c -> c.version() >= fromVersion && c.txn().orElseThrow().version() == txnVersion)
        .findFirst()
        .map(c -> new Commit(c.version(), c.rowsWritten(), false));
  }

  @Override
  public synchronized Commit write(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion,
      BeforeCommit beforeCommit) {
    if (beforeCommit != BeforeCommit.NONE
        && committedTxnVersion(location, appId) < txnVersion
        && nextWriteFailure == null) {
      if (!decidesBeforeCommit(output, location, txnVersion)) {
        throw new IllegalArgumentException("a " + output + " commits as it writes");
      }
      beforeCommit.decide(written(rows));
    }
    if (nextWriteFailure != null) {
      RuntimeException failure = nextWriteFailure;
      nextWriteFailure = null;
      writeCalls.add(
          new WriteCall(location, appId, txnVersion, baseVersion, output, Optional.empty()));
      throw failure;
    }
    Commit outcome;
    if (committedTxnVersion(location, appId) >= txnVersion) {
      // Delta's rule: the txn (or a later one of this app) is committed, so write nothing.
      List<LoggedCommit> ofApp = commitsOf(location, appId);
      LoggedCommit earlier =
          ofApp.stream()
              .filter(c -> c.txn().orElseThrow().version() == txnVersion)
              .findFirst()
              .orElse(ofApp.get(ofApp.size() - 1));
      outcome = new Commit(earlier.version(), earlier.rowsWritten(), true);
    } else {
      long previous = committedTxnVersion(location, appId);
      long replaces =
          output.mode() == Output.Mode.APPEND && previous > 0
              ? commitsOf(location, appId).stream()
                  .filter(c -> c.txn().orElseThrow().version() == previous)
                  .findFirst()
                  .orElseThrow()
                  .version()
              : -1;
      LoggedCommit commit =
          append(location, Optional.of(new Txn(appId, txnVersion)), rows, replaces);
      outcome = new Commit(commit.version(), commit.rowsWritten(), false);
    }
    writeCalls.add(
        new WriteCall(location, appId, txnVersion, baseVersion, output, Optional.of(outcome)));
    return outcome;
  }

  /** A MERGE chunk's write: committed (or skipped as a duplicate) like {@link #write}. */
  @Override
  public synchronized Commit mergeChunk(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion) {
    if (output.mode() != Output.Mode.MERGE) {
      throw new IllegalArgumentException("only MERGE chunks are committed one by one: " + output);
    }
    return write(rows, output, location, appId, txnVersion, baseVersion);
  }

  /**
   * Stages a chunk: nothing in the table's log; reports {@link #rowsPerWrite} rows. Recorded as a
   * write call with {@code txnVersion} {@code index + 1} and no table version ({@code -1}).
   */
  @Override
  public synchronized Staged stageChunk(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      int index,
      BeforeCommit beforeCommit) {
    if (output.mode() == Output.Mode.MERGE || output.mode() == Output.Mode.APPEND) {
      throw new IllegalArgumentException("only OVERWRITE and REPLACE_WHERE chunks are staged");
    }
    if (beforeCommit != BeforeCommit.NONE && nextWriteFailure == null) {
      beforeCommit.decide(written(rows));
    }
    if (nextWriteFailure != null) {
      RuntimeException failure = nextWriteFailure;
      nextWriteFailure = null;
      writeCalls.add(new WriteCall(location, appId, index + 1L, -1, output, Optional.empty()));
      throw failure;
    }
    Staged chunk = new Staged(index, rowsPerWrite.getOrDefault(location, 1L), 1, 0);
    staged.computeIfAbsent(location + "|" + appId, k -> new HashMap<>()).put(index, chunk);
    if (rows != null) {
      stagedRows.computeIfAbsent(location + "|" + appId, k -> new HashMap<>()).put(index, rows);
    }
    writeCalls.add(
        new WriteCall(
            location,
            appId,
            index + 1L,
            -1,
            output,
            Optional.of(new Commit(-1, chunk.rows(), false))));
    return chunk;
  }

  @Override
  public synchronized boolean decidesBeforeCommit(Output output, String location, long txnVersion) {
    return switch (output.mode()) {
      case OVERWRITE, REPLACE_WHERE -> true;
      case APPEND -> txnVersion <= 1;
      case MERGE -> currentVersion(location) < 0;
    };
  }

  /**
   * The rows as a write would leave them: a Spark job over them stands for the write job (it
   * completes the metrics observed on them), and the same rows are what was "written".
   */
  private static Dataset<Row> written(Dataset<Row> rows) {
    if (rows != null) {
      rows.count();
    }
    return rows;
  }

  /**
   * The rows each chunk was staged with, tagged with its index; {@code null} (no Spark) when they
   * were staged without rows. Refuses when a chunk was not staged.
   */
  @Override
  public synchronized Dataset<Row> stagedRows(
      String location, String appId, int chunks, String chunkColumn) {
    Dataset<Row> all = null;
    for (int i = 0; i < chunks; i++) {
      if (stagedChunk(location, appId, i).isEmpty()) {
        throw TableErrors.stagedChunkMissing(location, appId, i);
      }
      Dataset<Row> rows = stagedRows.getOrDefault(location + "|" + appId, Map.of()).get(i);
      if (rows == null) {
        return null;
      }
      Dataset<Row> chunk = rows.withColumn(chunkColumn, org.apache.spark.sql.functions.lit(i));
      all = all == null ? chunk : all.unionByName(chunk);
    }
    return all;
  }

  @Override
  public synchronized Optional<Staged> stagedChunk(String location, String appId, int index) {
    return Optional.ofNullable(staged.getOrDefault(location + "|" + appId, Map.of()).get(index));
  }

  /**
   * Publishes the staged chunks in one commit carrying {@code (appId, txnVersion)}, with their rows
   * summed, or skips it as {@link #write} does; refuses when a chunk was not staged.
   */
  @Override
  public synchronized Commit publishChunks(
      Output output, String location, String appId, long txnVersion, int chunks, long baseVersion) {
    long total = 0;
    for (int i = 0; i < chunks; i++) {
      Staged chunk = stagedChunk(location, appId, i).orElse(null);
      if (chunk == null && committedTxnVersion(location, appId) < txnVersion) {
        throw TableErrors.stagedChunkMissing(location, appId, i);
      }
      total += chunk == null ? 0 : chunk.rows();
    }
    long perWrite = rowsPerWrite.getOrDefault(location, 1L);
    rowsPerWrite.put(location, total);
    try {
      return write(null, output, location, appId, txnVersion, baseVersion);
    } finally {
      rowsPerWrite.put(location, perWrite);
    }
  }

  /**
   * Records the read and returns {@code null} (no Spark). Like Delta's time travel, refuses a
   * version the table does not have.
   */
  @Override
  public synchronized Dataset<Row> read(String location, long version) {
    reads.add(new Read(location, version));
    long current = currentVersion(location);
    if (version < 0 || version > current) {
      throw new IllegalArgumentException(
          "Cannot time travel Delta table "
              + location
              + " to version "
              + version
              + ". Available versions: [0, "
              + current
              + "]");
    }
    return logs.get(location).get((int) version).rows();
  }

  /** Never known: callers count rows themselves, as they do when Delta's statistics lack them. */
  @Override
  public Optional<List<PartitionRows>> rowsByPartition(
      String location, long version, String column) {
    return Optional.empty();
  }

  private LoggedCommit append(
      String location, Optional<Txn> txn, Dataset<Row> rows, long replaces) {
    List<LoggedCommit> log = logs.computeIfAbsent(location, l -> new ArrayList<>());
    LoggedCommit commit =
        new LoggedCommit(log.size(), txn, rows, rowsPerWrite.getOrDefault(location, 1L), replaces);
    log.add(commit);
    return commit;
  }
}
