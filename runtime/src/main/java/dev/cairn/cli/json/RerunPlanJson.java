package dev.cairn.cli.json;

import dev.cairn.internal.engine.RerunPlan;
import dev.cairn.internal.store.StageRecord;
import java.util.List;
import java.util.Map;

/**
 * {@code cairn rerun --dry-run --json}: the stages a rerun would run again, in order, those kept as
 * committed, those not committed yet, and the parameter changes by name.
 */
public record RerunPlanJson(
    String runId,
    String job,
    String status,
    String from,
    boolean dryRun,
    List<Stage> stages,
    List<Kept> kept,
    List<Unfinished> unfinished,
    Map<String, ParameterChangeJson> parameterChanges) {

  /**
   * A stage to run again; {@code outputVersion} and {@code txnVersion} are {@code null} when it has
   * none yet.
   */
  public record Stage(
      String name,
      String status,
      Long outputVersion,
      Long txnVersion,
      long nextTxnVersion,
      String mode,
      String outputTable) {}

  /** A stage kept as committed, read at this version. */
  public record Kept(String name, long outputVersion) {}

  /** A stage not committed yet, completed by the rerun as by a resume. */
  public record Unfinished(String name, String status) {}

  /** The plan as {@code cairn rerun --dry-run --json} prints it ({@code dryRun} is true). */
  public static RerunPlanJson ofDryRun(RerunPlan plan) {
    return new RerunPlanJson(
        plan.run().runId(),
        plan.run().job(),
        plan.run().status().name(),
        plan.from(),
        true,
        plan.stages().stream()
            .map(
                s ->
                    new Stage(
                        s.name(),
                        s.status().name(),
                        s.outputVersion() < 0 ? null : s.outputVersion(),
                        s.txnVersion() <= 0 ? null : s.txnVersion(),
                        s.nextTxnVersion(),
                        s.output().mode().name(),
                        s.outputTable()))
            .toList(),
        plan.kept().stream().map(s -> new Kept(s.stage(), s.outputVersion())).toList(),
        plan.unfinished().stream().map(RerunPlanJson::unfinished).toList(),
        ParameterChangeJson.byName(plan.parameterChanges()));
  }

  private static Unfinished unfinished(StageRecord stage) {
    return new Unfinished(stage.stage(), stage.status().name());
  }
}
