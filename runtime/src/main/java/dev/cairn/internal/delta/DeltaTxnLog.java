package dev.cairn.internal.delta;

import dev.cairn.CairnException;
import dev.cairn.internal.errors.TableErrors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.VersionChecksum;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The only place Cairn touches Delta's internal API ({@link DeltaLog}, {@link
 * OptimisticTransaction}): which transaction versions a table has committed per app id, which
 * commit holds a given one, and the one commit that replaces a previous generation's appended
 * files. Delta has no public API for these; keeping them here means one class to fix when Delta
 * changes.
 */
final class DeltaTxnLog {
  private final Supplier<SparkSession> spark;

  DeltaTxnLog(Supplier<SparkSession> spark) {
    this.spark = spark;
  }

  long currentVersion(String location) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    if (!log.tableExists()) {
      return -1;
    }
    return fresh(log).version();
  }

  long committedTxnVersion(String location, String appId) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    if (!log.tableExists()) {
      return -1;
    }
    Snapshot snapshot = fresh(log);
    Optional<Long> known = fromChecksum(snapshot, appId);
    if (known.isPresent()) {
      return known.get();
    }
    Option<Object> version = snapshot.transactions().get(appId); // reconstructs the state
    return version.isDefined() ? (Long) version.get() : -1;
  }

  /**
   * The version of {@code appId} in {@code snapshot}'s version checksum ({@code N.crc}; -1 when it
   * holds none), or empty when the snapshot has no checksum listing its transactions. Reading it
   * avoids reconstructing the table's state, which in a fresh driver (a resume) costs seconds of
   * Spark jobs.
   */
  private static Optional<Long> fromChecksum(Snapshot snapshot, String appId) {
    // Not Snapshot.setTransactionsIfKnown: in Delta 4.0 that reconstructs the state too.
    Option<VersionChecksum> checksum = snapshot.checksumOpt();
    if (checksum.isEmpty() || checksum.get().setTransactions().isEmpty()) {
      return Optional.empty();
    }
    Option<scala.collection.immutable.Seq<SetTransaction>> known = checksum.get().setTransactions();
    for (SetTransaction t : CollectionConverters.asJava(known.get())) {
      if (t.appId().equals(appId)) {
        return Optional.of(t.version());
      }
    }
    return Optional.of(-1L);
  }

  Optional<TableStore.Commit> findCommit(
      String location, String appId, long txnVersion, long fromVersion) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    if (!log.tableExists()) {
      return Optional.empty();
    }
    scala.collection.Iterator<Tuple2<Object, scala.collection.immutable.Seq<Action>>> changes =
        log.getChanges(Math.max(0, fromVersion), false);
    while (changes.hasNext()) {
      Tuple2<Object, scala.collection.immutable.Seq<Action>> change = changes.next();
      long rows = -1;
      boolean holdsTxn = false;
      for (Action action : CollectionConverters.asJava(change._2())) {
        if (action instanceof SetTransaction txn
            && txn.appId().equals(appId)
            && txn.version() == txnVersion) {
          holdsTxn = true;
        } else if (action instanceof CommitInfo info) {
          rows = rowsWritten(info);
        }
      }
      if (holdsTxn) {
        return Optional.of(new TableStore.Commit((Long) change._1(), rows, false));
      }
    }
    return Optional.empty();
  }

  /**
   * Writes {@code rows}' files and commits them, after {@code actions}, with the transaction {@code
   * (appId, txnVersion)}, as an append of the snapshot's partitioning.
   */
  private static void commitAppend(
      OptimisticTransaction txn,
      List<Action> actions,
      Dataset<Row> rows,
      String appId,
      long txnVersion,
      Option<String> userMetadata) {
    List<Action> all = new ArrayList<>(actions);
    all.addAll(CollectionConverters.asJava(txn.writeFiles(rows)));
    all.add(new SetTransaction(appId, txnVersion, Option.apply(System.currentTimeMillis())));
    txn.commit(
        CollectionConverters.asScala(all).toSeq(),
        new DeltaOperations.Write(
            SaveMode.Append,
            Option.apply(txn.snapshot().metadata().partitionColumns()),
            Option.empty(),
            userMetadata));
  }

  /**
   * Appends {@code rows} as generation {@code txnVersion} of {@code appId}, removing in the same
   * Delta commit the files that the previous generation's commit (the one holding {@code (appId,
   * previousTxnVersion)}) added: a rerun of an APPEND replaces what the previous generation
   * appended instead of adding to it. Does nothing when the table already holds {@code txnVersion}
   * (the caller reports the duplicate). Delta's conflict checks apply: a concurrent commit removing
   * one of those files makes this one fail.
   *
   * @throws CairnException when the previous generation's commit is no longer in the log, or its
   *     files were since rewritten (e.g. by OPTIMIZE), or the rows do not have the table's schema
   */
  void appendReplacingGeneration(
      Dataset<Row> rows, String location, String appId, long txnVersion, long previousTxnVersion) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    OptimisticTransaction txn = log.startTransaction();
    // Reading the app's txn version registers it, so a concurrent writer of the same app conflicts.
    if (txn.txnVersion(appId) >= txnVersion) {
      return;
    }
    Snapshot snapshot = txn.snapshot();
    long previousCommit = -1;
    List<AddFile> previousFiles = new ArrayList<>();
    // Backwards from the newest commit: a rerun usually follows its previous generation closely.
    for (long v = snapshot.version(); v >= 0 && previousCommit < 0; v--) {
      scala.collection.Iterator<Tuple2<Object, scala.collection.immutable.Seq<Action>>> changes =
          log.getChanges(v, v, false);
      if (!changes.hasNext()) {
        break; // older commits were cleaned from the log
      }
      List<Action> actions = CollectionConverters.asJava(changes.next()._2());
      boolean holdsPrevious =
          actions.stream()
              .anyMatch(
                  a ->
                      a instanceof SetTransaction t
                          && t.appId().equals(appId)
                          && t.version() == previousTxnVersion);
      if (holdsPrevious) {
        previousCommit = v;
        actions.stream()
            .filter(a -> a instanceof AddFile add && add.dataChange())
            .forEach(a -> previousFiles.add((AddFile) a));
      }
    }
    String previous = "generation " + previousTxnVersion + " of " + appId;
    if (previousCommit < 0) {
      throw TableErrors.appendedCommitLeftTheLog(location, appId, previousTxnVersion);
    }
    Set<String> paths = new HashSet<>();
    previousFiles.forEach(f -> paths.add(f.path()));
    if (!paths.isEmpty()) {
      long live =
          snapshot
              .allFiles()
              .select("path")
              .where(functions.col("path").isin(paths.toArray()))
              .count();
      if (live != paths.size()) {
        throw TableErrors.appendedFilesRewritten(
            location, appId, previousTxnVersion, previousCommit, paths.size() - live, paths.size());
      }
    }
    Map<String, String> columns = columns(rows.schema());
    Map<String, String> tableColumns = columns(snapshot.schema());
    if (!columns.equals(tableColumns)) {
      throw TableErrors.rerunAppendColumnsDiffer(location, columns, tableColumns);
    }
    long now = System.currentTimeMillis();
    commitAppend(
        txn,
        previousFiles.stream().map(f -> (Action) f.removeWithTimestamp(now, true)).toList(),
        rows,
        appId,
        txnVersion,
        Option.apply(
            "cairn: generation "
                + txnVersion
                + " of "
                + appId
                + " replaces the rows "
                + previous
                + " appended in version "
                + previousCommit));
  }

  /** A schema's columns, lower-cased name to SQL type, sorted by name: what an append compares. */
  /** See {@link TableStore#rowsByPartition}. */
  Optional<List<TableStore.PartitionRows>> rowsByPartition(
      String location, long version, String column) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    // The snapshot the stage's input is read at: Delta returns its cached one when it is current.
    Snapshot snapshot = log.getSnapshotAt(version, Option.empty(), Option.empty());
    Metadata metadata = snapshot.metadata();
    Option<String> mapping = metadata.configuration().get("delta.columnMapping.mode");
    Optional<String> partition =
        CollectionConverters.asJava(metadata.partitionColumns()).stream()
            .filter(c -> c.equalsIgnoreCase(column))
            .findFirst();
    if (partition.isEmpty() || (mapping.isDefined() && !mapping.get().equalsIgnoreCase("none"))) {
      return Optional.empty(); // under column mapping the log keys partitions by physical names
    }
    DataType type = metadata.schema().apply(partition.get()).dataType();
    Comparator<String> order;
    if (type instanceof StringType || type instanceof DateType) {
      order = Comparator.naturalOrder(); // dates as yyyy-MM-dd: their text order is their order
    } else if (type instanceof ByteType
        || type instanceof ShortType
        || type instanceof IntegerType
        || type instanceof LongType) {
      order = Comparator.comparing(Long::valueOf);
    } else {
      return Optional.empty(); // a value whose log form is not Spark's string form: count rows
    }
    // The files are collected (one state reconstruction, which the stage's read of the same
    // snapshot then reuses), not aggregated by another Spark job.
    Map<String, Long> rows = new TreeMap<>(order);
    for (AddFile file : snapshot.allFiles().collectAsList()) {
      Option<String> value = file.partitionValues().get(partition.get());
      Option<Object> records = file.numLogicalRecords();
      if (records.isEmpty()) {
        return Optional.empty();
      }
      if (value.isDefined() && value.get() != null) {
        rows.merge(value.get(), (Long) records.get(), Long::sum);
      }
    }
    return Optional.of(
        rows.entrySet().stream()
            .map(e -> new TableStore.PartitionRows(e.getKey(), e.getValue()))
            .toList());
  }

  static Map<String, String> columns(StructType schema) {
    Map<String, String> columns = new TreeMap<>();
    for (StructField f : schema.fields()) {
      columns.put(f.name().toLowerCase(Locale.ROOT), f.dataType().sql());
    }
    return columns;
  }

  private static Snapshot fresh(DeltaLog log) {
    return log.update(false, Option.empty(), Option.empty());
  }

  /** Rows a commit wrote: inserted plus updated for a MERGE, output rows for other writes. */
  private static long rowsWritten(CommitInfo info) {
    if (info.operationMetrics().isEmpty()) {
      return -1;
    }
    Map<String, String> metrics = CollectionConverters.asJava(info.operationMetrics().get());
    if ("MERGE".equals(info.operation())) {
      return metric(metrics, "numTargetRowsInserted") + metric(metrics, "numTargetRowsUpdated");
    }
    return metrics.containsKey("numOutputRows") ? metric(metrics, "numOutputRows") : -1;
  }

  private static long metric(Map<String, String> metrics, String name) {
    String value = metrics.get(name);
    return value == null ? 0 : Long.parseLong(value);
  }
}
