package dev.cairn.internal.delta;

import dev.cairn.Output;
import dev.cairn.internal.errors.TableErrors;
import io.delta.tables.DeltaTable;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Path-based Delta tables under one warehouse root, written idempotently with Delta txn ids. */
public final class DeltaTableStore implements TableStore {
  private static final Logger LOG = LogManager.getLogger(DeltaTableStore.class);
  // Session confs that make MERGE/UPDATE/DELETE carry a txn id (DataFrameWriter takes options).
  private static final String TXN_APP_ID_CONF = "spark.databricks.delta.write.txnAppId";
  private static final String TXN_VERSION_CONF = "spark.databricks.delta.write.txnVersion";

  private final Supplier<SparkSession> spark;
  private final String warehouse;
  private final DeltaTxnLog log;
  private final StagedChunks staged;
  private final DecidedWrite decided;

  /**
   * @param spark the session, asked for only when a table is read or written, so that a driver
   *     refused the lease never starts Spark
   */
  public DeltaTableStore(Supplier<SparkSession> spark, String warehouse) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.log = new DeltaTxnLog(spark);
    this.staged = new StagedChunks(spark);
    this.decided = new DecidedWrite(spark);
  }

  @Override
  public String location(String table) {
    return location(warehouse, table);
  }

  /** Where {@code table} lives under {@code warehouse} (a path or URI). */
  public static String location(String warehouse, String table) {
    return (warehouse.endsWith("/") ? warehouse : warehouse + "/") + table;
  }

  @Override
  public long currentVersion(String location) {
    return log.currentVersion(location);
  }

  @Override
  public long committedTxnVersion(String location, String appId) {
    return log.committedTxnVersion(location, appId);
  }

  @Override
  public Optional<Commit> findCommit(
      String location, String appId, long txnVersion, long fromVersion) {
    return log.findCommit(location, appId, txnVersion, fromVersion);
  }

  @Override
  public Commit write(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion,
      BeforeCommit beforeCommit) {
    long before = log.currentVersion(location);
    if (beforeCommit == BeforeCommit.NONE) {
      writeRows(rows, output, location, appId, txnVersion, before);
    } else if (decides(output, before, txnVersion)) {
      decided.write(rows, output, location, appId, txnVersion, beforeCommit);
    } else {
      throw new IllegalArgumentException(
          "a " + output + " to " + location + " commits as it writes: nothing can decide between");
    }
    return outcome(location, appId, txnVersion, before, baseVersion);
  }

  @Override
  public boolean decidesBeforeCommit(Output output, String location, long txnVersion) {
    return decides(
        output, output.mode() == Output.Mode.MERGE ? log.currentVersion(location) : 0, txnVersion);
  }

  private static boolean decides(Output output, long tableVersion, long txnVersion) {
    return switch (output.mode()) {
      case OVERWRITE, REPLACE_WHERE -> true;
      case APPEND -> txnVersion <= 1; // a rerun's generation replaces files in its own commit
      case MERGE -> tableVersion < 0; // into a new table, a MERGE is an append
    };
  }

  @Override
  public Commit mergeChunk(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long baseVersion) {
    if (output.mode() != Output.Mode.MERGE) {
      throw new IllegalArgumentException(
          "only MERGE chunks are committed one by one; " + output + " chunks are staged");
    }
    long before = log.currentVersion(location);
    merge(rows, output, location, appId, txnVersion, before);
    return outcome(location, appId, txnVersion, before, baseVersion);
  }

  @Override
  public Staged stageChunk(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      int index,
      BeforeCommit beforeCommit) {
    requireStaged(output);
    return staged.stage(rows, output, location, appId, index, beforeCommit);
  }

  @Override
  public Optional<Staged> stagedChunk(String location, String appId, int index) {
    return staged.find(location, appId, index);
  }

  @Override
  public Dataset<Row> stagedRows(String location, String appId, int chunks, String chunkColumn) {
    return staged.rows(location, appId, chunks, chunkColumn);
  }

  @Override
  public Commit publishChunks(
      Output output, String location, String appId, long txnVersion, int chunks, long baseVersion) {
    requireStaged(output);
    long before = staged.publish(output, location, appId, txnVersion, chunks);
    return outcome(location, appId, txnVersion, before, baseVersion);
  }

  private static void requireStaged(Output output) {
    if (output.mode() != Output.Mode.OVERWRITE && output.mode() != Output.Mode.REPLACE_WHERE) {
      throw new IllegalArgumentException(
          "only OVERWRITE and REPLACE_WHERE chunks are staged: " + output);
    }
  }

  private void writeRows(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long before) {
    switch (output.mode()) {
      case OVERWRITE ->
          writer(rows, output, appId, txnVersion).mode(SaveMode.Overwrite).save(location);
      case REPLACE_WHERE ->
          writer(rows, output, appId, txnVersion)
              .mode(SaveMode.Overwrite)
              .option("replaceWhere", output.replaceWherePredicate().orElseThrow())
              .save(location);
      case APPEND -> {
        long previous = log.committedTxnVersion(location, appId);
        if (previous > 0 && previous < txnVersion) {
          // A rerun's generation: replace what the previous generation appended, atomically.
          log.appendReplacingGeneration(rows, location, appId, txnVersion, previous);
        } else {
          writer(rows, output, appId, txnVersion).mode(SaveMode.Append).save(location);
        }
      }
      case MERGE -> merge(rows, output, location, appId, txnVersion, before);
    }
  }

  /** The commit a write made, or the earlier one Delta skipped it for; never a silent nothing. */
  private Commit outcome(
      String location, String appId, long txnVersion, long before, long baseVersion) {
    Optional<Commit> mine = log.findCommit(location, appId, txnVersion, before + 1);
    if (mine.isPresent()) {
      return mine.get();
    }
    // Delta skips a write whose (appId, version) it already holds; say so, never silently.
    if (log.committedTxnVersion(location, appId) >= txnVersion) {
      Commit earlier =
          log.findCommit(location, appId, txnVersion, Math.max(0, baseVersion))
              .or(() -> log.findCommit(location, appId, txnVersion, 0))
              .orElse(new Commit(log.currentVersion(location), -1, true));
      LOG.warn(
          "Delta skipped the write to {} as a duplicate: transaction ({}, {}) was already"
              + " committed at version {}",
          location,
          appId,
          txnVersion,
          earlier.version());
      return new Commit(earlier.version(), earlier.rowsWritten(), true);
    }
    throw TableErrors.writeLeftNoCommit(location, appId, txnVersion);
  }

  @Override
  public Dataset<Row> read(String location, long version) {
    return spark.get().read().format("delta").option("versionAsOf", version).load(location);
  }

  @Override
  public Optional<List<PartitionRows>> rowsByPartition(
      String location, long version, String column) {
    return log.rowsByPartition(location, version, column);
  }

  private static DataFrameWriter<Row> writer(
      Dataset<Row> rows, Output output, String appId, long txnVersion) {
    DataFrameWriter<Row> writer =
        rows.write().format("delta").option("txnAppId", appId).option("txnVersion", txnVersion);
    if (!output.partitionColumns().isEmpty()) {
      writer = writer.partitionBy(output.partitionColumns().toArray(String[]::new));
    }
    return writer;
  }

  private void merge(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      long before) {
    if (before < 0) {
      // MERGE into a table that does not exist yet inserts every row: an append is the same
      // commit, and it creates the table with the rows' schema and partitioning.
      writer(rows, output, appId, txnVersion).mode(SaveMode.Append).save(location);
      return;
    }
    String on =
        output.mergeKeys().stream()
            .map(k -> "t.`" + k + "` <=> s.`" + k + "`")
            .collect(Collectors.joining(" AND "));
    spark.get().conf().set(TXN_APP_ID_CONF, appId);
    spark.get().conf().set(TXN_VERSION_CONF, Long.toString(txnVersion));
    try {
      DeltaTable.forPath(spark.get(), location)
          .as("t")
          .merge(rows.as("s"), on)
          .whenMatched()
          .updateAll()
          .whenNotMatched()
          .insertAll()
          .execute();
    } finally {
      spark.get().conf().unset(TXN_APP_ID_CONF);
      spark.get().conf().unset(TXN_VERSION_CONF);
    }
  }
}
