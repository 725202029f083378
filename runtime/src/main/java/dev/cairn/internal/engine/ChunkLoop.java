package dev.cairn.internal.engine;

import dev.cairn.Chunk;
import dev.cairn.Expectation;
import dev.cairn.Output;
import dev.cairn.Stage;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.quality.ChunkedGate;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.ChunkTransition;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the chunks of a chunked stage that are not done yet, in plan order, in one attempt. The plan
 * (the planner's units grouped into chunks by {@link ChunkPlanning}) is frozen in the stage's
 * checkpoint the first time (per generation). Each chunk costs two store writes, started and
 * committed, each fenced by the lease, around the chunk's rows being staged as uncommitted Delta
 * files; when all are staged one Delta commit publishes them (MERGE chunks instead commit one by
 * one). A chunk staged but not recorded (the driver died between the two), or a MERGE chunk whose
 * commit is in the log, is recorded without recomputing (see docs/ARCHITECTURE.md). A stop request
 * is honoured between chunks, never inside one.
 */
final class ChunkLoop {
  private final RunServices services;
  private final EventIds ids;
  private final RunListener listener;
  private final StageWriter writer;
  private final RunRecord run;
  private final String runId;
  private final Lease lease;

  ChunkLoop(
      RunServices services,
      EventIds ids,
      RunListener listener,
      StageWriter writer,
      RunRecord run,
      Lease lease) {
    this.services = services;
    this.ids = ids;
    this.listener = listener;
    this.writer = writer;
    this.run = run;
    this.runId = run.runId();
    this.lease = lease;
  }

  /** A staged chunk as the commit the checkpoint records: no table version yet. */
  private static TableStore.Commit staged(TableStore.Staged staged) {
    return new TableStore.Commit(-1, staged.rows(), false);
  }

  private void recordRecovered(
      Stage stage, long generation, int index, String key, long version, long rows) {
    services
        .store()
        .transition(
            lease,
            new ChunkTransition.Commit(
                stage.name(),
                generation,
                index,
                key,
                version,
                rows,
                true,
                ids.next(),
                services.clock().instant()));
    listener.chunkRecovered(stage.name(), index, key, version);
  }

  /**
   * Runs the chunks of {@code stage} not committed yet.
   *
   * @param record the stage's checkpoint, RUNNING at this attempt
   * @param location the stage's output table
   * @param base the table's version when the attempt started
   */
  ChunksResult run(
      Stage stage, StageRecord record, RunStageContext context, String location, long base) {
    var store = services.store();
    var tables = services.tables();
    var clock = services.clock();
    var faults = services.faults();
    long generation = DeltaTxn.txnVersion(record);
    ChunkPlan plan =
        record.chunked()
            ? record.chunkPlan()
            : store.planChunks(
                lease,
                stage.name(),
                generation,
                new ChunkPlanning(services, services.sizing()).plan(stage, context, run));
    Map<Integer, ChunkRecord> known = new HashMap<>();
    store.chunks(runId, stage.name(), generation).forEach(c -> known.put(c.index(), c));
    String appId = DeltaTxn.chunkAppId(runId, stage.name(), generation);
    boolean merge = stage.output().mode() == Output.Mode.MERGE;
    // MERGE chunks commit one by one (version i + 1); the others are staged and published by one
    // commit carrying version plan.size().
    long published = plan.size();
    long inDelta = tables.committedTxnVersion(location, appId);
    long committedChunks =
        known.values().stream()
            .filter(c -> c.status() == ChunkRecord.ChunkStatus.COMMITTED)
            .count();
    listener.chunksPlanned(
        stage.name(),
        plan,
        committedChunks,
        merge ? Math.max(0, inDelta) : inDelta >= published ? plan.size() : 0);
    long rows = 0;
    long version = -1;
    // Staged chunks are checked each with what holds for a part, then all together before their
    // publishing commit; MERGE chunks, committing one by one, each with every expectation.
    List<Expectation> perChunk =
        merge ? stage.expectations() : ChunkedGate.perChunk(stage.expectations());
    List<List<CheckResult>> chunkChecks = new ArrayList<>();
    List<String> checkedChunks = new ArrayList<>();
    long checkMillis = 0;
    for (int i = 0; i < plan.size(); i++) {
      Chunk chunk = plan.chunk(i);
      String key = chunk.key();
      long chunkTxn = i + 1L;
      ChunkRecord done = known.get(i);
      if (done != null && done.status() == ChunkRecord.ChunkStatus.COMMITTED) {
        rows += Math.max(0, done.rowsWritten());
        version = Math.max(version, done.outputVersion());
        continue;
      }
      if (merge && inDelta >= chunkTxn) {
        TableStore.Commit found =
            DeltaTxn.loggedCommit(
                tables,
                location,
                appId,
                chunkTxn,
                version + 1,
                " of chunk " + i,
                runId,
                stage.name());
        recordRecovered(stage, generation, i, key, found.version(), found.rowsWritten());
        rows += Math.max(0, found.rowsWritten());
        version = Math.max(version, found.version());
        continue;
      }
      if (!merge && done != null) {
        // Started by an earlier attempt: its files may have been staged before the driver stopped.
        Optional<TableStore.Staged> staged = tables.stagedChunk(location, appId, i);
        if (staged.isPresent()) {
          recordRecovered(stage, generation, i, key, -1, staged.get().rows());
          rows += Math.max(0, staged.get().rows());
          continue;
        }
      }
      if (services.interruption().requested().isPresent()) {
        return new ChunksResult.Stopped(i, plan.size());
      }
      String point = stage.name() + "#" + i;
      store.transition(
          lease,
          new ChunkTransition.Start(stage.name(), generation, i, key, ids.next(), clock.instant()));
      faults.reached(point, FaultPoints.Window.AFTER_START);
      long writeBase = Math.max(base, version);
      int index = i;
      StageWriter.Written written =
          writer.write(
              stage,
              perChunk,
              context.forChunk(chunk),
              !merge,
              (chunkRows, beforeCommit) ->
                  merge
                      ? tables.mergeChunk(
                          chunkRows, stage.output(), location, appId, chunkTxn, writeBase)
                      : staged(
                          tables.stageChunk(
                              chunkRows, stage.output(), location, appId, index, beforeCommit)));
      TableStore.Commit commit = written.commit();
      if (!written.checks().isEmpty()) {
        chunkChecks.add(written.checks());
        checkedChunks.add(i + " (" + key + ")");
      }
      checkMillis += written.checkMillis();
      faults.reached(point, FaultPoints.Window.AFTER_DELTA_COMMIT);
      store.transition(
          lease,
          new ChunkTransition.Commit(
              stage.name(),
              generation,
              i,
              key,
              commit.version(),
              commit.rowsWritten(),
              false,
              ids.next(),
              clock.instant()));
      faults.reached(point, FaultPoints.Window.AFTER_CHECKPOINT);
      listener.chunkCommitted(stage.name(), i, plan.size(), key, commit);
      rows += Math.max(0, commit.rowsWritten());
      version = Math.max(version, commit.version());
    }
    if (!merge) {
      // The one commit readers see: every chunk at once, replacing what the output replaces.
      TableStore.Commit commit;
      List<CheckResult> checks = List.of();
      if (inDelta >= published) {
        commit =
            DeltaTxn.loggedCommit(
                tables, location, appId, published, base + 1, "", runId, stage.name());
      } else {
        if (!stage.expectations().isEmpty()) {
          long started = System.nanoTime();
          List<CheckResult> whole =
              ChunkedGate.evaluate(
                  stage.expectations(),
                  tables.stagedRows(location, appId, plan.size(), ChunkedGate.CHUNK_COLUMN),
                  context::input,
                  i -> i + " (" + plan.chunk(i).key() + ")");
          checkMillis += TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
          checks =
              writer.decide(
                  stage, stage.expectations(), whole); // nothing is published when one failed
        }
        faults.reached(stage.name(), FaultPoints.Window.BEFORE_PUBLISH);
        commit =
            tables.publishChunks(stage.output(), location, appId, published, plan.size(), base);
      }
      listener.chunksPublished(stage.name(), plan.size(), commit);
      return new ChunksResult.Completed(
          new TableStore.Commit(commit.version(), rows, commit.skippedDuplicate()),
          checks,
          checkMillis);
    }
    return new ChunksResult.Completed(
        new TableStore.Commit(version, rows, false),
        ChunkedGate.combine(chunkChecks, checkedChunks),
        checkMillis);
  }
}
