package dev.cairn.internal.engine;

import dev.cairn.Chunk;
import dev.cairn.Stage;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.ChunkTransition;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the chunks of a chunked stage that are not committed yet, in plan order, in one attempt. The
 * plan (the planner's units grouped into chunks by {@link ChunkPlanning}) is frozen in the stage's
 * checkpoint the first time (per generation); a chunk whose Delta commit is in the log but not in
 * its checkpoint (the driver died between the two) is recorded without recomputing, as for stages.
 * Each chunk costs two store writes, started and committed, each fenced by the lease, around its
 * own Delta commit (see docs/ARCHITECTURE.md). A stop request is honoured between chunks, never
 * inside one.
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
    long inDelta = tables.committedTxnVersion(location, appId);
    long committedChunks =
        known.values().stream()
            .filter(c -> c.status() == ChunkRecord.ChunkStatus.COMMITTED)
            .count();
    listener.chunksPlanned(stage.name(), plan, committedChunks, Math.max(0, inDelta));
    long rows = 0;
    long version = -1;
    List<CheckResult> checks = List.of();
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
      if (inDelta >= chunkTxn) {
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
        store.transition(
            lease,
            new ChunkTransition.Commit(
                stage.name(),
                generation,
                i,
                key,
                found.version(),
                found.rowsWritten(),
                true,
                ids.next(),
                clock.instant()));
        listener.chunkRecovered(stage.name(), i, key, found.version());
        rows += Math.max(0, found.rowsWritten());
        version = Math.max(version, found.version());
        continue;
      }
      if (services.interruption().requested().isPresent()) {
        return new ChunksResult.Stopped(i, plan.size());
      }
      String point = stage.name() + "#" + i;
      store.transition(
          lease,
          new ChunkTransition.Start(stage.name(), generation, i, key, ids.next(), clock.instant()));
      faults.reached(point, FaultPoints.Window.AFTER_START);
      boolean first = i == 0;
      long writeBase = Math.max(base, version);
      StageWriter.Written written =
          writer.write(
              stage,
              context.forChunk(chunk),
              chunkRows ->
                  tables.writeChunk(
                      chunkRows, stage.output(), first, location, appId, chunkTxn, writeBase));
      TableStore.Commit commit = written.commit();
      checks = written.checks();
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
    return new ChunksResult.Completed(new TableStore.Commit(version, rows, false), checks);
  }
}
