package dev.cairn.cli;

import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.runbook.Runbook;
import dev.cairn.internal.store.RunRecord;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cairn runbook}: prints the runbook the runtime assembled for a run's failures. */
@Command(
    name = "runbook",
    description =
        "What failed in a run, its failure class, and the exact commands to recover, from the"
            + " runbook entry of that class (operator entries in CAIRN_RUNBOOKS first).")
final class RunbookCommand extends CliCommand {
  @Parameters(index = "0", description = "The run id (see `cairn runs`).")
  String runId;

  @Override
  public Integer call() {
    Runbook runbook = runtime().runbook(runId).orElseThrow(() -> RunErrors.noSuchRun(runId));
    PrintWriter out = out();
    RunRecord run = runbook.run();
    out.printf("Run     %s  (job %s)%n", run.runId(), run.job());
    out.printf("Status  %s%n", run.status());
    for (Runbook.Section section : runbook.sections()) {
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
    return done();
  }
}
