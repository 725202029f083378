package dev.cairn.internal.delta;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.SetTransaction;
import scala.Option;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The only place Cairn touches Delta's internal API ({@link DeltaLog}): which transaction versions
 * a table has committed per app id, and which commit holds a given one. Delta has no public API for
 * either; keeping it here means one class to fix when Delta changes.
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
    Option<Object> version = fresh(log).transactions().get(appId);
    return version.isDefined() ? (Long) version.get() : -1;
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
