package dev.cairn.internal.engine;

import dev.cairn.Input;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.internal.errors.InputErrors;
import dev.cairn.internal.input.HadoopInputLister;
import dev.cairn.internal.input.InputPlanner;
import dev.cairn.internal.input.LogStoreManifests;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The run's one snapshot of its declared inputs ({@link Input}): planned once, by the first stage
 * attempt of the run (every input declared by a stage not yet committed: files listed, Delta tables
 * pinned at their latest version), and read by every stage and attempt from the recorded plans. A
 * stage's plans are those of the run's input snapshot it belongs to: 0, or the number of the last
 * {@code cairn rerun} that reran it (a rerun re-plans the inputs of the stages it reruns, and only
 * theirs). Inputs a stage reads without declaring them are planned by that stage alone ({@link
 * InputPlanner#files}). One per driver's work on a run; not thread-safe (stages run one at a time).
 */
final class RunInputs {
  private static final Logger LOG = LogManager.getLogger(RunInputs.class);

  private final RunServices services;
  private final Lease lease;
  private final List<Rerun> reruns;
  private final Parameters parameters;
  private final List<Stage> toRun;
  private final InputPlanner planner;
  private final Map<String, Long> pinned = new HashMap<>();

  /** Plans this driver made in the attempt in flight, by input and snapshot, until first read. */
  private final Map<String, InputPlanner.Planned> plannedNow = new HashMap<>();

  private boolean planned;

  /**
   * @param run the run as recorded now, with any rerun this driver recorded (its reruns decide each
   *     stage's snapshot)
   * @param toRun the stages not committed when this driver began, in execution order
   */
  RunInputs(
      RunServices services, Lease lease, RunRecord run, Parameters parameters, List<Stage> toRun) {
    this.services = services;
    this.lease = lease;
    this.reruns = run.reruns();
    this.parameters = parameters;
    this.toRun = List.copyOf(toRun);
    var spark = services.spark();
    this.planner =
        new InputPlanner(
            services.store(),
            location ->
                new HadoopInputLister(spark.get().sparkContext().hadoopConfiguration())
                    .list(location),
            new LogStoreManifests(spark, services.tables().location("_cairn") + "/inputs"),
            services.clock());
  }

  /**
   * Plans every input declared by a stage still to run, unless planned already (by this driver or
   * an earlier one). Called at the start of each stage attempt, so a failure is that attempt's;
   * plans only once per driver. Errors name the first stage declaring the input.
   */
  void planDeclared() {
    if (planned) {
      plannedNow.clear(); // a later attempt lists again to verify
      return;
    }
    Map<String, Stage> firstReader = new LinkedHashMap<>();
    Map<String, Input> declared = new LinkedHashMap<>();
    for (Stage stage : toRun) {
      for (Input input : stage.inputs()) {
        String key = key(input.name(), snapshot(stage.name()));
        declared.putIfAbsent(key, input);
        firstReader.putIfAbsent(key, stage);
      }
    }
    for (Map.Entry<String, Input> entry : declared.entrySet()) {
      Input input = entry.getValue();
      Stage stage = firstReader.get(entry.getKey());
      long snapshot = snapshot(stage.name());
      if (input.kind() == Input.Kind.FILES) {
        planner
            .planRunInput(lease, snapshot, input.name(), location(input), stage.name())
            .ifPresent(plan -> plannedNow.put(entry.getKey(), plan));
      } else {
        pin(stage, input, snapshot);
      }
    }
    planned = true;
  }

  /**
   * The files of {@code parameterOrPath} for {@code stage}: the run's plan when the stage declared
   * it, else the stage's own plan at {@code generation}.
   */
  List<String> files(Stage stage, long generation, String parameterOrPath) {
    String location = parameters.optional(parameterOrPath).orElse(parameterOrPath);
    if (declared(stage, parameterOrPath, Input.Kind.FILES)) {
      long snapshot = snapshot(stage.name());
      return planner.runInputFiles(
          lease,
          snapshot,
          parameterOrPath,
          location,
          stage.name(),
          Optional.ofNullable(plannedNow.remove(key(parameterOrPath, snapshot))));
    }
    return planner.files(lease, stage.name(), generation, parameterOrPath, location);
  }

  /**
   * The declared Delta-table input {@code parameterOrPath} of {@code stage}, at its pinned version.
   */
  Dataset<Row> table(Stage stage, String parameterOrPath) {
    if (!declared(stage, parameterOrPath, Input.Kind.DELTA_TABLE)) {
      throw new IllegalArgumentException(
          "stage '"
              + stage.name()
              + "' reads table input '"
              + parameterOrPath
              + "' but does not declare it. Fix: add .reads(Input.deltaTable(\""
              + parameterOrPath
              + "\")) to its definition");
    }
    Input input = Input.deltaTable(parameterOrPath);
    long snapshot = snapshot(stage.name());
    long version = pin(stage, input, snapshot);
    String location = location(input);
    try {
      return services.tables().read(location, version);
    } catch (Exception e) { // Scala throws AnalysisException (checked in Java) undeclared
      if (e instanceof AnalysisException gone) {
        throw InputErrors.pinnedVersionGone(
            lease.runId(), stage.name(), parameterOrPath, location, version, gone);
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  /** The version {@code input} is read at in {@code snapshot}, pinned now if it was not. */
  private long pin(Stage stage, Input input, long snapshot) {
    String key = key(input.name(), snapshot);
    Long known = pinned.get(key);
    if (known != null) {
      return known;
    }
    String runId = lease.runId();
    Optional<InputPlan> recorded =
        services.store().findPlan(runId, InputPlan.RUN_SCOPE, input.name(), snapshot);
    InputPlan plan;
    if (recorded.isPresent()) {
      plan = recorded.get();
    } else {
      String location = location(input);
      long latest = services.tables().currentVersion(location);
      if (latest < 0) {
        throw InputErrors.notADeltaTable(runId, stage.name(), input.name(), location);
      }
      plan =
          services
              .store()
              .recordPlan(
                  lease,
                  new InputPlan(
                      runId,
                      InputPlan.RUN_SCOPE,
                      input.name(),
                      snapshot,
                      location,
                      List.of(),
                      Optional.empty(),
                      latest,
                      services.clock().instant()));
      LOG.info(
          "Input table {} ({}) pinned at version {}: every stage of the run reads it there",
          input.name(),
          location,
          plan.tableVersion());
    }
    pinned.put(key, plan.tableVersion());
    return plan.tableVersion();
  }

  /**
   * The run's input snapshot {@code stage} reads: 0, or the last rerun that reran it or found it
   * unfinished (so a stage that never committed reads what the rerun's stages read).
   */
  long snapshot(String stage) {
    long snapshot = 0;
    for (int i = 0; i < reruns.size(); i++) {
      if (reruns.get(i).replans(stage)) {
        snapshot = i + 1;
      }
    }
    return snapshot;
  }

  private static boolean declared(Stage stage, String name, Input.Kind kind) {
    return stage.inputs().stream().anyMatch(i -> i.name().equals(name) && i.kind() == kind);
  }

  private String location(Input input) {
    return parameters.optional(input.name()).orElse(input.name());
  }

  private static String key(String input, long snapshot) {
    return input + "#" + snapshot;
  }
}
