package dev.cairn.cli;

import dev.cairn.cli.json.JsonOutput;
import dev.cairn.cli.json.StatusJson;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.report.DriverAttempt;
import dev.cairn.internal.report.Sizes;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn status}: a run's stages as a table, or as the JSON of {@link StatusJson}. */
@Command(
    name = "status",
    description = "A run's stages (states, attempts, Delta versions, rows), inputs and drivers.")
final class StatusCommand extends CliCommand {
  @Parameters(index = "0", description = "The run id (see `cairn runs`).")
  String runId;

  @Option(names = "--json", description = "Print JSON (the documented contract).")
  boolean json;

  @Override
  public Integer call() {
    CairnRuntime.RunView view =
        runtime().status(runId).orElseThrow(() -> RunErrors.noSuchRun(runId));
    List<DriverAttempt> attempts = runtime().attempts(runId);
    if (json) {
      out().println(JsonOutput.write(StatusJson.of(view, attempts)));
    } else {
      printStatus(view, out());
      printInputs(view.inputs(), out());
      printAttempts(attempts, out());
    }
    return done();
  }

  private static void printStatus(CairnRuntime.RunView view, PrintWriter out) {
    RunRecord run = view.run();
    out.printf("Run     %s  (job %s)%n", run.runId(), run.job());
    out.printf("Key     %s%n", run.runKey());
    out.printf(
        "Status  %s  epoch %d%s%n",
        run.status(),
        run.epoch(),
        run.holder()
            .map(
                h ->
                    "  held by "
                        + h.describe()
                        + " since "
                        + run.leaseSince()
                        + ", lease until "
                        + run.leaseExpiresAt())
            .orElse(""));
    switch (view.leaseState()) {
      case EXPIRED ->
          out.printf(
              "        The lease has expired: that driver stopped renewing it. `cairn resume %s`"
                  + " takes over.%n",
              run.runId());
      case HOLDER_GONE ->
          out.printf(
              "        That process is no longer running on this host. `cairn resume %s` takes"
                  + " over at once.%n",
              run.runId());
      default -> {}
    }
    if (!run.reason().isEmpty()) {
      out.printf("Reason  %s%n", run.reason());
    }
    for (dev.cairn.internal.store.Rerun rerun : run.reruns()) {
      out.printf(
          "Rerun   %s from %s by %s%s%n",
          rerun.at(),
          rerun.from(),
          rerun.by(),
          rerun.parameterChanges().isEmpty()
              ? ""
              : "; "
                  + new TreeMap<>(rerun.parameterChanges())
                      .entrySet().stream()
                          .map(
                              e ->
                                  e.getKey()
                                      + ": "
                                      + e.getValue().before()
                                      + " -> "
                                      + e.getValue().after())
                          .collect(Collectors.joining(", ")));
    }
    run.expiresAt()
        .ifPresent(at -> out.printf("Expires %s (its checkpoints are deleted then)%n", at));
    out.println();
    out.printf(
        "%-22s %-10s %8s %8s %12s %10s  %s%n",
        "STAGE", "STATUS", "ATTEMPTS", "VERSION", "ROWS", "DURATION", "TABLE");
    for (StageRecord stage : view.stages()) {
      String note =
          stage.recovered() ? " (recovered)" : stage.skippedDuplicate() ? " (dup skipped)" : "";
      out.printf(
          "%-22s %-10s %8d %8s %12s %10s  %s%s%n",
          stage.stage(),
          stage.status(),
          stage.attempts(),
          stage.outputVersion() < 0 ? "-" : Long.toString(stage.outputVersion()),
          stage.rowsWritten() < 0 ? "-" : Long.toString(stage.rowsWritten()),
          duration(stage, view.now(), view.expectedDurations().get(stage.stage())),
          stage.outputTable(),
          note);
      CairnRuntime.ChunkProgress progress = view.chunks().get(stage.stage());
      if (progress != null) {
        out.printf("    chunks %s%n", progressBar(progress));
        stage.chunkPlan().decision().ifPresent(d -> out.printf("    sizing %s%n", d.describe()));
      }
      stage
          .errorClass()
          .ifPresent(c -> out.printf("    error (%s): %s%n", c, stage.errorMessage().orElse("")));
      for (CheckResult check : stage.checks()) {
        out.printf(
            "    check %s %s: %s%s%n",
            check.passed() ? "passed" : check.blocks() ? "FAILED" : "WARNED",
            check.check(),
            check.detail(),
            check.provenByPlan() ? " (proven by the query plan: no rows read)" : "");
      }
    }
  }

  /**
   * One line per recorded input plan: the snapshot every stage reads. A stage-scoped plan (an input
   * the job did not declare) names its stage.
   */
  private static void printInputs(List<InputPlan> inputs, PrintWriter out) {
    if (inputs.isEmpty()) {
      return;
    }
    out.println();
    out.printf("%-22s %-14s %8s  %-24s %s%n", "INPUT", "SCOPE", "SNAPSHOT", "PLANNED", "READ AS");
    for (InputPlan p : inputs) {
      out.printf(
          "%-22s %-14s %8d  %-24s %s%n",
          p.name(),
          p.stage().equals(InputPlan.RUN_SCOPE) ? "run" : "stage " + p.stage(),
          p.generation(),
          p.plannedAt().truncatedTo(ChronoUnit.SECONDS),
          readAs(p));
    }
  }

  /** "Delta table at version 3: /w/t", "2 files, 1.5 MiB: /in", "4,000 files, ... (manifest m)". */
  private static String readAs(InputPlan p) {
    if (p.isTable()) {
      return "Delta table at version " + p.tableVersion() + ": " + p.location();
    }
    int files = p.fileCount();
    return String.format(Locale.ROOT, "%,d file%s", files, files == 1 ? "" : "s")
        + ", "
        + Sizes.bytes(p.totalBytes())
        + ": "
        + p.location()
        + p.manifest().map(m -> " (listed in manifest " + m.location() + ")").orElse("");
  }

  /** One line per driver that held the run, with its Spark application (History Server's id). */
  private static void printAttempts(List<DriverAttempt> attempts, PrintWriter out) {
    if (attempts.isEmpty()) {
      return;
    }
    out.println();
    out.printf("%-6s %-28s %-12s %-26s %s%n", "EPOCH", "DRIVER", "ENDED", "SPARK APP", "EVENT LOG");
    for (DriverAttempt a : attempts) {
      out.printf(
          "%-6d %-28s %-12s %-26s %s%n",
          a.epoch(),
          a.describeDriver(),
          a.ending().label(),
          a.sparkAppId().orElse("-"),
          a.eventLogDir().orElse("-"));
    }
  }

  /** A committed stage's duration, or how long the running attempt has run so far ("12s+"). */
  private static String duration(StageRecord stage, Instant now, Long expectedMs) {
    if (stage.status() == StageStatus.RUNNING && stage.startedAt().isPresent()) {
      long elapsed = Duration.between(stage.startedAt().get(), now).toMillis();
      String sofar = seconds(elapsed) + "+";
      if (expectedMs == null) {
        return sofar;
      }
      // ETA from the job's last succeeded run of this stage.
      return sofar + " ETA " + seconds(Math.max(0, expectedMs - elapsed));
    }
    return stage.metrics().durationMs() < 0 ? "-" : seconds(stage.metrics().durationMs());
  }

  /** "[#########-----------] 9/20 committed, 1 re-executed": 20 cells, one per 5 %. */
  static String progressBar(CairnRuntime.ChunkProgress progress) {
    int cells = 20;
    int filled =
        progress.total() == 0 ? 0 : (int) ((long) progress.committed() * cells / progress.total());
    return "["
        + "#".repeat(filled)
        + "-".repeat(cells - filled)
        + "] "
        + progress.committed()
        + "/"
        + progress.total()
        + " committed"
        + (progress.reexecuted() == 0 ? "" : ", " + progress.reexecuted() + " re-executed");
  }

  private static String seconds(long millis) {
    return millis < 10_000
        ? String.format(Locale.ROOT, "%.1fs", millis / 1000.0)
        : (millis / 1000) + "s";
  }
}
