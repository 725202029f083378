package dev.cairn.internal.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.CairnException;
import dev.cairn.Output;
import dev.cairn.internal.config.Spark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Delta table store against real Delta tables on local Spark. */
class DeltaTableStoreTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("day", DataTypes.StringType)
          .add("key", DataTypes.StringType)
          .add("value", DataTypes.IntegerType);
  private static SparkSession spark;
  private static Path warehouse;

  private DeltaTableStore tables;
  private String location;

  @BeforeAll
  static void startSpark() throws Exception {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "delta-table-store-test");
    warehouse = Files.createTempDirectory("cairn-delta-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @BeforeEach
  void newTable() throws Exception {
    tables = new DeltaTableStore(() -> spark, warehouse.toString());
    location = tables.location("t" + System.nanoTime());
  }

  @Test
  void commitAfterTheLeaseMayHaveRunOut_isRefusedByTheFence_andPublishesNothing() {
    tables.write(rows(row("d1", "a", 1)), Output.table("t").append(), location, "cairn:r:s", 1, -1);
    WriteFence.extend("host:42", 1_000_000_000L);
    try {
      WriteFence.useClock(() -> System.nanoTime() + 2_000_000_000L); // frozen past the lease
      assertThatThrownBy(
              () ->
                  tables.write(
                      rows(row("d1", "b", 2)),
                      Output.table("t").append(),
                      location,
                      "cairn:r:s",
                      2,
                      0))
          .isInstanceOf(WriteFence.FencedException.class)
          .hasMessageStartingWith("refusing to publish Delta commit ")
          .hasMessageContaining(
              "driver host:42 could not renew its lease in time (frozen, paused or cut off from"
                  + " the checkpoint table), so another driver may have taken the run over."
                  + " Nothing was published.");
      assertThat(tables.currentVersion(location)).isZero();
      assertThat(tables.committedTxnVersion(location, "cairn:r:s")).isEqualTo(1);
    } finally {
      WriteFence.useClock(System::nanoTime);
      WriteFence.open();
    }
    tables.write(rows(row("d1", "b", 2)), Output.table("t").append(), location, "cairn:r:s", 2, 0);
    assertThat(tables.currentVersion(location)).isEqualTo(1);
  }

  @Test
  void rowsByPartition_areCountedFromTheLogAtTheVersion_inTheValuesOrder() {
    Output byValue = Output.table("t").partitionedBy("value");
    tables.write(
        rows(row("d1", "a", 10), row("d1", "b", 9), row("d2", "c", 10), row("d2", "d", null)),
        byValue,
        location,
        "cairn:r:s",
        1,
        -1);
    tables.write(rows(row("d3", "e", 9)), byValue.append(), location, "cairn:r:t", 1, 0);

    assertThat(tables.rowsByPartition(location, 0, "value"))
        .as("ints in their order, not the strings'; the null partition is no value")
        .contains(
            List.of(new TableStore.PartitionRows("9", 1), new TableStore.PartitionRows("10", 2)));
    assertThat(tables.rowsByPartition(location, 1, "VALUE"))
        .contains(
            List.of(new TableStore.PartitionRows("9", 2), new TableStore.PartitionRows("10", 2)));
    assertThat(tables.rowsByPartition(location, 1, "key")).as("not a partition column").isEmpty();
  }

  @Test
  void rowsByPartition_ofFilesWithoutRowCounts_isNotKnown() {
    spark.conf().set("spark.databricks.delta.stats.collect", "false");
    try {
      tables.write(
          rows(row("d1", "a", 1)),
          Output.table("t").partitionedBy("day"),
          location,
          "cairn:r:s",
          1,
          -1);
    } finally {
      spark.conf().unset("spark.databricks.delta.stats.collect");
    }

    assertThat(tables.rowsByPartition(location, 0, "day")).isEmpty();
  }

  @Test
  void absentTable_hasNoVersionAndNoTxn() {
    assertThat(tables.currentVersion(location)).isEqualTo(-1);
    assertThat(tables.committedTxnVersion(location, "cairn:r:s")).isEqualTo(-1);
    assertThat(tables.findCommit(location, "cairn:r:s", 1, 0)).isEmpty();
  }

  @Test
  void write_commitsTheTxn_andReportsItsVersionAndRows() {
    TableStore.Commit commit =
        tables.write(
            rows(row("d1", "a", 1), row("d1", "b", 2)),
            Output.table("t"),
            location,
            "cairn:r:s",
            1,
            -1);

    assertThat(commit).isEqualTo(new TableStore.Commit(0, 2, false));
    assertThat(tables.currentVersion(location)).isZero();
    assertThat(tables.committedTxnVersion(location, "cairn:r:s")).isEqualTo(1);
    assertThat(tables.findCommit(location, "cairn:r:s", 1, 0)).contains(commit);
  }

  @Test
  void sameTxnWrittenAgain_isSkippedByDelta_andSaysSo() {
    tables.write(rows(row("d1", "a", 1)), Output.table("t").append(), location, "cairn:r:s", 1, -1);

    TableStore.Commit again =
        tables.write(
            rows(row("d1", "a", 1), row("d1", "z", 9)),
            Output.table("t").append(),
            location,
            "cairn:r:s",
            1,
            0);

    assertThat(again.skippedDuplicate()).isTrue();
    assertThat(again.version()).isZero();
    assertThat(tables.currentVersion(location)).isZero();
    assertThat(tables.read(location, 0).count()).isEqualTo(1);
  }

  @Test
  void findCommit_skipsOtherWriters_andFindsTheTxnFromTheBaseVersion() {
    tables.write(rows(row("d1", "a", 1)), Output.table("t").append(), location, "other:app", 1, -1);
    tables.write(rows(row("d2", "b", 2)), Output.table("t").append(), location, "cairn:r:s", 1, 0);
    tables.write(rows(row("d3", "c", 3)), Output.table("t").append(), location, "other:app", 2, 1);

    assertThat(tables.findCommit(location, "cairn:r:s", 1, 1))
        .contains(new TableStore.Commit(1, 1, false));
    assertThat(tables.findCommit(location, "cairn:r:s", 1, 2)).isEmpty();
    assertThat(tables.findCommit(location, "cairn:r:s", 2, 0)).isEmpty();
  }

  @Test
  void merge_upsertsOnKeys_countsInsertedAndUpdated_andIsIdempotentPerTxn() {
    Output merge = Output.table("t").mergeOn("day", "key");
    TableStore.Commit created =
        tables.write(
            rows(row("d1", "a", 1), row("d1", "b", 2)), merge, location, "cairn:r1:s", 1, -1);
    assertThat(created.rowsWritten()).isEqualTo(2);

    TableStore.Commit merged =
        tables.write(
            rows(row("d1", "b", 20), row("d2", "c", 3)), merge, location, "cairn:r2:s", 1, 0);
    TableStore.Commit replayed =
        tables.write(
            rows(row("d1", "b", 99), row("d9", "x", 9)), merge, location, "cairn:r2:s", 1, 0);

    assertThat(merged).isEqualTo(new TableStore.Commit(1, 2, false));
    assertThat(replayed).isEqualTo(new TableStore.Commit(1, 2, true));
    assertThat(sorted(tables.read(location, tables.currentVersion(location))))
        .containsExactly("[d1,a,1]", "[d1,b,20]", "[d2,c,3]");
    assertThat(spark.conf().getOption("spark.databricks.delta.write.txnAppId").isDefined())
        .as("txn session confs are cleared after the merge")
        .isFalse();
  }

  @Test
  void replaceWhere_replacesOnlyThatPartition_andRefusesRowsOutsideIt() {
    Output byDay = Output.table("t").partitionedBy("day");
    tables.write(
        rows(row("d1", "a", 1), row("d2", "b", 2)), byDay, location, "cairn:full:s", 1, -1);

    tables.write(
        rows(row("d2", "b", 20)),
        byDay.replaceWhere("day = 'd2'"),
        location,
        "cairn:daily:s",
        1,
        0);

    assertThat(sorted(tables.read(location, 1))).containsExactly("[d1,a,1]", "[d2,b,20]");
    assertThat(sorted(tables.read(location, 0)))
        .as("time travel")
        .containsExactly("[d1,a,1]", "[d2,b,2]");
    assertThatThrownBy(
            () ->
                tables.write(
                    rows(row("d1", "z", 0)),
                    byDay.replaceWhere("day = 'd2'"),
                    location,
                    "cairn:bad:s",
                    1,
                    1))
        .hasMessageContaining("DELTA_REPLACE_WHERE_MISMATCH");
    assertThat(tables.currentVersion(location)).as("nothing published").isEqualTo(1);
  }

  @Test
  void appendRerun_replacesWhatThePreviousGenerationAppended_andKeepsOtherWritersRows() {
    Output append = Output.table("t").partitionedBy("day").append();
    tables.write(rows(row("d1", "a", 1), row("d2", "b", 2)), append, location, "cairn:r:s", 1, -1);
    tables.write(rows(row("d1", "other", 7)), append, location, "cairn:other:s", 1, 0);

    TableStore.Commit rerun =
        tables.write(
            rows(row("d1", "a", 1), row("d2", "b", 2), row("d3", "c", 3)),
            append,
            location,
            "cairn:r:s",
            2,
            1);

    assertThat(rerun).isEqualTo(new TableStore.Commit(2, 3, false));
    assertThat(sorted(tables.read(location, 2)))
        .as("generation 1's rows replaced, not duplicated; the other writer's rows kept")
        .containsExactly("[d1,a,1]", "[d1,other,7]", "[d2,b,2]", "[d3,c,3]");
    assertThat(tables.committedTxnVersion(location, "cairn:r:s")).isEqualTo(2);
    assertThat(tables.findCommit(location, "cairn:r:s", 2, 0)).contains(rerun);
    assertThat(spark.read().format("delta").load(location).inputFiles())
        .as("written partitioned like the table")
        .allMatch(f -> f.contains("day=d"));

    TableStore.Commit again =
        tables.write(rows(row("d9", "z", 9)), append, location, "cairn:r:s", 2, 2);
    assertThat(again.skippedDuplicate()).isTrue();
    assertThat(tables.currentVersion(location)).isEqualTo(2);

    tables.write(rows(row("d4", "d", 4)), append, location, "cairn:r:s", 3, 2);
    assertThat(sorted(tables.read(location, 3)))
        .as("a third generation replaces the second")
        .containsExactly("[d1,other,7]", "[d4,d,4]");
  }

  @Test
  void overwriteRerun_withChangedInput_replacesTheTable() {
    Output overwrite = Output.table("t");
    tables.write(
        rows(row("d1", "a", 1), row("d1", "b", 2)), overwrite, location, "cairn:r:s", 1, -1);

    TableStore.Commit rerun =
        tables.write(rows(row("d1", "a", 10)), overwrite, location, "cairn:r:s", 2, 0);

    assertThat(rerun).isEqualTo(new TableStore.Commit(1, 1, false));
    assertThat(sorted(tables.read(location, 1))).containsExactly("[d1,a,10]");
  }

  @Test
  void appendRerun_afterThePreviousGenerationsFilesWereRewritten_isRefused_writingNothing() {
    Output append = Output.table("t").append();
    tables.write(
        rows(row("d1", "a", 1), row("d1", "b", 2)).coalesce(1),
        append,
        location,
        "cairn:r:s",
        1,
        -1);
    io.delta.tables.DeltaTable.forPath(spark, location).delete("key = 'b'");

    assertThatThrownBy(
            () -> tables.write(rows(row("d1", "a", 1)), append, location, "cairn:r:s", 2, 1))
        .hasMessage(
            "cannot replace the rows that generation 1 of cairn:r:s appended to "
                + location
                + " (commit 0): 1 of its 1 files were since rewritten or removed (OPTIMIZE,"
                + " DELETE or another writer), so its rows can no longer be removed exactly and"
                + " appending again would duplicate them. Nothing was written. Fix: Cairn cannot"
                + " do this safely; delete the rows that version 0 added yourself, then write them"
                + " with a new run (`cairn run` with a parameter changed), or leave the table as it"
                + " is");
    assertThat(tables.currentVersion(location)).isEqualTo(1);
    assertThat(tables.committedTxnVersion(location, "cairn:r:s")).isEqualTo(1);
  }

  @Test
  void appendRerun_withRowsOfAnotherSchema_isRefused() {
    Output append = Output.table("t").append();
    tables.write(rows(row("d1", "a", 1)), append, location, "cairn:r:s", 1, -1);
    Dataset<Row> renamed = rows(row("d1", "a", 1)).withColumnRenamed("value", "amount");

    assertThatThrownBy(() -> tables.write(renamed, append, location, "cairn:r:s", 2, 0))
        .hasMessageStartingWith(
            "the rows to append to "
                + location
                + " have columns {amount=INT, day=STRING, key=STRING} but the table has {day=STRING,"
                + " key=STRING, value=INT}");
    assertThat(tables.currentVersion(location)).isZero();
  }

  // Issue 18, item 2: a chunked stage killed or failed after some chunks left readers a table the
  // first chunk had truncated.
  @Test
  void stagedChunks_areInvisibleUntilPublished_thenReplaceTheTableInOneCommit_onlyOnce() {
    Output output = Output.table("t").partitionedBy("day");
    tables.write(rows(row("d0", "old", 0)), output, location, "cairn:r0:s", 1, -1);

    TableStore.Staged first =
        tables.stageChunk(rows(row("d1", "a", 1)), output, location, "cairn:r:s#g1", 0);
    tables.stageChunk(
        rows(row("d2", "b", 2), row("d2", "c", 3)), output, location, "cairn:r:s#g1", 1);

    assertThat(first.rows()).isEqualTo(1);
    assertThat(tables.currentVersion(location)).as("nothing published").isZero();
    assertThat(sorted(tables.read(location, 0))).containsExactly("[d0,old,0]");
    assertThat(tables.stagedChunk(location, "cairn:r:s#g1", 1).map(TableStore.Staged::rows))
        .contains(2L);
    assertThat(tables.stagedChunk(location, "cairn:r:s#g1", 2)).isEmpty();
    assertThat(tables.stagedChunk(location, "cairn:r:other#g1", 0)).isEmpty();

    TableStore.Commit published = tables.publishChunks(output, location, "cairn:r:s#g1", 2, 2, 0);
    TableStore.Commit again = tables.publishChunks(output, location, "cairn:r:s#g1", 2, 2, 0);

    assertThat(published).isEqualTo(new TableStore.Commit(1, 3, false));
    assertThat(again).isEqualTo(new TableStore.Commit(1, 3, true));
    assertThat(tables.currentVersion(location)).isEqualTo(1);
    assertThat(sorted(tables.read(location, 1)))
        .containsExactly("[d1,a,1]", "[d2,b,2]", "[d2,c,3]");
    assertThat(Path.of(location, "_cairn", "staged")).as("manifests removed").isEmptyDirectory();

    tables.stageChunk(rows(row("d1", "x", 9)), output, location, "cairn:r:s#g2", 0);
    tables.publishChunks(output, location, "cairn:r:s#g2", 1, 1, 1);

    assertThat(sorted(tables.read(location, 2))).containsExactly("[d1,x,9]");
  }

  // Issue 18, item 1: a day another run wrote between two chunks was doubled by the later chunk's
  // blind append (and another full run's overwrite between chunks lost the first chunks' rows).
  @Test
  void aCommitOfAnotherRunBetweenTwoChunks_isNeitherDoubledNorMixedIn() {
    Output output = Output.table("t").partitionedBy("day");
    tables.stageChunk(rows(row("d1", "a", 1)), output, location, "cairn:full:s#g1", 0);
    Output daily = output.replaceWhere("day = 'd2'");
    tables.write(rows(row("d2", "daily", 7)), daily, location, "cairn:daily:s", 1, -1);
    tables.stageChunk(
        rows(row("d2", "b", 2), row("d3", "c", 3)), output, location, "cairn:full:s#g1", 1);

    tables.publishChunks(output, location, "cairn:full:s#g1", 2, 2, 0);

    assertThat(sorted(tables.read(location, tables.currentVersion(location))))
        .containsExactly("[d1,a,1]", "[d2,b,2]", "[d3,c,3]");
  }

  @Test
  void chunksOfAReplaceWhereOutput_replaceOnlyThePredicatesPartitions_asTheyAreWhenPublished() {
    Output days = Output.table("t").partitionedBy("day");
    tables.write(rows(row("d1", "a", 1), row("d9", "z", 9)), days, location, "setup", 1, -1);
    Output replace = days.replaceWhere("day IN ('d1', 'd2')");

    tables.stageChunk(rows(row("d1", "b", 2)), replace, location, "cairn:r:s#g1", 0);
    tables.write(
        rows(row("d2", "other", 5), row("d8", "y", 8)), days.append(), location, "x", 1, 0);
    tables.stageChunk(rows(row("d2", "c", 3)), replace, location, "cairn:r:s#g1", 1);
    tables.publishChunks(replace, location, "cairn:r:s#g1", 2, 2, 0);

    assertThat(sorted(tables.read(location, 2)))
        .containsExactly("[d1,b,2]", "[d2,c,3]", "[d8,y,8]", "[d9,z,9]");
    assertThatThrownBy(
            () -> tables.stageChunk(rows(row("d5", "e", 5)), replace, location, "cairn:r:s#g2", 0))
        .as("a row outside the predicate")
        .hasMessageContaining("replaceWhere(day IN ('d1', 'd2'))");
    assertThatThrownBy(
            () ->
                tables.stageChunk(
                    rows(row("d1", "e", 5)),
                    days.replaceWhere("key = 'e'"),
                    location,
                    "cairn:r:s#g2",
                    0))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith(
            "cannot write the chunks of "
                + location
                + " with replaceWhere(key = 'e'): it names column 'key', which the table is not"
                + " partitioned by ([day])");
    assertThat(tables.currentVersion(location)).isEqualTo(2);
  }

  @Test
  void chunksOfANewTable_createItWithTheOutputsPartitions_whenPublished() {
    Output output = Output.table("t").partitionedBy("day").replaceWhere("day = 'd1'");
    tables.stageChunk(rows(row("d1", "a", 1)), output, location, "cairn:r:s#g1", 0);
    assertThat(tables.currentVersion(location)).isEqualTo(-1);

    tables.publishChunks(output, location, "cairn:r:s#g1", 1, 1, -1);

    assertThat(sorted(tables.read(location, 0))).containsExactly("[d1,a,1]");
    assertThat(Path.of(location, "day=d1")).isDirectory();
  }

  // With column mapping every transaction names the columns' files anew: files staged by one would
  // be read as nulls through the metadata another commits.
  @Test
  void chunksOfANewTable_underASessionDefaultOfColumnMapping_readBackAsWritten() {
    String mode = "spark.databricks.delta.properties.defaults.columnMapping.mode";
    spark.conf().set(mode, "name");
    try {
      Output output = Output.table("t");
      tables.stageChunk(rows(row("d1", "a", 1)), output, location, "cairn:r:s#g1", 0);
      tables.stageChunk(rows(row("d2", "b", 2)), output, location, "cairn:r:s#g1", 1);
      tables.publishChunks(output, location, "cairn:r:s#g1", 2, 2, -1);
    } finally {
      spark.conf().unset(mode);
    }

    assertThat(sorted(tables.read(location, 0))).containsExactly("[d1,a,1]", "[d2,b,2]");
  }

  @Test
  void chunksPartitionedOtherwiseThanTheTable_areRefused_namingBoth() {
    tables.write(
        rows(row("d0", "x", 0)), Output.table("t").partitionedBy("key"), location, "o", 1, -1);

    assertThatThrownBy(
            () ->
                tables.stageChunk(
                    rows(row("d1", "a", 1)),
                    Output.table("t").partitionedBy("day"),
                    location,
                    "cairn:r:s#g1",
                    0))
        .isInstanceOf(CairnException.class)
        .hasMessage(
            "cannot write the chunks of "
                + location
                + ": the stage's output is partitioned by [day] but the table by [key]. Nothing"
                + " was written. Fix: declare the output with the table's partitioning"
                + " (Output.partitionedBy), or drop the table so that the stage creates it anew");
    assertThat(tables.stagedChunk(location, "cairn:r:s#g1", 0)).isEmpty();
  }

  @Test
  void chunksStagedBeforeTheTableWasRepartitioned_areRefused_namingTheRerun() {
    Output output = Output.table("t").partitionedBy("day");
    tables.stageChunk(rows(row("d1", "a", 1)), output, location, "cairn:r:s#g1", 0);
    tables.write(
        rows(row("d0", "x", 0)), Output.table("t").partitionedBy("key"), location, "o", 1, -1);

    assertThatThrownBy(() -> tables.publishChunks(output, location, "cairn:r:s#g1", 1, 1, -1))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining(
            "the table changed since they were staged (chunk 0 was written with"
                + " partitions [day] and column mapping 'none', the table now has [key]")
        .hasMessageEndingWith(
            "Fix: `cairn rerun <run> --from <stage>` writes the stage again into"
                + " the table as it is");
    assertThat(tables.currentVersion(location)).isZero();
  }

  // A driver killed while writing a manifest leaves it cut short: the chunk runs again.
  @Test
  void aManifestCutShort_isNotAStagedChunk_andPublishingWithoutItIsRefused() throws Exception {
    Output output = Output.table("t").partitionedBy("day");
    tables.write(rows(row("d0", "old", 0)), output, location, "setup", 1, -1);
    tables.stageChunk(
        rows(row("d1", "a", 1), row("d2", "b", 2)), output, location, "cairn:r:s#g1", 0);
    Path manifest;
    try (var files = Files.walk(Path.of(location, "_cairn"))) {
      manifest = files.filter(p -> p.toString().endsWith("chunk-0.json")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(manifest);
    Files.write(manifest, lines.subList(0, lines.size() - 1));

    assertThat(tables.stagedChunk(location, "cairn:r:s#g1", 0)).isEmpty();
    assertThatThrownBy(() -> tables.publishChunks(output, location, "cairn:r:s#g1", 1, 1, 0))
        .isInstanceOf(CairnException.class)
        .hasMessageStartingWith(
            "cannot publish the chunks of cairn:r:s#g1 to "
                + location
                + ": chunk 0 is recorded as staged but its manifest");
    assertThat(tables.currentVersion(location)).isZero();
  }

  @Test
  void aChunkWithOtherColumnsThanTheTable_isRefused_namingTheTableAndTheFix() {
    Output output = Output.table("t").partitionedBy("day");
    tables.write(rows(row("d0", "old", 0)), output, location, "setup", 1, -1);
    Dataset<Row> renamed = rows(row("d2", "b", 2)).withColumnRenamed("value", "amount");

    assertThatThrownBy(() -> tables.stageChunk(renamed, output, location, "cairn:r:s#g1", 0))
        .isInstanceOf(CairnException.class)
        .hasMessageContaining("the rows to append to " + location)
        .hasMessageContaining(
            "a chunked stage publishes all its chunks in one commit, so every chunk must have the"
                + " table's columns");
    assertThat(tables.currentVersion(location)).isZero();
  }

  // The resume's look-up reads the app's version from the version checksum: Delta's own look-up
  // reconstructs the table's whole state with Spark jobs (Delta 4.0's setTransactionsIfKnown too);
  // staging a chunk needs no state either.
  @Test
  void stagingChunksAndTheResumeLookUp_doNotReconstructTheTableState() throws Exception {
    Output output = Output.table("t").partitionedBy("day");
    tables.stageChunk(rows(row("d1", "a", 1)), output, location, "cairn:r:s#g1", 0);
    tables.publishChunks(output, location, "cairn:r:s#g1", 1, 1, -1);
    org.apache.spark.sql.delta.DeltaLog.clearCache(); // a resumed driver's fresh log

    long reconstructions =
        snapshotComputations(
            () -> {
              tables.stageChunk(rows(row("d2", "b", 2)), output, location, "cairn:r:s#g2", 0);
              assertThat(tables.committedTxnVersion(location, "cairn:r:s#g1")).isEqualTo(1);
            });

    assertThat(reconstructions).isZero();
    assertThat(
            snapshotComputations(
                () ->
                    rows(row("d4", "d", 4))
                        .write()
                        .format("delta")
                        .mode("append")
                        .option("txnAppId", "cairn:r:other#g1")
                        .option("txnVersion", 1)
                        .save(location)))
        .as("what it avoids")
        .isPositive();
  }

  /** Spark jobs Delta ran to reconstruct a snapshot's state while {@code work} ran. */
  private static long snapshotComputations(Runnable work) throws Exception {
    java.util.concurrent.atomic.AtomicLong jobs = new java.util.concurrent.atomic.AtomicLong();
    org.apache.spark.scheduler.SparkListener counter =
        new org.apache.spark.scheduler.SparkListener() {
          @Override
          public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
            String description = start.properties().getProperty("spark.job.description");
            if (description != null && description.contains("Compute snapshot")) {
              jobs.incrementAndGet();
            }
          }
        };
    spark.sparkContext().addSparkListener(counter);
    try {
      work.run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(counter);
    }
    return jobs.get();
  }

  @Test
  void chunksOfAMergeOutput_eachMerge_inTheirOwnCommit() {
    tables.write(
        rows(row("d1", "b", 2), row("d9", "z", 9)), Output.table("t"), location, "s", 1, -1);
    Output merge = Output.table("t").mergeOn("day", "key");

    tables.mergeChunk(rows(row("d1", "b", 5)), merge, location, "cairn:r:m#g1", 1, 0);
    TableStore.Commit second =
        tables.mergeChunk(
            rows(row("d9", "z", 6), row("d3", "n", 1)), merge, location, "cairn:r:m#g1", 2, 1);

    assertThat(second).isEqualTo(new TableStore.Commit(2, 2, false));
    assertThat(sorted(tables.read(location, 2)))
        .containsExactly("[d1,b,5]", "[d3,n,1]", "[d9,z,6]");
  }

  @Test
  void aWriteRefusedBetweenItsFilesAndItsCommit_commitsNothing_andLeavesNoDataFile()
      throws Exception {
    Output byDay = Output.table("t").partitionedBy("day");
    tables.write(rows(row("d1", "a", 1)), byDay, location, "cairn:r:s", 1, -1);
    List<List<String>> seen = new java.util.ArrayList<>();

    assertThatThrownBy(
            () ->
                tables.write(
                    rows(row("d2", "b", 2), row("d3", "c", 3)),
                    byDay,
                    location,
                    "cairn:r:s",
                    2,
                    0,
                    written -> {
                      seen.add(sorted(written));
                      throw new IllegalStateException("refused by a check");
                    }))
        .hasMessage("refused by a check");

    assertThat(seen).containsExactly(List.of("[d2,b,2]", "[d3,c,3]"));
    assertThat(tables.currentVersion(location)).isZero();
    assertThat(sorted(tables.read(location, 0))).containsExactly("[d1,a,1]");
    try (var files = Files.walk(Path.of(location))) {
      assertThat(files.filter(f -> f.toString().endsWith(".parquet")).count())
          .as("only the committed file is left")
          .isEqualTo(1);
    }
  }

  @Test
  void aWriteDecidedBeforeItsCommit_commitsItsTxnAsThePlainWrite_andItsDuplicateAsksNothing() {
    Output byDay = Output.table("t").partitionedBy("day");
    tables.write(rows(row("d1", "a", 1), row("d2", "b", 2)), byDay, location, "cairn:f:s", 1, -1);
    TableStore.BeforeCommit refuse =
        written -> {
          throw new IllegalStateException("not asked for a duplicate");
        };

    TableStore.Commit commit =
        tables.write(
            rows(row("d2", "b", 20)),
            byDay.replaceWhere("day = 'd2'"),
            location,
            "cairn:d:s",
            1,
            0,
            written -> assertThat(written.count()).isEqualTo(1));
    TableStore.Commit again =
        tables.write(
            rows(row("d2", "b", 99)),
            byDay.replaceWhere("day = 'd2'"),
            location,
            "cairn:d:s",
            1,
            0,
            refuse);

    assertThat(commit).isEqualTo(new TableStore.Commit(1, 1, false));
    assertThat(again).isEqualTo(new TableStore.Commit(1, 1, true));
    assertThat(sorted(tables.read(location, 1))).containsExactly("[d1,a,1]", "[d2,b,20]");
    assertThat(tables.decidesBeforeCommit(Output.table("t").mergeOn("key"), location, 1))
        .as("a MERGE into a table that exists commits as it writes")
        .isFalse();
    assertThat(tables.decidesBeforeCommit(Output.table("t").mergeOn("key"), location + "x", 1))
        .isTrue();
  }

  @Test
  void aChunkRefusedBeforeItIsStaged_isNotStaged() {
    assertThatThrownBy(
            () ->
                tables.stageChunk(
                    rows(row("d1", "a", 1)),
                    Output.table("t"),
                    location,
                    "cairn:r:s#g1",
                    0,
                    written -> {
                      throw new IllegalStateException("refused by a check");
                    }))
        .hasMessage("refused by a check");

    assertThat(tables.stagedChunk(location, "cairn:r:s#g1", 0)).isEmpty();
  }

  private static Dataset<Row> rows(Row... rows) {
    return spark.createDataFrame(List.of(rows), SCHEMA);
  }

  private static Row row(String day, String key, Integer value) {
    return RowFactory.create(day, key, value);
  }

  private static List<String> sorted(Dataset<Row> frame) {
    return frame.collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
