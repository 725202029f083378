package dev.cairn.internal.delta;

import dev.cairn.Output;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.DeltaOptions;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.SnapshotDescriptor;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.Protocol;
import org.apache.spark.sql.delta.commands.WriteIntoDelta;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A write through Delta's own {@link WriteIntoDelta} command (what {@code
 * df.write.format("delta").save(path)} runs), split in two where the DataFrameWriter does not let
 * us: the command writes the data files and returns its actions, the caller's {@link
 * TableStore.BeforeCommit} decides on the rows as written, and only then is the transaction
 * committed. Overwrite, {@code replaceWhere} and append keep Delta's own semantics (schema checks,
 * partitioning, constraints, the txn id and its duplicate skip), because they are Delta's code.
 *
 * <p>The command's {@code write} and the transaction's {@code commit} are Delta internals with no
 * public equivalent (Delta has no API to write files and commit them later); like {@link
 * DeltaTxnLog}, this is the one place to fix when Delta changes them.
 */
final class DecidedWrite {
  private static final Logger LOG = LogManager.getLogger(DecidedWrite.class);

  private final Supplier<SparkSession> spark;

  DecidedWrite(Supplier<SparkSession> spark) {
    this.spark = spark;
  }

  /**
   * Writes {@code rows} as {@code output} says, asks {@code beforeCommit}, and commits with the
   * transaction ({@code appId}, {@code txnVersion}); writes nothing when the table holds that
   * transaction already (or a later version of it). A MERGE output is written as an append: the
   * caller uses this for a MERGE only into a table that does not exist yet.
   */
  void write(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      long txnVersion,
      TableStore.BeforeCommit beforeCommit) {
    SparkSession session = spark.get();
    DeltaLog log = DeltaLog.forTable(session, location);
    Map<String, String> options = new HashMap<>();
    // The writer options Delta documents: what the DataFrameWriter path passes too.
    options.put("txnAppId", appId);
    options.put("txnVersion", Long.toString(txnVersion));
    output.replaceWherePredicate().ifPresent(p -> options.put("replaceWhere", p));
    DeltaOptions deltaOptions =
        new DeltaOptions(
            CollectionConverters.asScala(options).toMap(scala.$less$colon$less$.MODULE$.refl()),
            session.sessionState().conf());
    SaveMode mode =
        output.mode() == Output.Mode.OVERWRITE || output.mode() == Output.Mode.REPLACE_WHERE
            ? SaveMode.Overwrite
            : SaveMode.Append;
    scala.collection.immutable.Seq<String> partitionColumns =
        CollectionConverters.asScala(output.partitionColumns()).toSeq();
    WriteIntoDelta command =
        new WriteIntoDelta(
            log,
            mode,
            deltaOptions,
            partitionColumns,
            CollectionConverters.asScala(Map.<String, String>of())
                .toMap(scala.$less$colon$less$.MODULE$.refl()),
            rows,
            Option.empty(),
            Option.empty());
    OptimisticTransaction txn = log.startTransaction();
    if (command.hasBeenExecuted(txn, session, Option.apply(deltaOptions))) {
      return; // Delta's duplicate skip, as the DataFrameWriter makes it
    }
    scala.collection.immutable.Seq<Action> actions =
        command.write(txn, session, Option.empty(), false);
    List<AddFile> added = new ArrayList<>();
    for (Action action : CollectionConverters.asJava(actions)) {
      if (action instanceof AddFile add && add.dataChange()) {
        added.add(add);
      }
    }
    try {
      beforeCommit.decide(writtenRows(txn, added));
    } catch (RuntimeException refused) {
      delete(log, location, added);
      throw refused;
    }
    txn.commitIfNeeded(
        actions,
        new DeltaOperations.Write(
            mode,
            Option.apply(txn.metadata().partitionColumns()),
            Option.apply(output.replaceWherePredicate().orElse(null)),
            Option.empty()),
        CollectionConverters.asScala(Map.<String, String>of())
            .toMap(scala.$less$colon$less$.MODULE$.refl()));
  }

  /**
   * The rows of {@code files}, written under {@code metadata} and not committed, read lazily as
   * Delta reads a table's files (its own file index over exactly these files: partition values from
   * each file's action, column mapping applied), so a check sees the rows as a reader of the commit
   * would.
   */
  static Dataset<Row> writtenRows(OptimisticTransaction txn, List<AddFile> files) {
    DeltaLog log = txn.deltaLog();
    Metadata metadata = txn.metadata();
    Protocol protocol = txn.protocol();
    long version = txn.snapshot().version();
    SnapshotDescriptor written =
        new SnapshotDescriptor() {
          @Override
          public DeltaLog deltaLog() {
            return log;
          }

          @Override
          public long version() {
            return version;
          }

          @Override
          public Metadata metadata() {
            return metadata;
          }

          @Override
          public Protocol protocol() {
            return protocol;
          }

          @Override
          public Option<Object> numOfFilesIfKnown() {
            return Option.apply((Object) (long) files.size());
          }

          @Override
          public Option<Object> sizeInBytesIfKnown() {
            return Option.empty();
          }
        };
    return log.createDataFrame(
        written, CollectionConverters.asScala(files).toSeq(), false, Option.empty());
  }

  /** Files no commit will reference: deleted now rather than left for VACUUM. */
  static void delete(DeltaLog log, String location, List<AddFile> files) {
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(log.newDeltaHadoopConf());
      for (AddFile f : files) {
        fs.delete(f.absolutePath(log), false);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not delete the uncommitted files written to {}; VACUUM will", location, e);
    }
  }
}
