package dev.cairn.cli.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.report.DriverAttempt;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.ChunkDecision;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code cairn status --json}, the documented contract (README, "JSON"). Instants are ISO-8601
 * strings; a value the run or stage does not have yet is {@code null}, except a stage's {@code
 * expectedDurationMs} and {@code chunks}, which are left out. {@code attempts} lists the drivers
 * that held the run, oldest first, each with its Spark application; {@code inputs} the run's input
 * plans ({@link Input}).
 */
public record StatusJson(
    String runId,
    String job,
    String status,
    long epoch,
    String runKey,
    Map<String, String> parameters,
    String createdAt,
    String updatedAt,
    Lease lease,
    String reason,
    String expiresAt,
    List<RerunJson> reruns,
    List<Stage> stages,
    List<Attempt> attempts,
    List<Input> inputs) {

  /**
   * One recorded input plan: what the run reads an input as. {@code scope} is {@code run} for an
   * input the job declared (planned once, shared by every stage) or the name of the stage that
   * planned an undeclared input for itself; {@code snapshot} the run's input snapshot (0, then the
   * rerun that re-planned it) or that stage's generation. A file input has {@code files} and {@code
   * bytes} (and {@code manifest}, where the listing is kept when too big for the checkpoint); a
   * Delta-table input has {@code tableVersion}, the version every stage reads.
   */
  public record Input(
      String name,
      String scope,
      long snapshot,
      String location,
      String plannedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer files,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long bytes,
      @JsonInclude(JsonInclude.Include.NON_NULL) String manifest,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long tableVersion) {

    static Input of(InputPlan p) {
      boolean table = p.isTable();
      return new Input(
          p.name(),
          p.stage().equals(InputPlan.RUN_SCOPE) ? "run" : p.stage(),
          p.generation(),
          p.location(),
          p.plannedAt().toString(),
          table ? null : p.fileCount(),
          table ? null : p.totalBytes(),
          p.manifest().map(InputPlan.Manifest::location).orElse(null),
          table ? p.tableVersion() : null);
    }
  }

  /**
   * One driver that held the run: its epoch, where it ran, how it ended ({@code succeeded}, {@code
   * failed}, {@code interrupted}, {@code lease lost}, {@code killed}, {@code running}), and its
   * Spark application id and event log directory ({@code null} until it started Spark, or with the
   * event log off).
   */
  public record Attempt(
      long epoch,
      String host,
      Long pid,
      String startedAt,
      String lastSeenAt,
      String ended,
      String sparkAppId,
      String eventLogDir) {

    static Attempt of(DriverAttempt a) {
      return new Attempt(
          a.epoch(),
          a.host(),
          a.pid() < 0 ? null : a.pid(),
          a.startedAt().toString(),
          a.lastSeenAt().toString(),
          a.ending().label(),
          a.sparkAppId().orElse(null),
          a.eventLogDir().orElse(null));
    }
  }

  /** The driver holding the run and whether it still renews its lease. */
  public record Lease(String host, long pid, String since, String expiresAt, String state) {}

  /** One {@code cairn rerun} recorded on the run. */
  public record RerunJson(
      String at,
      String from,
      List<String> stages,
      Map<String, ParameterChangeJson> parameterChanges,
      String by) {}

  /** A stage in the job's order; {@code metrics} is {@code null} until an attempt is measured. */
  public record Stage(
      String name,
      String status,
      int attempts,
      String outputTable,
      Long outputVersion,
      Long rowsWritten,
      boolean recovered,
      boolean skippedDuplicate,
      String txnAppId,
      Long txnVersion,
      String startedAt,
      String finishedAt,
      String errorClass,
      String errorMessage,
      List<Check> checks,
      Metrics metrics,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long expectedDurationMs,
      @JsonInclude(JsonInclude.Include.NON_NULL) Chunks chunks) {}

  /** A data check of the stage's output. */
  public record Check(
      String check,
      boolean passed,
      String detail,
      String severity,
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean provenByPlan) {

    static Check of(CheckResult c) {
      return new Check(
          c.check(),
          c.passed(),
          c.detail(),
          c.severity().name(),
          c.provenByPlan() ? Boolean.TRUE : null);
    }
  }

  /** The Spark counters of the stage's last measured attempt. */
  public record Metrics(
      long durationMs,
      long recordsRead,
      long bytesRead,
      long recordsWritten,
      long bytesWritten,
      long shuffleBytes,
      long spillBytes,
      long failedTasks,
      long executorsLost,
      long sparkJobMs,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long checkMs) {

    static Metrics of(StageMetrics m) {
      if (m.durationMs() < 0) {
        return null;
      }
      return new Metrics(
          m.durationMs(),
          m.recordsRead(),
          m.bytesRead(),
          m.recordsWritten(),
          m.bytesWritten(),
          m.shuffleBytes(),
          m.spillBytes(),
          m.failedTasks(),
          m.executorsLost(),
          m.sparkJobMs(),
          m.checkMs() >= 0 ? m.checkMs() : null);
    }
  }

  /**
   * A chunked stage's progress, and how its units were grouped into chunks.
   *
   * @param units the units its planner named
   * @param sizing the sizing decision; absent for a plan made before the runtime sized chunks
   */
  public record Chunks(
      int total,
      int committed,
      int reexecuted,
      int units,
      @JsonInclude(JsonInclude.Include.NON_NULL) Sizing sizing) {}

  /**
   * Why the units were grouped so (seconds; null where unknown).
   *
   * @param summary the line {@code status} prints
   */
  public record Sizing(
      String summary,
      double fixedCostSeconds,
      String fixedCostBasis,
      Double expectedSeconds,
      String expectedBasis,
      double mtbiSeconds,
      double tauSeconds,
      double capSeconds,
      String capBasis,
      double overheadBudget,
      Double targetSeconds) {

    static Sizing of(ChunkDecision d) {
      return new Sizing(
          d.describe(),
          d.fixedCostSeconds(),
          d.fixedCostBasis(),
          Double.isNaN(d.expectedSeconds()) ? null : d.expectedSeconds(),
          d.expectedBasis(),
          d.mtbiSeconds(),
          d.tauSeconds(),
          d.capSeconds(),
          d.capBasis(),
          d.overheadBudget(),
          Double.isNaN(d.targetSeconds()) ? null : d.targetSeconds());
    }
  }

  public static StatusJson of(CairnRuntime.RunView view) {
    return of(view, List.of());
  }

  /** The status of {@code view}, whose run was held by {@code attempts}. */
  public static StatusJson of(CairnRuntime.RunView view, List<DriverAttempt> attempts) {
    RunRecord run = view.run();
    return new StatusJson(
        run.runId(),
        run.job(),
        run.status().name(),
        run.epoch(),
        run.runKey(),
        new TreeMap<>(run.parameters()),
        run.createdAt().toString(),
        run.updatedAt().toString(),
        run.holder()
            .map(
                h ->
                    new Lease(
                        h.host(),
                        h.pid(),
                        run.leaseSince().toString(),
                        run.leaseExpiresAt().toString(),
                        view.leaseState().name()))
            .orElse(null),
        run.reason().isEmpty() ? null : run.reason(),
        run.expiresAt().map(Instant::toString).orElse(null),
        run.reruns().stream()
            .map(
                r ->
                    new RerunJson(
                        r.at().toString(),
                        r.from(),
                        r.stages(),
                        ParameterChangeJson.byName(r.parameterChanges()),
                        r.by()))
            .toList(),
        view.stages().stream().map(s -> stage(s, view)).toList(),
        attempts.stream().map(Attempt::of).toList(),
        view.inputs().stream().map(Input::of).toList());
  }

  private static Stage stage(StageRecord stage, CairnRuntime.RunView view) {
    CairnRuntime.ChunkProgress progress = view.chunks().get(stage.stage());
    return new Stage(
        stage.stage(),
        stage.status().name(),
        stage.attempts(),
        stage.outputTable(),
        stage.outputVersion() < 0 ? null : stage.outputVersion(),
        stage.rowsWritten() < 0 ? null : stage.rowsWritten(),
        stage.recovered(),
        stage.skippedDuplicate(),
        stage.txnAppId().isEmpty() ? null : stage.txnAppId(),
        stage.txnVersion() <= 0 ? null : stage.txnVersion(),
        stage.startedAt().map(Instant::toString).orElse(null),
        stage.finishedAt().map(Instant::toString).orElse(null),
        stage.errorClass().orElse(null),
        stage.errorMessage().orElse(null),
        stage.checks().stream().map(Check::of).toList(),
        Metrics.of(stage.metrics()),
        view.expectedDurations().get(stage.stage()),
        progress == null
            ? null
            : new Chunks(
                progress.total(),
                progress.committed(),
                progress.reexecuted(),
                stage.chunkPlan().units().size(),
                stage.chunkPlan().decision().map(Sizing::of).orElse(null)));
  }
}
