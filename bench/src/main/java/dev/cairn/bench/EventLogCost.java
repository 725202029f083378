package dev.cairn.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What Spark's event log costs a driver: clean {@code ./cairn run flights-daily} processes ({@link
 * Drivers}) with the event log as shipped (on, into {@code $CAIRN_HOME/spark-events}) and with
 * {@code -Dspark.eventLog.enabled=false}, in pairs whose order alternates (on-off, off-on, ...).
 * Each is timed from process start to exit; its stage work is read back from the checkpoint table.
 */
final class EventLogCost {
  /** One clean run, with the event log on or off. */
  record Run(boolean on, double seconds, double workSeconds, long logBytes, String load) {}

  /** What the part measured. */
  record Result(List<Run> runs) {
    double median(boolean on) {
      return Stats.median(runs.stream().filter(r -> r.on == on).map(Run::seconds).toList());
    }

    double workMedian(boolean on) {
      return Stats.median(runs.stream().filter(r -> r.on == on).map(Run::workSeconds).toList());
    }

    /** Process time with the event log over without it (medians). */
    double ratio() {
      return median(true) / median(false);
    }

    long logBytesMedian() {
      return Math.round(Stats.median(runs.stream().filter(Run::on).map(Run::logBytes).toList()));
    }

    int pairs() {
      return (int) runs.stream().filter(Run::on).count();
    }
  }

  private final Drivers drivers;
  private final PrintWriter out;

  EventLogCost(BenchEnv env, PrintWriter out, Map<String, String> parameters) {
    this.drivers = new Drivers(env, "event-log", parameters);
    this.out = out;
  }

  Result run(int pairs) throws IOException, InterruptedException {
    List<Run> runs = new ArrayList<>();
    int sample = 0;
    for (int i = 0; i < pairs; i++) {
      boolean onFirst = i % 2 == 0;
      for (int k = 0; k < 2; k++) {
        runs.add(clean(sample++, (k == 0) == onFirst));
      }
    }
    return new Result(runs);
  }

  private Run clean(int sample, boolean on) throws IOException, InterruptedException {
    Map<String, String> vars =
        on ? Map.of() : Map.of("CAIRN_JAVA_OPTS", "-Dspark.eventLog.enabled=false");
    Drivers.Started p = drivers.run(sample, vars);
    int exit = p.process().waitFor();
    double seconds = p.secondsSince();
    String load = Stats.loadAverage();
    RunFacts facts = drivers.requireSucceeded(sample, exit, "clean run");
    long bytes = size(drivers.home(sample).resolve("spark-events"));
    if (on && bytes == 0) {
      throw new IllegalStateException(
          "the run with its event log on wrote none under " + drivers.home(sample));
    }
    out.printf(
        "event log: %s %s s, work %s s, log %d bytes (load %s)%n",
        on ? "on " : "off",
        Stats.seconds(seconds),
        Stats.seconds(facts.workSeconds()),
        bytes,
        load);
    out.flush();
    drivers.clean(sample);
    return new Run(on, seconds, facts.workSeconds(), bytes, load);
  }

  private static long size(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    }
  }
}
