package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.InvalidParameterException;
import dev.cairn.cli.json.HistoryJson;
import dev.cairn.cli.json.JsonOutput;
import dev.cairn.cli.json.RerunPlanJson;
import dev.cairn.cli.json.RunJson;
import dev.cairn.cli.json.StatusJson;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.engine.RerunPlan;
import dev.cairn.internal.engine.RunOutcome;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn} command. Thin: it parses, calls {@link CairnRuntime}, and prints through the
 * command's writers, so tests run it in-process.
 */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    version = "cairn 0.1.0",
    description =
        "Runs Spark batch jobs that survive being killed: checkpointed, resumable stages.",
    subcommands = {
      CairnCli.Run.class,
      CairnCli.Resume.class,
      CairnCli.Status.class,
      CairnCli.Runs.class,
      CairnCli.History.class,
      CairnCli.Lease.class,
      CairnCli.Rerun.class,
      CairnCli.Runbook.class,
      CairnCli.Init.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failed (permanent); `cairn runbook` says which stage, why, and how to recover",
      "2:usage error",
      "3:the run is held by another driver",
      "4:state unknown; `cairn resume` decides",
      "75:interrupted; resume later"
    })
public final class CairnCli {
  private static final Logger LOG = LogManager.getLogger(CairnCli.class);

  private final Supplier<CairnRuntime> runtimes;
  private CairnRuntime runtime;

  public CairnCli(Supplier<CairnRuntime> runtimes) {
    this.runtimes = runtimes;
  }

  /** Entry point of the launcher and of {@code spark-submit}. */
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    int code =
        commandLine(
                () ->
                    new CairnRuntime(
                        CairnConfig.fromEnvironment(env), JobCatalog.fromClasspath(), env))
            .execute(args);
    System.exit(code);
  }

  /** The command line, with the exit code mapper and error printing wired in. */
  public static CommandLine commandLine(Supplier<CairnRuntime> runtimes) {
    CairnCli cli = new CairnCli(runtimes);
    CommandLine commandLine = new CommandLine(cli);
    commandLine.setExecutionExceptionHandler(
        (failure, cmd, parsed) -> {
          if (failure instanceof CairnException) {
            LOG.debug("Command failed", failure);
          } else {
            LOG.error("Command failed unexpectedly", failure);
          }
          cmd.getErr().println("cairn: " + failure.getMessage());
          cmd.getErr().flush();
          return ExitCodes.of(failure);
        });
    commandLine.setExitCodeExceptionMapper(ExitCodes::of);
    return commandLine;
  }

  CairnRuntime runtime() {
    return runtime(UnaryOperator.identity());
  }

  /** The runtime, built on first use with the configuration {@code adjust} makes. */
  CairnRuntime runtime(UnaryOperator<CairnConfig> adjust) {
    if (runtime == null) {
      runtime = runtimes.get().reconfigured(adjust);
    }
    return runtime;
  }

  /**
   * Closes the runtime if a command built one. A command refused before it needed the runtime (a
   * usage error) builds none, so a broken environment cannot hide the usage error.
   */
  void closeRuntime() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** {@code --master}: the Spark master of the commands that run something. */
  static final class MasterOption {
    @Option(
        names = "--master",
        paramLabel = "<url>",
        description =
            "The Spark master: local[*], spark://host:7077, yarn, k8s://... Wins over"
                + " CAIRN_SPARK_MASTER (default: local[*]); under spark-submit, give it there.")
    String master;

    CairnConfig apply(CairnConfig config) {
      return master == null ? config : config.withSparkMaster(master);
    }
  }

  /** Shared by the subcommands that run something. */
  abstract static class RunningCommand implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin MasterOption master = new MasterOption();

    CairnRuntime runtime() {
      return parent.runtime(master::apply);
    }

    int report(RunOutcome outcome) {
      PrintWriter out = spec.commandLine().getOut();
      if (outcome.alreadySucceeded()) {
        out.printf("Run %s already SUCCEEDED; nothing to do.%n", outcome.runId());
      } else {
        out.printf(
            "Run %s %s (epoch %d): %d executed, %d skipped (already committed), %d recovered"
                + " from the Delta log.%n",
            outcome.runId(),
            outcome.status(),
            outcome.epoch(),
            outcome.executed().size(),
            outcome.skipped().size(),
            outcome.recovered().size());
      }
      out.printf("Details: cairn status %s%n", outcome.runId());
      out.flush();
      return ExitCodes.SUCCESS;
    }

    <T> T closing(Supplier<T> work) {
      try {
        return work.get();
      } finally {
        parent.closeRuntime();
      }
    }
  }

  @Command(
      name = "run",
      description =
          "Start the run of a job for these parameters, or resume it if it exists (the run id"
              + " is derived from the job and its parameters).")
  static final class Run extends RunningCommand {
    @Parameters(index = "0", description = "The job, e.g. flights-daily.")
    String job;

    @Option(
        names = {"-p", "--param"},
        description = "A job parameter, key=value; repeatable.")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() {
      return closing(() -> report(runtime().run(job, params)));
    }
  }

  @Command(name = "resume", description = "Continue a run from its first incomplete stage.")
  static final class Resume extends RunningCommand {
    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Override
    public Integer call() {
      return closing(() -> report(runtime().resume(runId)));
    }
  }

  @Command(
      name = "rerun",
      description =
          "Invalidate a stage and every stage downstream of it, then run them again: their tables"
              + " are rewritten (an append replaces what the previous run of the stage appended),"
              + " never written twice. Stages upstream stay as committed. The run keeps its id;"
              + " the rerun and any parameter change are recorded on it.")
  static final class Rerun extends RunningCommand {
    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Option(
        names = "--from",
        required = true,
        description = "The first stage to run again; the stages that depend on it follow.")
    String from;

    @Option(
        names = {"-p", "--param"},
        description =
            "Change a parameter, key=value; repeatable. Only the parameters given change.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "With --dry-run: print the plan as JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (json && !dryRun) {
        throw new InvalidParameterException(
            "--json prints the plan of a --dry-run", "add --dry-run, or leave out --json");
      }
      PrintWriter out = spec.commandLine().getOut();
      if (dryRun) {
        return closing(
            () -> {
              RerunPlan plan = parent.runtime().planRerun(runId, from, params);
              if (json) {
                out.println(JsonOutput.write(RerunPlanJson.of(plan, true)));
              } else {
                printPlan(plan, out);
                out.printf(
                    "Dry run: nothing was changed. Without --dry-run, `cairn rerun` records this"
                        + " and runs it.%n");
              }
              out.flush();
              return ExitCodes.SUCCESS;
            });
      }
      return closing(
          () ->
              report(
                  parent
                      .runtime()
                      .rerun(
                          runId,
                          from,
                          params,
                          plan -> {
                            printPlan(plan, out);
                            out.printf("Rerun recorded; running.%n");
                            out.flush();
                          })));
    }
  }

  @Command(
      name = "runbook",
      description =
          "What failed in a run, its failure class, and the exact commands to recover, from the"
              + " runbook entry of that class (operator entries in CAIRN_RUNBOOKS first).")
  static final class Runbook implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Override
    public Integer call() {
      try {
        dev.cairn.internal.runbook.Runbook runbook =
            parent
                .runtime()
                .runbook(runId)
                .orElseThrow(
                    () ->
                        new InvalidParameterException(
                            "no run '" + runId + "'", "list runs with `cairn runs`"));
        PrintWriter out = spec.commandLine().getOut();
        RunRecord run = runbook.run();
        out.printf("Run     %s  (job %s)%n", run.runId(), run.job());
        out.printf("Status  %s%n", run.status());
        for (dev.cairn.internal.runbook.Runbook.Section section : runbook.sections()) {
          out.println();
          if (section.stage().isPresent()) {
            out.printf("Stage %s failed: %s%n", section.stage().get(), section.failureClass());
          } else {
            out.printf("%s%n", section.failureClass());
          }
          if (!section.message().isBlank()) {
            out.printf("    %s%n", section.message().strip().replace("\n", "\n    "));
          }
          out.printf(
              "(runbook entry %s, %s)%n%n",
              section.entry().name(),
              section.entry().source().equals("bundled")
                  ? "bundled"
                  : "from " + section.entry().source());
          out.print(section.text().strip());
          out.println();
        }
        out.flush();
        return ExitCodes.SUCCESS;
      } finally {
        parent.closeRuntime();
      }
    }
  }

  @Command(
      name = "init",
      description =
          "Create the checkpoint table (on-demand billing, TTL on finished runs) or complete an"
              + " existing one, and check the warehouse is writable. Safe to run again.")
  static final class Init implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try {
        CairnRuntime runtime = parent.runtime();
        CairnRuntime.InitReport report = runtime.init();
        PrintWriter out = spec.commandLine().getOut();
        out.println(report.table().describe());
        if (runtime.config().embeddedStore()) {
          out.printf(
              "        (embedded DynamoDB Local on 127.0.0.1, kept in %s)%n",
              runtime.config().home().resolve("dynamodb"));
        }
        out.println(report.warehouse().describe());
        out.flush();
        return ExitCodes.SUCCESS;
      } finally {
        parent.closeRuntime();
      }
    }
  }

  @Command(name = "status", description = "A run's stages: states, attempts, Delta versions, rows.")
  static final class Status implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Option(names = "--json", description = "Print JSON (the documented contract).")
    boolean json;

    @Override
    public Integer call() {
      try {
        CairnRuntime.RunView view =
            parent
                .runtime()
                .status(runId)
                .orElseThrow(
                    () ->
                        new InvalidParameterException(
                            "no run '" + runId + "'", "list runs with `cairn runs`"));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(JsonOutput.write(StatusJson.of(view)));
        } else {
          printStatus(view, out);
        }
        out.flush();
        return ExitCodes.SUCCESS;
      } finally {
        parent.closeRuntime();
      }
    }
  }

  @Command(name = "runs", description = "List runs, most recently updated first.")
  static final class Runs implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many runs.")
    int limit;

    @Option(names = "--job", description = "Only runs of this job.")
    String job;

    @Option(
        names = "--status",
        description = "Only runs in this state: RUNNING, SUCCEEDED, FAILED or INTERRUPTED.")
    String status;

    @Override
    public Integer call() {
      try {
        if (limit < 1) {
          throw new InvalidParameterException(
              "--limit " + limit + " must be at least 1", "e.g. --limit 20");
        }
        RunStatus wanted = null;
        if (status != null) {
          try {
            wanted = RunStatus.valueOf(status.strip().toUpperCase(java.util.Locale.ROOT));
          } catch (IllegalArgumentException unknown) {
            throw new InvalidParameterException(
                "--status " + status + " is not a run state",
                "use one of RUNNING, SUCCEEDED, FAILED, INTERRUPTED");
          }
        }
        List<RunRecord> runs = parent.runtime().runs(limit, job, wanted);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(JsonOutput.write(runs.stream().map(RunJson::of).toList()));
        } else {
          out.printf("%-34s %-12s %-24s %s%n", "RUN", "STATUS", "UPDATED", "JOB");
          for (RunRecord run : runs) {
            out.printf(
                "%-34s %-12s %-24s %s%n", run.runId(), run.status(), run.updatedAt(), run.job());
          }
        }
        out.flush();
        return ExitCodes.SUCCESS;
      } finally {
        parent.closeRuntime();
      }
    }
  }

  @Command(
      name = "history",
      description = "A run's events in order: starts, stage commits, retries, failures.")
  static final class History implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      try {
        if (parent.runtime().status(runId).isEmpty()) {
          throw new InvalidParameterException(
              "no run '" + runId + "'", "list runs with `cairn runs`");
        }
        List<RunEvent> events = parent.runtime().history(runId);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(JsonOutput.write(events.stream().map(HistoryJson::of).toList()));
        } else {
          out.printf("%-24s %-5s %-24s %-16s %s%n", "AT", "EPOCH", "EVENT", "STAGE", "DETAIL");
          for (RunEvent event : events) {
            out.printf(
                "%-24s %-5d %-24s %-16s %s%s%n",
                event.at(),
                event.epoch(),
                event.type(),
                event.stage().orElse("-"),
                event.errorClass().map(c -> "[" + c + "] ").orElse(""),
                event.message());
          }
        }
        out.flush();
        return ExitCodes.SUCCESS;
      } finally {
        parent.closeRuntime();
      }
    }
  }

  @Command(
      name = "lease",
      description = "Operator overrides of a run's lease.",
      subcommands = {CairnCli.LeaseBreak.class})
  static final class Lease implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Missing subcommand: cairn lease break <runId> [--force]");
    }
  }

  @Command(
      name = "break",
      description =
          "Take a run's lease from its holder (a driver known to be dead) so `cairn resume` starts"
              + " at once. Refused while the holder still renews its lease, unless --force.")
  static final class LeaseBreak implements Callable<Integer> {
    @CommandLine.ParentCommand Lease lease;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Option(
        names = "--force",
        description =
            "Break it even though the holder still renews it (only when you know that driver is"
                + " dead or must stop: it loses the right to write at once).")
    boolean force;

    @Override
    public Integer call() {
      CairnCli root = (CairnCli) spec.root().userObject();
      try {
        RunRecord before =
            root.runtime()
                .breakLease(
                    runId,
                    force
                        ? dev.cairn.internal.store.CheckpointStore.BreakMode.FORCE
                        : dev.cairn.internal.store.CheckpointStore.BreakMode.IF_EXPIRED);
        PrintWriter out = spec.commandLine().getOut();
        if (before.holder().isEmpty()) {
          out.printf("Run %s holds no lease (%s); nothing to break.%n", runId, before.status());
        } else {
          out.printf(
              "Broke the lease of run %s held by %s (epoch %d). The run is INTERRUPTED; continue"
                  + " it with: cairn resume %s%n",
              runId, before.holder().get().describe(), before.epoch(), runId);
        }
        out.flush();
        return ExitCodes.SUCCESS;
      } finally {
        root.closeRuntime();
      }
    }
  }

  private static void printPlan(RerunPlan plan, PrintWriter out) {
    RunRecord run = plan.run();
    out.printf(
        "Rerun of run %s (job %s, %s) from stage %s:%n%n",
        run.runId(), run.job(), run.status(), plan.from());
    out.printf("%-22s %-10s %8s %8s  %s%n", "STAGE", "STATUS", "VERSION", "TXN", "WRITE");
    for (RerunPlan.PlannedStage stage : plan.stages()) {
      out.printf(
          "%-22s %-10s %8s %8s  %s%n",
          stage.name(),
          stage.status(),
          stage.outputVersion() < 0 ? "-" : Long.toString(stage.outputVersion()),
          (stage.txnVersion() <= 0 ? "-" : Long.toString(stage.txnVersion()))
              + "->"
              + stage.nextTxnVersion(),
          writeDescription(stage));
    }
    out.println();
    if (!plan.kept().isEmpty()) {
      out.printf(
          "Kept as committed, read at their versions: %s%n",
          plan.kept().stream()
              .map(s -> s.stage() + " (version " + s.outputVersion() + ")")
              .collect(Collectors.joining(", ")));
    }
    if (!plan.unfinished().isEmpty()) {
      out.printf(
          "Not committed yet, completed by the rerun as by a resume: %s%n",
          plan.unfinished().stream()
              .map(s -> s.stage() + " (" + s.status() + ")")
              .collect(Collectors.joining(", ")));
    }
    if (plan.parameterChanges().isEmpty()) {
      out.printf("Parameters unchanged.%n");
    } else {
      out.printf("Parameters changed (recorded on the run; the run keeps its id):%n");
      new TreeMap<>(plan.parameterChanges())
          .forEach(
              (name, change) ->
                  out.printf(
                      "    %s: %s -> %s%n",
                      name,
                      change.before().isEmpty() ? "(unset)" : change.before(),
                      change.after()));
      if (!plan.kept().isEmpty()) {
        out.printf("    Stages kept as committed keep what they computed with the old values.%n");
      }
    }
  }

  private static String writeDescription(RerunPlan.PlannedStage stage) {
    String table = stage.output().table();
    return switch (stage.output().mode()) {
      case OVERWRITE -> "overwrite " + table;
      case REPLACE_WHERE ->
          "replace " + stage.output().replaceWherePredicate().orElse("") + " of " + table;
      case APPEND ->
          "append to "
              + table
              + (stage.txnVersion() > 0
                  ? ", replacing the rows its txn " + stage.txnVersion() + " appended"
                  : "");
      case MERGE ->
          "merge into "
              + table
              + " on "
              + String.join(", ", stage.output().mergeKeys())
              + " (rows of keys it no longer produces stay)";
    };
  }

  /** A committed stage's duration, or how long the running attempt has run so far ("12s+"). */
  private static String duration(StageRecord stage, Instant now, Long expectedMs) {
    if (stage.status() == StageStatus.RUNNING && stage.startedAt().isPresent()) {
      long elapsed = java.time.Duration.between(stage.startedAt().get(), now).toMillis();
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
        ? String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0)
        : (millis / 1000) + "s";
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
      }
      stage
          .errorClass()
          .ifPresent(c -> out.printf("    error (%s): %s%n", c, stage.errorMessage().orElse("")));
      for (CheckResult check : stage.checks()) {
        out.printf(
            "    check %s %s: %s%n",
            check.passed() ? "passed" : "FAILED", check.check(), check.detail());
      }
    }
  }
}
