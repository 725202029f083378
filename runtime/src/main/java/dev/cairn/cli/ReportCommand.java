package dev.cairn.cli;

import dev.cairn.internal.errors.RunErrors;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn report}: writes a run's HTML report (every driver attempt on one timeline) and
 * prints the file's path.
 */
@Command(
    name = "report",
    description =
        "Write one self-contained HTML page of a run across every driver attempt: a timeline with"
            + " one lane per driver, stages and chunks coloured by outcome, checks, metrics, what"
            + " the kills cost. Prints the file's path.")
final class ReportCommand extends CliCommand {
  @Parameters(index = "0", description = "The run id (see `cairn runs`).")
  String runId;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where to write the page (default $CAIRN_HOME/reports/<runId>.html).")
  Path output;

  @Override
  public Integer call() {
    Path written =
        runtime()
            .writeReport(runId, Optional.ofNullable(output))
            .orElseThrow(() -> RunErrors.noSuchRun(runId));
    out().println(written);
    return done();
  }
}
