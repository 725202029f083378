package dev.cairn.internal.engine;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.internal.errors.JobErrors;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What {@code cairn rerun <runId> --from <stage>} does to a run: the stage and everything
 * downstream of it, each invalidated and written again as the next generation of its Delta
 * transaction; the stages kept as committed; the parameters changed. Immutable; computing it has no
 * side effect, so {@code --dry-run} prints exactly what a rerun would do.
 *
 * @param run the run as read when planning
 * @param from the stage the rerun starts from
 * @param stages the stages invalidated and run again, in execution order
 * @param kept the committed stages left as they are; the rerun reads them at their recorded
 *     versions
 * @param unfinished stages neither committed nor invalidated: the rerun completes them as a resume
 *     would
 * @param parameterChanges the parameters whose value changes, by name
 * @param parameters the run's effective parameters after the rerun
 */
public record RerunPlan(
    RunRecord run,
    String from,
    List<PlannedStage> stages,
    List<StageRecord> kept,
    List<StageRecord> unfinished,
    Map<String, Rerun.ParameterChange> parameterChanges,
    Map<String, String> parameters) {

  public RerunPlan {
    stages = List.copyOf(stages);
    kept = List.copyOf(kept);
    unfinished = List.copyOf(unfinished);
    parameterChanges = Map.copyOf(parameterChanges);
    parameters = Map.copyOf(parameters);
  }

  /**
   * One stage the rerun invalidates.
   *
   * @param status its state before the rerun (PENDING when it has no checkpoint)
   * @param outputVersion the Delta version of its last commit, or -1
   * @param txnVersion the transaction version of its last write (0 when it never wrote)
   * @param nextTxnVersion the transaction version its rerun writes with: one above the highest the
   *     checkpoint or the table holds, so Delta never skips it as a duplicate of an earlier
   *     generation
   * @param output where and how it writes (after the parameter changes)
   * @param outputTable the output table's location
   */
  public record PlannedStage(
      String name,
      StageStatus status,
      long outputVersion,
      long txnVersion,
      long nextTxnVersion,
      Output output,
      String outputTable) {}

  /** Where a stage's output lives and which transaction versions its table holds. */
  public interface Tables {
    String location(String table);

    /** The highest transaction version {@code appId} committed to the table, or -1 if unknown. */
    long committedTxnVersion(String location, String appId);

    /** Tables known only by location: the checkpoints alone decide the next versions. */
    static Tables checkpointsOnly(Function<String, String> location) {
      return new Tables() {
        @Override
        public String location(String table) {
          return location.apply(table);
        }

        @Override
        public long committedTxnVersion(String location, String appId) {
          return -1;
        }
      };
    }
  }

  /**
   * Plans the rerun of {@code run} from stage {@code from}, with {@code changes} applied to its
   * parameters.
   *
   * @param records the run's stage checkpoints
   * @throws InvalidParameterException for a stage the job does not have, a parameter it does not
   *     declare, a blank value, or parameters its stages refuse; nothing was changed
   */
  public static RerunPlan of(
      CairnJob job,
      RunRecord run,
      List<StageRecord> records,
      String from,
      Map<String, String> changes,
      Tables tables) {
    Set<String> declared =
        job.parameters().stream()
            .map(Parameter::name)
            .collect(Collectors.toCollection(TreeSet::new));
    Map<String, Rerun.ParameterChange> changed = new TreeMap<>();
    Map<String, String> parameters = new TreeMap<>(run.parameters());
    for (Map.Entry<String, String> change : new TreeMap<>(changes).entrySet()) {
      String name = change.getKey();
      if (!declared.contains(name)) {
        throw JobErrors.unknownRerunParameter(job.name(), name, declared);
      }
      if (change.getValue() == null || change.getValue().isBlank()) {
        throw JobErrors.rerunParameterWithoutValue(name);
      }
      String before = parameters.get(name);
      if (!change.getValue().equals(before)) {
        changed.put(
            name, new Rerun.ParameterChange(before == null ? "" : before, change.getValue()));
        parameters.put(name, change.getValue());
      }
    }
    StageGraph graph = StageGraph.of(job.name(), job.stages(Parameters.of(parameters)));
    if (graph.stage(from) == null) {
      throw JobErrors.noStageToRerunFrom(run.runId(), job.name(), from, graph.names());
    }
    Map<String, StageRecord> byName = new HashMap<>();
    records.forEach(r -> byName.put(r.stage(), r));
    List<PlannedStage> planned = new ArrayList<>();
    for (Stage stage : graph.downstreamOf(from)) {
      String location = tables.location(stage.output().table());
      StageRecord record = byName.get(stage.name());
      long txn = record == null ? 0 : record.txnVersion();
      long inTable =
          tables.committedTxnVersion(location, DeltaTxn.appId(run.runId(), stage.name()));
      planned.add(
          new PlannedStage(
              stage.name(),
              record == null ? StageStatus.PENDING : record.status(),
              record == null ? -1 : record.outputVersion(),
              txn,
              Math.max(Math.max(txn, inTable), 0) + 1,
              stage.output(),
              location));
    }
    if (planned.size() > CheckpointStore.MAX_RERUN_STAGES) {
      throw JobErrors.rerunTooWide(from, planned.size(), CheckpointStore.MAX_RERUN_STAGES);
    }
    Set<String> rerun = planned.stream().map(PlannedStage::name).collect(Collectors.toSet());
    List<StageRecord> kept = new ArrayList<>();
    List<StageRecord> unfinished = new ArrayList<>();
    for (Stage stage : graph.order()) {
      if (rerun.contains(stage.name())) {
        continue;
      }
      StageRecord record =
          byName.getOrDefault(
              stage.name(),
              StageRecord.pending(
                  run.runId(), stage.name(), tables.location(stage.output().table())));
      (record.status() == StageStatus.COMMITTED ? kept : unfinished).add(record);
    }
    return new RerunPlan(run, from, planned, kept, unfinished, changed, parameters);
  }

  /** The names of the stages run again, in order. */
  public List<String> stageNames() {
    return stages.stream().map(PlannedStage::name).toList();
  }

  /**
   * The record of this rerun for the run item; its unfinished stages are those it re-plans the
   * inputs of besides its own (every unfinished stage but a chunked one whose chunk plan is
   * frozen).
   */
  Rerun record(Instant at, String by) {
    return new Rerun(
        UUID.randomUUID().toString(),
        at,
        from,
        stageNames(),
        parameterChanges,
        by,
        // A chunked stage with a frozen chunk plan may hold staged chunks that read its snapshot:
        // its remaining chunks read that snapshot too.
        unfinished.stream().filter(r -> !r.chunked()).map(StageRecord::stage).toList());
  }

  /** The transitions that invalidate the planned stages. */
  List<StageTransition.Invalidate> invalidations(Instant at) {
    return stages.stream()
        .map(
            s ->
                new StageTransition.Invalidate(
                    s.name(),
                    s.outputTable(),
                    DeltaTxn.appId(run.runId(), s.name()),
                    s.nextTxnVersion(),
                    UUID.randomUUID().toString(),
                    at))
        .toList();
  }
}
