package dev.cairn.internal.delta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.Output;
import dev.cairn.internal.errors.TableErrors;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.FileAction;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.delta.constraints.Constraint;
import org.apache.spark.sql.delta.constraints.Constraints;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A chunked stage's chunks written as Delta data files that no commit references yet ("staged"),
 * and the one commit that publishes them all. Readers of the table see what it held before the
 * stage until that commit, and then the whole stage: never a table truncated by a first chunk, nor
 * a failed stage's part. The publishing commit replaces the table (OVERWRITE) or the partitions
 * matching the output's predicate (REPLACE_WHERE) as they are at that commit, so whatever other
 * writers committed between two chunks is replaced exactly as a plain Spark overwrite after them
 * would replace it: no row of theirs is doubled and none of the stage's is lost.
 *
 * <p>Each staged chunk is recorded in a manifest, {@code
 * <table>/_cairn/staged/<app>/chunk-<i>.json}: a header (rows, files, schema, when staged), Delta's
 * own JSON of each {@link AddFile}, and an end line; a manifest without its end line (a driver
 * killed while writing it) counts as absent. Delta has no API for files written in one transaction
 * and committed by another, so this uses its internal {@link OptimisticTransaction}; like {@link
 * DeltaTxnLog} it is the one place to fix when Delta changes. VACUUM deletes files no commit
 * references once they are older than the table's retention (7 days by default): a stage whose
 * chunks were staged more than a day before its publishing commit has its files checked first.
 */
final class StagedChunks {
  private static final Logger LOG = LogManager.getLogger(StagedChunks.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STAGING = "_cairn/staged";
  private static final Duration CHECK_FILES_AFTER = Duration.ofDays(1);
  private static final String COLUMN_MAPPING_MODE = "delta.columnMapping.mode";

  private final Supplier<SparkSession> spark;

  StagedChunks(Supplier<SparkSession> spark) {
    this.spark = spark;
  }

  /**
   * Writes chunk {@code index}'s rows as data files of the table at {@code location} and records
   * them in the chunk's manifest, replacing any earlier one. Commits nothing.
   *
   * @throws dev.cairn.CairnException when the rows do not have the table's columns, or a
   *     REPLACE_WHERE predicate names a column the table is not partitioned by
   */
  TableStore.Staged stage(
      Dataset<Row> rows,
      Output output,
      String location,
      String appId,
      int index,
      TableStore.BeforeCommit beforeCommit) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    OptimisticTransaction txn = log.startTransaction();
    Snapshot snapshot = txn.snapshot();
    StructType schema = rows.schema().asNullable();
    if (snapshot.version() < 0) {
      txn.updateMetadataForNewTable(newTable(schema, output.partitionColumns()));
    } else {
      requireColumns(location, schema, snapshot.schema());
      List<String> tablePartitions = partitionColumns(txn);
      if (!output.partitionColumns().isEmpty()
          && !lowerCase(output.partitionColumns()).equals(lowerCase(tablePartitions))) {
        // What a Delta overwrite with another partitionBy refuses too.
        throw TableErrors.chunkPartitionsDiffer(
            location, output.partitionColumns(), tablePartitions);
      }
    }
    List<Constraint> constraints = new ArrayList<>();
    if (output.mode() == Output.Mode.REPLACE_WHERE) {
      String predicate = output.replaceWherePredicate().orElseThrow();
      requirePartitionPredicate(location, predicate, partitionColumns(txn));
      // What Delta checks for replaceWhere: every row written matches the predicate.
      constraints.add(new Constraints.Check("replaceWhere(" + predicate + ")", parse(predicate)));
    }
    List<AddFile> files = new ArrayList<>();
    for (FileAction action :
        CollectionConverters.asJava(
            txn.writeFiles(
                rows, Option.empty(), CollectionConverters.asScala(constraints).toSeq()))) {
      if (action instanceof AddFile add) {
        files.add(add);
      }
    }
    if (beforeCommit != TableStore.BeforeCommit.NONE) {
      try {
        beforeCommit.decide(DecidedWrite.writtenRows(txn, files));
      } catch (RuntimeException refused) {
        DecidedWrite.delete(log, location, files);
        throw refused;
      }
    }
    long count = 0;
    for (AddFile add : files) {
      Option<Object> n = add.numLogicalRecords();
      count = n.isDefined() && count >= 0 ? count + (Long) n.get() : -1;
    }
    TableStore.Staged staged =
        new TableStore.Staged(index, count, files.size(), System.currentTimeMillis());
    writeManifest(
        log, manifest(location, appId, index), appId, staged, schema, txn.metadata(), files);
    return staged;
  }

  /** Chunk {@code index}'s staged files, when its manifest is there and whole. */
  Optional<TableStore.Staged> find(String location, String appId, int index) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    return read(log, manifest(location, appId, index), appId).map(Manifest::staged);
  }

  /**
   * Publishes chunks {@code 0..chunks-1} in one commit carrying {@code (appId, txnVersion)},
   * removing what the output replaces; does nothing when the table already holds that version of
   * {@code appId} or a higher one.
   *
   * @return the table version the commit started from
   * @throws dev.cairn.CairnException when a chunk's manifest is missing, its files are gone, or the
   *     chunks' columns are not the table's
   */
  long publish(Output output, String location, String appId, long txnVersion, int chunks) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    OptimisticTransaction txn = log.startTransaction();
    Snapshot snapshot = txn.snapshot();
    // Reading the app's version registers it: a concurrent publish of the same chunks conflicts.
    if (txn.txnVersion(appId) >= txnVersion) {
      deleteManifests(log, location, appId); // published by an attempt killed before deleting them
      return snapshot.version();
    }
    List<Manifest> manifests = manifests(log, location, appId, chunks);
    StructType schema = manifests.get(0).schema();
    for (Manifest m : manifests) {
      requireColumns(location, m.schema(), schema);
    }
    if (snapshot.version() < 0) {
      txn.updateMetadataForNewTable(newTable(schema, output.partitionColumns()));
    } else if (!DeltaTxnLog.columns(schema).equals(DeltaTxnLog.columns(snapshot.schema()))) {
      throw TableErrors.tableChangedSinceStaging(
          location, appId, "its columns are now " + DeltaTxnLog.columns(snapshot.schema()));
    }
    requireSameFileLayout(location, appId, manifests, txn.metadata());
    requireFilesExist(log, location, appId, manifests, txn.metadata());
    List<AddFile> removed = snapshot.version() < 0 ? List.of() : replaced(txn, output, location);
    long now = System.currentTimeMillis();
    List<Action> actions = new ArrayList<>();
    removed.forEach(f -> actions.add(f.removeWithTimestamp(now, true)));
    long rows = 0;
    long files = 0;
    for (Manifest m : manifests) {
      actions.addAll(m.files());
      rows = rows < 0 || m.staged().rows() < 0 ? -1 : rows + m.staged().rows();
      files += m.files().size();
    }
    actions.add(new SetTransaction(appId, txnVersion, Option.apply(now)));
    registerMetrics(txn, rows, files);
    txn.commit(
        CollectionConverters.asScala(actions).toSeq(),
        new DeltaOperations.Write(
            SaveMode.Overwrite,
            Option.apply(txn.metadata().partitionColumns()),
            Option.apply(output.replaceWherePredicate().orElse(null)),
            Option.apply("cairn: chunks 0.." + (chunks - 1) + " of " + appId + " staged")));
    deleteManifests(log, location, appId);
    return snapshot.version();
  }

  /**
   * The rows of chunks {@code 0..chunks-1} as staged under {@code appId}, read as a reader of their
   * publishing commit will read them, with an int column {@code chunkColumn} holding each row's
   * chunk index.
   *
   * @throws dev.cairn.CairnException when a chunk's manifest is missing or the table changed since
   *     its files were written
   */
  Dataset<Row> rows(String location, String appId, int chunks, String chunkColumn) {
    DeltaLog log = DeltaLog.forTable(spark.get(), location);
    OptimisticTransaction txn = log.startTransaction();
    List<Manifest> manifests = manifests(log, location, appId, chunks);
    if (txn.snapshot().version() < 0) {
      // Never committed: the metadata the publishing commit will create.
      Manifest first = manifests.get(0);
      txn.updateMetadataForNewTable(newTable(first.schema(), first.partitionColumns()));
    }
    requireSameFileLayout(location, appId, manifests, txn.metadata());
    Dataset<Row> all = null;
    for (int i = 0; i < manifests.size(); i++) {
      Dataset<Row> chunk =
          DecidedWrite.writtenRows(txn, manifests.get(i).files())
              .withColumn(chunkColumn, functions.lit(i));
      all = all == null ? chunk : all.unionByName(chunk);
    }
    return all;
  }

  private static List<Manifest> manifests(DeltaLog log, String location, String appId, int chunks) {
    List<Manifest> manifests = new ArrayList<>();
    for (int i = 0; i < chunks; i++) {
      int index = i;
      manifests.add(
          read(log, manifest(location, appId, i), appId)
              .orElseThrow(() -> TableErrors.stagedChunkMissing(location, appId, index)));
    }
    return manifests;
  }

  /** The table's files the output replaces: all of them, or those of the predicate's partitions. */
  private List<AddFile> replaced(OptimisticTransaction txn, Output output, String location) {
    if (output.mode() != Output.Mode.REPLACE_WHERE) {
      return CollectionConverters.asJava(txn.filterFiles());
    }
    Expression predicate = resolved(location, output.replaceWherePredicate().orElseThrow());
    return CollectionConverters.asJava(
        txn.filterFiles(CollectionConverters.asScala(List.of(predicate)).toSeq(), false));
  }

  private static Metadata newTable(StructType schema, List<String> partitionColumns) {
    return new Metadata(
        UUID.randomUUID().toString(),
        Metadata.$lessinit$greater$default$2(),
        Metadata.$lessinit$greater$default$3(),
        Metadata.$lessinit$greater$default$4(),
        schema.json(),
        CollectionConverters.asScala(partitionColumns).toSeq(),
        // Pinned: with column mapping each transaction would give the columns new physical names,
        // and files staged by one could not be read through the metadata another commits.
        CollectionConverters.asScala(Map.of(COLUMN_MAPPING_MODE, "none"))
            .toMap(scala.$less$colon$less$.MODULE$.refl()),
        Option.apply(System.currentTimeMillis()));
  }

  private static List<String> partitionColumns(OptimisticTransaction txn) {
    return partitionColumns(txn.metadata());
  }

  private static List<String> lowerCase(List<String> columns) {
    return columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
  }

  private static List<String> partitionColumns(Metadata metadata) {
    return CollectionConverters.asJava(metadata.partitionColumns());
  }

  /** A REPLACE_WHERE predicate must select whole partitions: those are what the commit removes. */
  private void requirePartitionPredicate(
      String location, String predicate, List<String> partitionColumns) {
    Expression parsed = parse(predicate);
    List<String> partitions =
        partitionColumns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
    for (Attribute a : CollectionConverters.asJava(parsed.references().toSeq())) {
      if (!partitions.contains(a.name().toLowerCase(Locale.ROOT))) {
        throw TableErrors.chunkedPredicateNotOnPartitions(
            location, predicate, a.name(), partitionColumns);
      }
    }
  }

  private Expression parse(String predicate) {
    try {
      return spark.get().sessionState().sqlParser().parseExpression(predicate);
    } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
      throw new IllegalArgumentException(
          "replaceWhere predicate '" + predicate + "' is not a SQL expression: " + e.getMessage(),
          e);
    }
  }

  /** The predicate resolved against the table's columns, as the commit's file filter needs it. */
  private Expression resolved(String location, String predicate) {
    LogicalPlan plan =
        spark
            .get()
            .read()
            .format("delta")
            .load(location)
            .where(predicate)
            .queryExecution()
            .analyzed();
    while (!(plan instanceof Filter)) {
      plan = plan.children().head();
    }
    return ((Filter) plan).condition();
  }

  private static void requireColumns(String location, StructType rows, StructType table) {
    Map<String, String> columns = DeltaTxnLog.columns(rows);
    Map<String, String> tableColumns = DeltaTxnLog.columns(table);
    if (!columns.equals(tableColumns)) {
      throw TableErrors.chunkColumnsDiffer(location, columns, tableColumns);
    }
  }

  /**
   * The files of every chunk were written under the metadata the publishing commit has: the same
   * physical column names (column mapping) and partitioning, so the table can read them.
   */
  private static void requireSameFileLayout(
      String location, String appId, List<Manifest> manifests, Metadata target) {
    String mode = target.columnMappingMode().name();
    for (Manifest m : manifests) {
      boolean sameLayout =
          m.partitionColumns().equals(partitionColumns(target))
              && m.columnMapping().equals(mode)
              && (mode.equals("none") || m.schemaString().equals(target.schemaString()));
      if (!sameLayout) {
        throw TableErrors.tableChangedSinceStaging(
            location,
            appId,
            "chunk "
                + m.staged().index()
                + " was written with partitions "
                + m.partitionColumns()
                + " and column mapping '"
                + m.columnMapping()
                + "', the table now has "
                + partitionColumns(target)
                + " and '"
                + mode
                + "'"
                + (m.columnMapping().equals(mode) ? " with other physical column names" : ""));
      }
    }
  }

  /**
   * Files staged long enough ago that VACUUM may have deleted them must still be there: older than
   * a day, or than half the table's retention of unreferenced files if that is shorter.
   */
  private static void requireFilesExist(
      DeltaLog log, String location, String appId, List<Manifest> manifests, Metadata metadata) {
    long retention = DeltaLog.tombstoneRetentionMillis(metadata);
    long checkBefore =
        System.currentTimeMillis() - Math.min(CHECK_FILES_AFTER.toMillis(), retention / 2);
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(log.newDeltaHadoopConf());
      for (Manifest m : manifests) {
        if (m.staged().stagedAtMillis() > checkBefore) {
          continue;
        }
        for (AddFile f : m.files()) {
          if (!fs.exists(f.absolutePath(log))) {
            throw TableErrors.stagedFilesGone(location, appId, m.staged().index(), f.path());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void registerMetrics(OptimisticTransaction txn, long rows, long files) {
    SparkSession session = spark.get();
    SQLMetric outputRows = SQLMetrics.createMetric(session.sparkContext(), "rows");
    SQLMetric outputFiles = SQLMetrics.createMetric(session.sparkContext(), "files");
    outputRows.set(Math.max(rows, 0));
    outputFiles.set(files);
    if (rows >= 0) {
      txn.registerSQLMetrics(
          session,
          CollectionConverters.asScala(Map.of("numOutputRows", outputRows, "numFiles", outputFiles))
              .toMap(scala.$less$colon$less$.MODULE$.refl()));
    }
  }

  private static Path manifest(String location, String appId, int index) {
    return new Path(stagingDir(location, appId), "chunk-" + index + ".json");
  }

  private static Path stagingDir(String location, String appId) {
    return new Path(new Path(location, STAGING), key(appId));
  }

  /** A path-safe name for an app id, which holds ':' and '#'. */
  private static String key(String appId) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(appId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  private static void writeManifest(
      DeltaLog log,
      Path path,
      String appId,
      TableStore.Staged staged,
      StructType schema,
      Metadata metadata,
      List<AddFile> files) {
    ObjectNode header = JSON.createObjectNode();
    header
        .put("appId", appId)
        .put("chunk", staged.index())
        .put("rows", staged.rows())
        .put("files", staged.files())
        .put("stagedAt", staged.stagedAtMillis())
        .put("schema", schema.json())
        .put("schemaString", metadata.schemaString())
        .put("columnMapping", metadata.columnMappingMode().name());
    partitionColumns(metadata).forEach(header.putArray("partitionColumns")::add);
    try {
      FileSystem fs = path.getFileSystem(log.newDeltaHadoopConf());
      try (FSDataOutputStream out = fs.create(path, true);
          Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
        w.write(JSON.writeValueAsString(header));
        w.write('\n');
        for (AddFile f : files) {
          w.write(f.json());
          w.write('\n');
        }
        w.write(JSON.writeValueAsString(JSON.createObjectNode().put("end", files.size())));
        w.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A whole manifest of {@code appId}, or empty when absent or cut short. */
  private static Optional<Manifest> read(DeltaLog log, Path path, String appId) {
    try {
      FileSystem fs = path.getFileSystem(log.newDeltaHadoopConf());
      List<String> lines = new ArrayList<>();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      }
      if (lines.size() < 2) {
        return cutShort(path);
      }
      JsonNode header = JSON.readTree(lines.get(0));
      JsonNode end = JSON.readTree(lines.get(lines.size() - 1));
      int files = header.path("files").asInt(-1);
      if (!appId.equals(header.path("appId").asText())
          || end.path("end").asInt(-2) != files
          || lines.size() != files + 2) {
        return cutShort(path);
      }
      List<AddFile> adds = new ArrayList<>();
      for (String line : lines.subList(1, lines.size() - 1)) {
        if (!(Action.fromJson(line) instanceof AddFile add)) {
          return cutShort(path);
        }
        adds.add(add);
      }
      List<String> partitionColumns = new ArrayList<>();
      header.path("partitionColumns").forEach(c -> partitionColumns.add(c.asText()));
      return Optional.of(
          new Manifest(
              new TableStore.Staged(
                  header.path("chunk").asInt(),
                  header.path("rows").asLong(),
                  files,
                  header.path("stagedAt").asLong()),
              (StructType) DataType.fromJson(header.path("schema").asText()),
              header.path("schemaString").asText(),
              header.path("columnMapping").asText(),
              partitionColumns,
              adds));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (org.apache.hadoop.fs.ChecksumException e) {
      return cutShort(path); // a local file system's checksum of the whole file it was to hold
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      return cutShort(path); // a line that is not what was written (a torn or zero-filled tail)
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Manifest> cutShort(Path path) {
    LOG.warn("Ignoring the staged chunk manifest {}: it was cut short; the chunk runs again", path);
    return Optional.empty();
  }

  private static void deleteManifests(DeltaLog log, String location, String appId) {
    Path dir = stagingDir(location, appId);
    try {
      dir.getFileSystem(log.newDeltaHadoopConf()).delete(dir, true);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not delete the published chunks' manifests in {}", dir, e);
    }
  }

  /**
   * A chunk's manifest: what was staged, the rows' schema, and the table metadata its files were
   * written under (schema with physical names, column mapping mode, partition columns).
   */
  private record Manifest(
      TableStore.Staged staged,
      StructType schema,
      String schemaString,
      String columnMapping,
      List<String> partitionColumns,
      List<AddFile> files) {}
}
