package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.JobCatalog;
import dev.cairn.internal.config.CairnConfig;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cairn} command. Thin: its subcommands parse, call {@link CairnRuntime}, and print
 * through the command's writers, so tests run it in-process. Every command runs inside one {@link
 * RuntimeScope}, which opens the runtime on the command's first use and closes it when the command
 * ends; what a command throws becomes an exit code in {@link ExitCodes}.
 */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    description =
        "Runs Spark batch jobs that survive being killed: checkpointed, resumable stages.",
    subcommands = {
      RunCommands.Run.class,
      RunCommands.Resume.class,
      StatusCommand.class,
      RunsCommand.class,
      HistoryCommand.class,
      LeaseCommands.Lease.class,
      RunCommands.Rerun.class,
      RunbookCommand.class,
      ReportCommand.class,
      InitCommand.class,
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

  private final RuntimeScope scope;

  /**
   * The command object alone, on runtimes from {@code runtimes}; {@link #commandLine} is what runs
   * it (and closes the runtime after each command).
   */
  public CairnCli(Supplier<CairnRuntime> runtimes) {
    this(new RuntimeScope(runtimes, RuntimeScope.LogFormat.TEXT));
  }

  private CairnCli(RuntimeScope scope) {
    this.scope = scope;
  }

  /** Entry point of the launcher and of {@code spark-submit}. */
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    int code =
        commandLine(
                () ->
                    new CairnRuntime(
                        CairnConfig.fromEnvironment(env), JobCatalog.fromClasspath(), env),
                RuntimeScope.LogFormat.fromEnvironment(env))
            .execute(args);
    System.exit(code);
  }

  /**
   * The command line, with the exit code mapper and error printing wired in; each execution builds
   * at most one runtime from {@code runtimes}. Metric lines go to {@code
   * $CAIRN_HOME/logs/metrics.emf}.
   */
  public static CommandLine commandLine(Supplier<CairnRuntime> runtimes) {
    return commandLine(runtimes, RuntimeScope.LogFormat.TEXT);
  }

  static CommandLine commandLine(Supplier<CairnRuntime> runtimes, RuntimeScope.LogFormat format) {
    RuntimeScope scope = new RuntimeScope(runtimes, format);
    CommandLine commandLine = new CommandLine(new CairnCli(scope));
    commandLine.setExecutionStrategy(
        parsed -> {
          try (scope) {
            return new CommandLine.RunLast().execute(parsed);
          }
        });
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

  RuntimeScope scope() {
    return scope;
  }
}
