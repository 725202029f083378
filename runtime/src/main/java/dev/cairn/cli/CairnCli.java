package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.InvalidParameterException;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.engine.RunOutcome;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failed (permanent); `cairn status` says which stage and why",
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
    if (runtime == null) {
      runtime = runtimes.get();
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

  /** Shared by the subcommands that run something. */
  abstract static class RunningCommand implements Callable<Integer> {
    @CommandLine.ParentCommand CairnCli parent;
    @Spec CommandLine.Model.CommandSpec spec;

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
      return closing(() -> report(parent.runtime().run(job, params)));
    }
  }

  @Command(name = "resume", description = "Continue a run from its first incomplete stage.")
  static final class Resume extends RunningCommand {
    @Parameters(index = "0", description = "The run id (see `cairn runs`).")
    String runId;

    @Override
    public Integer call() {
      return closing(() -> report(parent.runtime().resume(runId)));
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
          out.println(Json.write(statusJson(view)));
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
          List<Object> items = new ArrayList<>();
          for (RunRecord run : runs) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("runId", run.runId());
            item.put("job", run.job());
            item.put("status", run.status().name());
            item.put("updatedAt", run.updatedAt().toString());
            item.put("createdAt", run.createdAt().toString());
            item.put("runKey", run.runKey());
            item.put("epoch", run.epoch());
            items.add(item);
          }
          out.println(Json.write(items));
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
          List<Object> items = new ArrayList<>();
          for (RunEvent event : events) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("at", event.at().toString());
            item.put("type", event.type().name());
            item.put("stage", event.stage().orElse(null));
            item.put("attempt", event.attempt() == 0 ? null : event.attempt());
            item.put("epoch", event.epoch());
            item.put("errorClass", event.errorClass().orElse(null));
            item.put("message", event.message());
            items.add(item);
          }
          out.println(Json.write(items));
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

  static Map<String, Object> statusJson(CairnRuntime.RunView view) {
    RunRecord run = view.run();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("runId", run.runId());
    json.put("job", run.job());
    json.put("status", run.status().name());
    json.put("epoch", run.epoch());
    json.put("runKey", run.runKey());
    json.put("parameters", new LinkedHashMap<>(new java.util.TreeMap<>(run.parameters())));
    json.put("createdAt", run.createdAt().toString());
    json.put("updatedAt", run.updatedAt().toString());
    json.put(
        "lease",
        run.holder()
            .<Object>map(
                h -> {
                  Map<String, Object> lease = new LinkedHashMap<>();
                  lease.put("host", h.host());
                  lease.put("pid", h.pid());
                  lease.put("since", run.leaseSince().toString());
                  lease.put("expiresAt", run.leaseExpiresAt().toString());
                  lease.put("state", view.leaseState().name());
                  return lease;
                })
            .orElse(null));
    json.put("reason", run.reason().isEmpty() ? null : run.reason());
    List<Object> stages = new ArrayList<>();
    for (StageRecord stage : view.stages()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", stage.stage());
      s.put("status", stage.status().name());
      s.put("attempts", stage.attempts());
      s.put("outputTable", stage.outputTable());
      s.put("outputVersion", stage.outputVersion() < 0 ? null : stage.outputVersion());
      s.put("rowsWritten", stage.rowsWritten() < 0 ? null : stage.rowsWritten());
      s.put("recovered", stage.recovered());
      s.put("skippedDuplicate", stage.skippedDuplicate());
      s.put("txnAppId", stage.txnAppId().isEmpty() ? null : stage.txnAppId());
      s.put("txnVersion", stage.txnVersion() <= 0 ? null : stage.txnVersion());
      s.put("startedAt", stage.startedAt().map(Instant::toString).orElse(null));
      s.put("finishedAt", stage.finishedAt().map(Instant::toString).orElse(null));
      s.put("errorClass", stage.errorClass().orElse(null));
      s.put("errorMessage", stage.errorMessage().orElse(null));
      List<Object> checks = new ArrayList<>();
      for (CheckResult check : stage.checks()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("check", check.check());
        c.put("passed", check.passed());
        c.put("detail", check.detail());
        checks.add(c);
      }
      s.put("checks", checks);
      s.put("metrics", metricsJson(stage.metrics()));
      stages.add(s);
    }
    json.put("stages", stages);
    return json;
  }

  /** A committed stage's duration, or how long the running attempt has run so far ("12s+"). */
  private static String duration(StageRecord stage, Instant now) {
    if (stage.status() == StageStatus.RUNNING && stage.startedAt().isPresent()) {
      return seconds(java.time.Duration.between(stage.startedAt().get(), now).toMillis()) + "+";
    }
    return stage.metrics().durationMs() < 0 ? "-" : seconds(stage.metrics().durationMs());
  }

  private static String seconds(long millis) {
    return millis < 10_000
        ? String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0)
        : (millis / 1000) + "s";
  }

  static Map<String, Object> metricsJson(StageMetrics m) {
    if (m.durationMs() < 0) {
      return null;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("durationMs", m.durationMs());
    json.put("recordsRead", m.recordsRead());
    json.put("bytesRead", m.bytesRead());
    json.put("recordsWritten", m.recordsWritten());
    json.put("bytesWritten", m.bytesWritten());
    json.put("shuffleBytes", m.shuffleBytes());
    json.put("spillBytes", m.spillBytes());
    json.put("failedTasks", m.failedTasks());
    json.put("executorsLost", m.executorsLost());
    return json;
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
          duration(stage, view.now()),
          stage.outputTable(),
          note);
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
