package dev.cairn.cli;

import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.RunRecord;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn lease break}: the operator's override of a run's lease. */
final class LeaseCommands {
  private LeaseCommands() {}

  @Command(
      name = "lease",
      description = "Operator overrides of a run's lease.",
      subcommands = {LeaseCommands.Break.class})
  static final class Lease implements Callable<Integer> {
    @Spec CommandSpec spec;

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
  static final class Break extends CliCommand {
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
      RunRecord before =
          runtime()
              .breakLease(
                  runId,
                  force ? CheckpointStore.BreakMode.FORCE : CheckpointStore.BreakMode.IF_EXPIRED);
      if (before.holder().isEmpty()) {
        out().printf("Run %s holds no lease (%s); nothing to break.%n", runId, before.status());
      } else {
        out()
            .printf(
                "Broke the lease of run %s held by %s (epoch %d). The run is INTERRUPTED; continue"
                    + " it with: cairn resume %s%n",
                runId, before.holder().get().describe(), before.epoch(), runId);
      }
      return done();
    }
  }
}
