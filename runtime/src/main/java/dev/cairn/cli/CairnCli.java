package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.InvalidParameterException;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.engine.RunOutcome;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
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

    @Override
    public Integer call() {
      try {
        if (limit < 1) {
          throw new InvalidParameterException(
              "--limit " + limit + " must be at least 1", "e.g. --limit 20");
        }
        List<RunRecord> runs = parent.runtime().runs(limit);
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
      stages.add(s);
    }
    json.put("stages", stages);
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
        "%-22s %-10s %8s %8s %12s  %s%n",
        "STAGE", "STATUS", "ATTEMPTS", "VERSION", "ROWS", "TABLE");
    for (StageRecord stage : view.stages()) {
      String note =
          stage.recovered() ? " (recovered)" : stage.skippedDuplicate() ? " (dup skipped)" : "";
      out.printf(
          "%-22s %-10s %8d %8s %12s  %s%s%n",
          stage.stage(),
          stage.status(),
          stage.attempts(),
          stage.outputVersion() < 0 ? "-" : Long.toString(stage.outputVersion()),
          stage.rowsWritten() < 0 ? "-" : Long.toString(stage.rowsWritten()),
          stage.outputTable(),
          note);
      stage.errorMessage().ifPresent(m -> out.printf("    error: %s%n", m));
    }
  }
}
