package dev.cairn.cli;

import dev.cairn.cli.json.HistoryJson;
import dev.cairn.cli.json.JsonOutput;
import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.store.RunEvent;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn history}: a run's events in order, as a table or the JSON of {@link HistoryJson}.
 */
@Command(
    name = "history",
    description = "A run's events in order: starts, stage commits, retries, failures.")
final class HistoryCommand extends CliCommand {
  @Parameters(index = "0", description = "The run id (see `cairn runs`).")
  String runId;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() {
    List<RunEvent> events = runtime().history(runId).orElseThrow(() -> RunErrors.noSuchRun(runId));
    PrintWriter out = out();
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
    return done();
  }
}
