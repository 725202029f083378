package dev.cairn.cli;

import dev.cairn.cli.json.JsonOutput;
import dev.cairn.cli.json.RunJson;
import dev.cairn.internal.errors.CommandErrors;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn runs}: runs, most recently updated first, as a table or the JSON of {@link RunJson}.
 */
@Command(name = "runs", description = "List runs, most recently updated first.")
final class RunsCommand extends CliCommand {
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
    if (limit < 1) {
      throw CommandErrors.limitBelowOne(limit);
    }
    RunStatus wanted = null;
    if (status != null) {
      try {
        wanted = RunStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException unknown) {
        throw CommandErrors.notARunState(status);
      }
    }
    List<RunRecord> runs = runtime().runs(limit, job, wanted);
    PrintWriter out = out();
    if (json) {
      out.println(JsonOutput.write(runs.stream().map(RunJson::of).toList()));
    } else {
      out.printf("%-34s %-12s %-24s %s%n", "RUN", "STATUS", "UPDATED", "JOB");
      for (RunRecord run : runs) {
        out.printf("%-34s %-12s %-24s %s%n", run.runId(), run.status(), run.updatedAt(), run.job());
      }
    }
    return done();
  }
}
