package dev.cairn.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs {@link StoreBenchmark} with JMH in one forked JVM and returns each benchmark's median. */
final class StoreCost {
  /** One JMH benchmark's result, in milliseconds. */
  record Latency(String name, double p50, double p90, double mean, long samples) {}

  private StoreCost() {}

  static Map<String, Latency> run(BenchEnv env, boolean quick, PrintWriter out)
      throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(StoreBenchmark.class.getName())
            .forks(1)
            .warmupIterations(quick ? 1 : 2)
            .warmupTime(TimeValue.seconds(quick ? 1 : 2))
            .measurementIterations(quick ? 2 : 5)
            .measurementTime(TimeValue.seconds(2))
            .jvmArgsAppend("-Dcairn.bench.endpoint=" + env.endpoint(), "-Xmx512m")
            .verbosity(VerboseMode.SILENT)
            .shouldFailOnError(true)
            .build();
    Collection<RunResult> results = new Runner(options).run();
    Map<String, Latency> latencies = new LinkedHashMap<>();
    for (RunResult r : new ArrayList<>(results)) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      var stats = r.getPrimaryResult().getStatistics();
      latencies.put(
          name,
          new Latency(
              name,
              stats.getPercentile(50),
              stats.getPercentile(90),
              stats.getMean(),
              stats.getN()));
    }
    latencies
        .values()
        .forEach(
            l ->
                out.printf(
                    "store: %s p50 %.2f ms, p90 %.2f ms (%d samples, load %s)%n",
                    l.name(), l.p50(), l.p90(), l.samples(), Stats.loadAverage()));
    out.flush();
    return latencies;
  }
}
