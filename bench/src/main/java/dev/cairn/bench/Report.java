package dev.cairn.bench;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code cairn bench} prints at the end: the ratio lines, and for a full run a table. */
final class Report {
  private final boolean quick;
  private final int scale;
  private final Instant started;
  private final String loadAtStart;
  String loadAtEnd = "?";
  Overhead.Result overhead;
  LostWork.Result lostWork;
  EventLogCost.Result eventLog;
  Map<String, StoreCost.Latency> store;

  /** Stages of flights-daily, for per-stage figures. */
  static final int STAGES = 6;

  Report(boolean quick, int scale, Instant started, String loadAtStart) {
    this.quick = quick;
    this.scale = scale;
    this.started = started;
    this.loadAtStart = loadAtStart;
  }

  String loadAtStart() {
    return loadAtStart;
  }

  void printRatios(PrintWriter out) {
    if (overhead != null) {
      out.printf(
          "overhead: cairn median %s s, plain median %s s over %d+%d reps%n",
          Stats.seconds(overhead.median("cairn")),
          Stats.seconds(overhead.median("plain")),
          overhead.cairnReps(),
          overhead.cairnReps());
      out.println(Stats.ratioLine("overhead_ratio", overhead.ratio()));
    }
    if (lostWork != null) {
      out.printf(
          "lost work: clean median %s s over %d runs, %d kills%n",
          Stats.seconds(lostWork.cleanMedian()), lostWork.cleans().size(), lostWork.kills().size());
      out.println(Stats.ratioLine("lost_work_ratio", Stats.median(lostWork.ratios())));
      out.println(Stats.ratioLine("restart_ratio", Stats.median(lostWork.restartRatios())));
      out.printf(Locale.ROOT, "restart_s=%.1f%n", lostWork.restartMedian(LostWork.STAGE_STEP));
      out.println(Stats.ratioLine("recompute_ratio", Stats.median(lostWork.recomputeRatios())));
      out.println(
          Stats.ratioLine(
              "recompute_ratio_max",
              lostWork.recomputeRatios().stream().mapToDouble(d -> d).max().orElse(Double.NaN)));
      out.println(Stats.ratioLine("largest_segment_share", lostWork.largestSegmentShare()));
      out.printf(Locale.ROOT, "resumed_slowdown_s=%.1f%n", lostWork.resumedSlowdownMedian());
      lostWork
          .cleans()
          .get(0)
          .chunks()
          .forEach((stage, decision) -> out.printf("chunks %s: %s%n", stage, decision));
    }
    if (eventLog != null) {
      out.println(Stats.ratioLine("event_log_ratio", eventLog.ratio()));
    }
    if (overhead != null) {
      Map<String, Long> c = overhead.storeCalls();
      out.printf(
          Locale.ROOT,
          "store_writes_per_stage=%.2f store_writes_per_chunk=%.2f store_reads_per_stage=%.2f%n",
          StoreCalls.total(c, "write stage") / (double) STAGES,
          chunkWrites(c),
          StoreCalls.total(c, "read stage") / (double) STAGES);
    }
    out.printf("load average: %s at start, %s at end%n", loadAtStart, loadAtEnd);
  }

  /** The plain warm-up's stages against the timed plain runs' medians: a cold JVM's cost. */
  private String firstRunSlowdown() {
    List<String> parts = new ArrayList<>();
    overhead
        .plainFirstRunSlowdown()
        .forEach((stage, d) -> parts.add(stage + " " + String.format(Locale.ROOT, "%+.1f", d)));
    return parts.isEmpty()
        ? ""
        : "slower than the timed plain runs by stage: " + String.join(", ", parts);
  }

  /** Store writes per chunk item written (NaN when the run had no chunked stage). */
  static double chunkWrites(Map<String, Long> calls) {
    long items = calls.getOrDefault("items chunk", 0L);
    return items == 0 ? Double.NaN : StoreCalls.total(calls, "write chunk") / (double) items;
  }

  void printTable(PrintWriter out) {
    out.println();
    out.printf("## cairn bench, %s (%s, scale %d)%n%n", started, quick ? "--quick" : "full", scale);
    out.printf(
        "Machine: %d cores, Java %s, %s %s; load average %s at start, %s at end.%n%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        loadAtStart,
        loadAtEnd);
    out.println("| figure | value | samples (load average, 1/5/15 min) |");
    out.println("|---|---|---|");
    if (overhead != null) {
      row(
          out,
          "Spark session start (once, not in the ratio)",
          sec(overhead.sparkStartSeconds()),
          "");
      row(
          out,
          "warm-up plain run (untimed): the job's first run in the JVM",
          sec(overhead.warmupSeconds()),
          firstRunSlowdown());
      row(out, "warm-up Cairn run (untimed)", sec(overhead.cairnWarmupSeconds()), "");
      row(out, "flights-daily under Cairn, median", sec(overhead.median("cairn")), reps("cairn"));
      row(
          out,
          "flights-daily plain Spark + Delta, median",
          sec(overhead.median("plain")),
          reps("plain"));
      row(out, "**overhead_ratio** (cairn / plain)", fmt(overhead.ratio()), "");
    }
    if (lostWork != null) {
      List<String> cleans = new ArrayList<>();
      lostWork.cleans().forEach(c -> cleans.add(sec(c.seconds()) + " (" + c.load() + ")"));
      row(
          out,
          "clean `./cairn run flights-daily` process, median",
          sec(lostWork.cleanMedian()),
          String.join("; ", cleans));
      List<String> kills = new ArrayList<>();
      for (int i = 0; i < lostWork.kills().size(); i++) {
        LostWork.Killed k = lostWork.kills().get(i);
        kills.add(
            "kill at "
                + sec(k.killAfter())
                + " + "
                + k.resumedWith()
                + " "
                + sec(k.resumeSeconds())
                + " = "
                + fmt(lostWork.ratios().get(i))
                + " ("
                + k.load()
                + ")");
      }
      row(
          out,
          "**lost_work_ratio**, median of (kill + resume) / clean",
          fmt(Stats.median(lostWork.ratios())),
          String.join("; ", kills));
      row(
          out,
          "restart from scratch instead, median of (kill + clean) / clean",
          fmt(Stats.median(lostWork.restartRatios())),
          "");
      row(
          out,
          "**restart_s**: resumed process start to its first stage, median",
          sec(lostWork.restartMedian(LostWork.STAGE_STEP)),
          "took the lease at "
              + sec(lostWork.restartMedian("lease"))
              + ", Spark started at "
              + sec(lostWork.restartMedian("spark"))
              + " (medians)");
      List<String> recomputed = new ArrayList<>();
      for (int i = 0; i < lostWork.kills().size(); i++) {
        recomputed.add(
            sec(lostWork.kills().get(i).recomputedSeconds())
                + " = "
                + fmt(lostWork.recomputeRatios().get(i)));
      }
      row(
          out,
          "**recompute_ratio**, median of work executed twice / clean work ("
              + sec(lostWork.cleanWorkMedian())
              + ")",
          fmt(Stats.median(lostWork.recomputeRatios())),
          String.join("; ", recomputed));
      List<String> slower = new ArrayList<>();
      for (Map<String, Double> m : lostWork.resumedSlowdowns()) {
        List<String> parts = new ArrayList<>();
        m.forEach((stage, d) -> parts.add(stage + " " + String.format(Locale.ROOT, "%+.1f", d)));
        slower.add(parts.isEmpty() ? "none run whole" : String.join(", ", parts));
      }
      row(
          out,
          "**resumed_slowdown_s**: resumed driver's stages against the clean runs' same stages,"
              + " median of the sums over the "
              + lostWork.resumedSlowdownTotals().size()
              + " kills that ran a stage whole",
          sec(lostWork.resumedSlowdownMedian()),
          String.join("; ", slower));
      row(
          out,
          "longest chunk or unchunked stage / clean work",
          fmt(lostWork.largestSegmentShare()),
          "");
      lostWork
          .cleans()
          .get(0)
          .chunks()
          .forEach((stage, decision) -> row(out, "chunks of " + stage, decision, ""));
    }
    if (eventLog != null) {
      List<String> runs = new ArrayList<>();
      eventLog
          .runs()
          .forEach(
              r -> runs.add((r.on() ? "on " : "off ") + sec(r.seconds()) + " (" + r.load() + ")"));
      row(
          out,
          "clean process with Spark's event log on / off, median",
          sec(eventLog.median(true)) + " / " + sec(eventLog.median(false)),
          String.join("; ", runs));
      row(
          out,
          "stage work with the event log on / off, median",
          sec(eventLog.workMedian(true)) + " / " + sec(eventLog.workMedian(false)),
          "");
      row(out, "**event_log_ratio** (on / off)", fmt(eventLog.ratio()), "");
      row(out, "event log size per run, median", eventLog.logBytesMedian() + " bytes", "");
    }
    if (overhead != null) {
      Map<String, Long> c = overhead.storeCalls();
      row(
          out,
          "store writes per run (Cairn rep 0)",
          Long.toString(StoreCalls.total(c, "write")),
          c.toString());
      row(
          out,
          "store writes per stage",
          fmt(StoreCalls.total(c, "write stage") / (double) STAGES),
          "");
      row(
          out,
          "store writes per chunk (" + c.getOrDefault("items chunk", 0L) + " chunks)",
          fmt(chunkWrites(c)),
          "");
      row(out, "store reads per run", Long.toString(StoreCalls.total(c, "read")), "");
      Map<String, List<Long>> cairnStages = stageTimes("cairn");
      Map<String, List<Long>> plainStages = stageTimes("plain");
      for (String stage : cairnStages.keySet()) {
        row(
            out,
            "stage " + stage + ": Cairn / plain, median ms",
            Math.round(Stats.median(cairnStages.get(stage)))
                + " / "
                + (plainStages.containsKey(stage)
                    ? Math.round(Stats.median(plainStages.get(stage)))
                    : "?"),
            "");
      }
      Map<String, List<Long>> gates = times("cairn", Overhead.Rep::gateMs);
      for (String stage : gates.keySet()) {
        double gate = Stats.median(gates.get(stage));
        double whole = Stats.median(cairnStages.get(stage));
        row(
            out,
            "stage " + stage + ": gate, median ms (share of the stage)",
            String.format(Locale.ROOT, "%d (%.1f %%)", Math.round(gate), 100 * gate / whole),
            "checks outside the write job: planning, metrics, reads of the files written");
      }
    }
    if (store != null) {
      store
          .values()
          .forEach(
              l ->
                  row(
                      out,
                      "store latency: " + l.name() + " (JMH, DynamoDB Local)",
                      String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms", l.p50(), l.p90()),
                      l.samples() + " samples"));
    }
    out.println();
    printMakespan(out);
  }

  /**
   * The expected-makespan table ({@link Makespan}): from the Cairn repetitions' median stage times,
   * the chunked stage's unit weights and C as the runtime measured them in repetition 0, and the
   * resumed drivers' median restart (zero when the lost-work part did not run).
   */
  private void printMakespan(PrintWriter out) {
    if (overhead == null || overhead.chunking().isEmpty()) {
      return;
    }
    Overhead.Chunking chunking = overhead.chunking().get();
    List<Makespan.StageWork> stages = new ArrayList<>();
    stageTimes("cairn")
        .forEach(
            (stage, ms) ->
                stages.add(
                    new Makespan.StageWork(
                        stage,
                        Stats.median(ms) / 1000.0,
                        stage.equals(chunking.stage()) ? chunking.unitWeights() : List.of())));
    double restart = lostWork == null ? 0 : lostWork.restartMedian(LostWork.STAGE_STEP);
    if (Double.isNaN(restart)) {
      restart = 0;
    }
    double c = chunking.fixedCostSeconds();
    List<Makespan.Row> rows =
        Makespan.table(
            stages, c, restart, chunking.capSeconds(), chunking.overheadBudget(), Makespan.MTBIS);
    out.printf(
        Locale.ROOT,
        "### Expected makespan (%d units of %s; C %.2f s, R %.1f s, cap %s s, budget %.2f)%n%n",
        chunking.unitWeights().size(),
        chunking.stage(),
        c,
        restart,
        Stats.seconds(chunking.capSeconds()),
        chunking.overheadBudget());
    Makespan.markdown(rows, Makespan.failureFree(stages, c)).forEach(out::println);
    out.println();
    out.printf("runtime's decision in repetition 0: %s%n%n", chunking.decision());
  }

  private Map<String, List<Long>> stageTimes(String side) {
    return times(side, Overhead.Rep::stageMs);
  }

  private Map<String, List<Long>> times(
      String side, java.util.function.Function<Overhead.Rep, Map<String, Long>> perStage) {
    Map<String, List<Long>> times = new LinkedHashMap<>();
    for (Overhead.Rep r : overhead.reps()) {
      if (r.side().equals(side)) {
        perStage
            .apply(r)
            .forEach((k, v) -> times.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      }
    }
    return times;
  }

  private String reps(String side) {
    List<String> parts = new ArrayList<>();
    overhead.reps().stream()
        .filter(r -> r.side().equals(side))
        .forEach(r -> parts.add(sec(r.seconds()) + " (" + r.load() + ")"));
    return String.join("; ", parts);
  }

  private static void row(PrintWriter out, String what, String value, String samples) {
    out.printf("| %s | %s | %s |%n", what, value, samples);
  }

  private static String sec(double s) {
    return Stats.seconds(s) + " s";
  }

  private static String fmt(double ratio) {
    return String.format(Locale.ROOT, "%.3f", ratio);
  }
}
