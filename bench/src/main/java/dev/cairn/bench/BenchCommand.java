package dev.cairn.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn bench [--quick]}: overhead against plain Spark, work lost to a kill, checkpoint
 * store cost, measured on the flights dataset. Prints its progress and figures on stdout (this is
 * CLI output); the drivers' logs go to files under the scratch directory.
 */
@Command(
    name = "cairn bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures Cairn's overhead against the same job in plain Spark + Delta, the work lost when a"
          + " driver is SIGKILLed and resumed, and the checkpoint store's cost.",
      "Prints a table of the figures, then overhead_ratio=<cairn/plain> and"
          + " lost_work_ratio=<median>. Figures on a busy machine are noisy: compare the load"
          + " averages printed."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--quick",
      description = "a smaller run (a few minutes): 2+2 overhead reps, 2 clean runs, 3 kills")
  boolean quick;

  @Option(names = "--reps", description = "overhead repetitions of each side (default 2 quick, 5)")
  Integer reps;

  @Option(names = "--kills", description = "killed-and-resumed samples (default 3 quick, 7)")
  Integer kills;

  @Option(names = "--cleans", description = "clean process runs (default 2 quick, 3)")
  Integer cleans;

  @Option(
      names = "--pairs",
      description = "event-log pairs of clean runs, with and without it (default 1 quick, 2)")
  Integer pairs;

  @Option(names = "--seed", description = "seed of the kill instants (default 9)")
  long seed = 9;

  @Option(
      names = "--scale",
      description =
          "run on the flights data replicated N times, each copy's dates shifted by 26 weeks"
              + " (generated once into the data cache, checksummed; default 1: the dataset as is)")
  int scale = 1;

  @Option(
      names = "--only",
      split = ",",
      description = "parts to run: overhead, lost-work, event-log, store (default all)")
  List<String> only = PARTS;

  private static final List<String> PARTS = List.of("overhead", "lost-work", "event-log", "store");

  @Option(
      names = "--scratch",
      description = "scratch directory (default $CAIRN_HOME/bench or ./cairn-data/bench)")
  Path scratch;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (String part : only) {
      if (!PARTS.contains(part)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--only names an unknown part '"
                + part
                + "'. Fix: give one or more of "
                + String.join(", ", PARTS)
                + ", comma-separated (e.g. --only overhead,lost-work)");
      }
    }
    if (scale < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--scale "
              + scale
              + " is not a replication count. Fix: give a whole number >= 1 (e.g. --scale 8)");
    }
    int overheadReps = reps != null ? reps : quick ? 2 : 5;
    int eventLogPairs = pairs != null ? pairs : quick ? 1 : 2;
    int killSamples = kills != null ? kills : quick ? 3 : 7;
    int cleanRuns = cleans != null ? cleans : quick ? 2 : 3;
    Path repo = Path.of(System.getProperty("cairn.repo", ".")).toAbsolutePath().normalize();
    Path cache =
        Path.of(
            Optional.ofNullable(System.getenv("CAIRN_DATA_CACHE"))
                .orElse(System.getProperty("user.home") + "/.cache/cairn"));
    Path dir =
        scratch != null
            ? scratch
            : Path.of(Optional.ofNullable(System.getenv("CAIRN_HOME")).orElse("cairn-data"))
                .resolve("bench");
    Optional<Path> lib =
        Optional.ofNullable(System.getProperty("cairn.dynamodbLocal.lib")).map(Path::of);

    Report report = new Report(quick, scale, Instant.now(), Stats.loadAverage());
    out.printf(
        "cairn bench%s --scale %d: %d+%d overhead reps, %d clean runs + %d kills (seed %d),"
            + " %d event-log pairs; load %s%n",
        quick ? " --quick" : "",
        scale,
        overheadReps,
        overheadReps,
        cleanRuns,
        killSamples,
        seed,
        eventLogPairs,
        report.loadAtStart());
    out.flush();
    List<String> failed = new java.util.ArrayList<>();
    try (BenchEnv env = BenchEnv.start(repo, cache, dir.toAbsolutePath(), lib)) {
      Path flights = ScaledFlights.ensure(env.flights(), scale, out);
      // At scale 1 the job reads its default input, as `./cairn run flights-daily` does.
      Map<String, String> parameters =
          scale == 1 ? Map.of() : Map.of("flights", flights.toString());
      // Each part on its own: one that fails is reported, and the others still run.
      if (only.contains("store")) {
        part("store", failed, out, () -> report.store = StoreCost.run(env, quick, out));
      }
      if (only.contains("lost-work")) {
        part(
            "lost-work",
            failed,
            out,
            () ->
                report.lostWork =
                    new LostWork(env, out, seed, parameters).run(cleanRuns, killSamples));
      }
      if (only.contains("event-log")) {
        part(
            "event-log",
            failed,
            out,
            () -> report.eventLog = new EventLogCost(env, out, parameters).run(eventLogPairs));
      }
      if (only.contains("overhead")) {
        part(
            "overhead",
            failed,
            out,
            () -> report.overhead = new Overhead(env, out, flights, parameters).run(overheadReps));
      }
    }
    report.loadAtEnd = Stats.loadAverage();
    report.printTable(out);
    report.printRatios(out);
    out.flush();
    return failed.isEmpty() ? 0 : 1;
  }

  private interface Part {
    void run() throws Exception;
  }

  private static void part(String name, List<String> failed, PrintWriter out, Part part) {
    try {
      part.run();
    } catch (Exception e) {
      failed.add(name);
      out.printf(
          "%s failed: %s. Its figures are left out; the drivers' logs are under the scratch"
              + " directory.%n",
          name, e);
      out.flush();
    }
  }
}
