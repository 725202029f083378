package dev.cairn.bench;

import dev.cairn.internal.store.DynamoDbCheckpointStore;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Work lost to a kill: {@code ./cairn run flights-daily} as a separate process ({@link Drivers}),
 * SIGKILLed (its whole process group) at an instant within a clean run's duration, then {@code
 * ./cairn resume <runId>}; clean runs and killed samples interleave. Kill instants are stratified:
 * the clean run's duration is cut into as many equal slices as there are kills, each kill falls in
 * its own slice, at a seeded random point of it, and the slices are taken in a seeded random order
 * (uniform draws cluster: with the default seed three of them fell at 0.73-0.77 of the run). Times
 * are wall clock from starting the process to its exit (or to the kill); the stage work, the work
 * the kill lost and the resumed driver's restart are read back from the checkpoint table.
 */
final class LostWork {
  /** The restart step {@code restart_s} reports: the resumed driver's first stage started. */
  static final String STAGE_STEP = "stage";

  /** One sample: a clean run or a killed and resumed one. */
  sealed interface Sample permits Clean, Killed {}

  /**
   * A clean run.
   *
   * @param workSeconds its stages' work, summed
   * @param largestSegmentSeconds the longest chunk or unchunked stage
   * @param chunks each chunked stage's chunk decision
   * @param stageSeconds each stage's duration
   */
  record Clean(
      int index,
      double seconds,
      String load,
      double workSeconds,
      double largestSegmentSeconds,
      Map<String, String> chunks,
      Map<String, Double> stageSeconds)
      implements Sample {}

  /**
   * A killed and resumed run.
   *
   * @param slice the slice of the clean run the kill instant was drawn in
   * @param restart the resumed driver's restart steps, seconds from its process start
   * @param recomputedSeconds work the killed driver did that no commit came of (executed twice)
   * @param resumedStageSeconds the stages the resumed driver ran whole, with their durations
   */
  record Killed(
      int index,
      int slice,
      double killAfter,
      double resumeSeconds,
      String resumedWith,
      List<String> committedAtKill,
      String load,
      Map<String, Double> restart,
      double recomputedSeconds,
      Map<String, Double> resumedStageSeconds)
      implements Sample {}

  /** What the lost-work part measured. */
  record Result(List<Clean> cleans, List<Killed> kills) {
    double cleanMedian() {
      return Stats.median(cleans.stream().map(Clean::seconds).toList());
    }

    double cleanWorkMedian() {
      return Stats.median(cleans.stream().map(Clean::workSeconds).toList());
    }

    /** The longest chunk or unchunked stage, as a share of the clean work (medians). */
    double largestSegmentShare() {
      return Stats.median(cleans.stream().map(Clean::largestSegmentSeconds).toList())
          / cleanWorkMedian();
    }

    List<Double> ratios() {
      double clean = cleanMedian();
      return kills.stream()
          .map(k -> Stats.lostWorkRatio(k.killAfter, k.resumeSeconds, clean))
          .toList();
    }

    List<Double> restartRatios() {
      double clean = cleanMedian();
      return kills.stream().map(k -> Stats.restartRatio(k.killAfter, clean)).toList();
    }

    /** Work executed twice over clean work, per kill. */
    List<Double> recomputeRatios() {
      double work = cleanWorkMedian();
      return kills.stream().map(k -> k.recomputedSeconds / work).toList();
    }

    /** Each stage's median duration over the clean runs, in the store's order (by name). */
    Map<String, Double> cleanStageMedians() {
      return Stats.mediansByKey(cleans.stream().map(Clean::stageSeconds).toList());
    }

    /**
     * Per kill, how much slower the resumed driver ran the stages it ran whole than the clean runs
     * ran the same stages (medians), stage by stage: the cold driver's cost, apart from its restart
     * and from the work the kill lost.
     */
    List<Map<String, Double>> resumedSlowdowns() {
      Map<String, Double> clean = cleanStageMedians();
      List<Map<String, Double>> out = new ArrayList<>();
      for (Killed k : kills) {
        Map<String, Double> slower = new LinkedHashMap<>();
        k.resumedStageSeconds.forEach(
            (stage, s) -> {
              if (clean.containsKey(stage)) {
                slower.put(stage, s - clean.get(stage));
              }
            });
        out.add(slower);
      }
      return out;
    }

    /**
     * Per kill whose resumed driver ran a stage whole, the sum of {@link #resumedSlowdowns()}'
     * stages, in seconds (a kill with none has nothing to compare and is left out).
     */
    List<Double> resumedSlowdownTotals() {
      return resumedSlowdowns().stream()
          .filter(m -> !m.isEmpty())
          .map(m -> m.values().stream().mapToDouble(d -> d).sum())
          .toList();
    }

    /** The median of {@link #resumedSlowdownTotals()}; NaN when no kill has one. */
    double resumedSlowdownMedian() {
      List<Double> totals = resumedSlowdownTotals();
      return totals.isEmpty() ? Double.NaN : Stats.median(totals);
    }

    /** The median over kills of the resumed driver's seconds to {@code step}; NaN if none. */
    double restartMedian(String step) {
      List<Double> values =
          kills.stream().map(k -> k.restart.get(step)).filter(v -> v != null).toList();
      return values.isEmpty() ? Double.NaN : Stats.median(values);
    }
  }

  private final Drivers drivers;
  private final PrintWriter out;
  private final Random random;

  LostWork(BenchEnv env, PrintWriter out, long seed, Map<String, String> parameters) {
    this.drivers = new Drivers(env, "lost-work", parameters);
    this.out = out;
    this.random = new Random(seed);
  }

  /** {@code cleans} clean runs and {@code kills} killed ones, interleaved, a clean one first. */
  Result run(int cleans, int kills) throws IOException, InterruptedException {
    List<Clean> clean = new ArrayList<>();
    List<Killed> killed = new ArrayList<>();
    List<Integer> slices = Stats.sliceOrder(kills, random);
    int sample = 0;
    while (clean.size() < cleans || killed.size() < kills) {
      boolean doClean = clean.isEmpty() || (clean.size() < cleans && clean.size() <= killed.size());
      if (doClean || killed.size() >= kills) {
        clean.add(clean(sample++, clean.size()));
      } else {
        double horizon = Stats.median(clean.stream().map(Clean::seconds).toList());
        int slice = slices.get(killed.size());
        double at = Stats.stratified(slice, kills, horizon, random);
        Sample done = killed(sample++, killed.size(), clean.size(), slice, at);
        if (done instanceof Killed k) {
          killed.add(k);
        } else {
          // The machine got faster than the clean runs so far: the run finished before its kill
          // instant. It is a clean run (the next instant is drawn from a median that includes it).
          clean.add((Clean) done);
        }
      }
    }
    return new Result(clean, killed);
  }

  private Clean clean(int sample, int index) throws IOException, InterruptedException {
    Drivers.Started p = drivers.run(sample, Map.of());
    int exit = p.process().waitFor();
    return cleanDone(sample, index, p.secondsSince(), exit, "clean run", "");
  }

  private Clean cleanDone(int sample, int index, double seconds, int exit, String what, String note)
      throws IOException {
    String load = Stats.loadAverage();
    RunFacts facts = drivers.requireSucceeded(sample, exit, what);
    out.printf(
        "lost work: clean %d %s s (load %s)%s; work %s s; chunks %s%n",
        index,
        Stats.seconds(seconds),
        load,
        note,
        Stats.seconds(facts.workSeconds()),
        facts.chunkDecisions());
    out.flush();
    drivers.clean(sample);
    return new Clean(
        index,
        seconds,
        load,
        facts.workSeconds(),
        facts.largestSegmentSeconds(),
        facts.chunkDecisions(),
        facts.stageSeconds());
  }

  /**
   * A {@link Killed} sample, or a {@link Clean} one when the run finished before {@code killAt}.
   */
  private Sample killed(int sample, int index, int cleanIndex, int slice, double killAt)
      throws IOException, InterruptedException {
    Drivers.Started p = drivers.run(sample, Map.of());
    boolean exited = p.process().waitFor((long) (killAt * 1e9), TimeUnit.NANOSECONDS);
    double killAfter = p.secondsSince();
    if (exited) {
      return cleanDone(
          sample,
          cleanIndex,
          killAfter,
          p.process().exitValue(),
          "run to be killed at " + Stats.seconds(killAt) + " s",
          ": finished before its kill instant " + Stats.seconds(killAt) + " s");
    }
    Instant killedAt = Instant.now();
    Drivers.killGroup(p.process());
    Optional<RunRecord> run = drivers.lastRun(sample);
    List<String> committed = List.of();
    if (run.isPresent()) {
      try (DynamoDbCheckpointStore store = drivers.store(sample)) {
        committed =
            store.stages(run.get().runId()).stream()
                .filter(s -> s.status().name().equals("COMMITTED"))
                .map(StageRecord::stage)
                .toList();
      }
    }
    // Killed before the run was even recorded: `cairn run` is how it starts again.
    Drivers.Started again =
        run.isPresent() ? drivers.resume(sample, run.get().runId()) : drivers.run(sample, Map.of());
    int exit = again.process().waitFor();
    double resume = again.secondsSince();
    String load = Stats.loadAverage();
    RunFacts facts = drivers.requireSucceeded(sample, exit, "resume");
    Map<String, Double> restart = facts.restart(again.at());
    double recomputed = run.map(r -> facts.recomputedSeconds(r.epoch(), killedAt)).orElse(0.0);
    Map<String, Double> resumedStages =
        restart.isEmpty() ? Map.of() : facts.stageSecondsRunWholeBy(facts.lastEpoch());
    out.printf(
        "lost work: kill %d at %s s (slice %d; committed then: %s), %s %s s (load %s);"
            + " restart %s; recomputed %s s; stages it ran whole %s%n",
        index,
        Stats.seconds(killAfter),
        slice,
        committed.isEmpty() ? "none" : String.join(",", committed),
        run.isPresent() ? "resume" : "run again",
        Stats.seconds(resume),
        load,
        restart,
        Stats.seconds(recomputed),
        resumedStages);
    out.flush();
    drivers.clean(sample);
    return new Killed(
        index,
        slice,
        killAfter,
        resume,
        run.isPresent() ? "resume" : "run",
        committed,
        load,
        restart,
        recomputed,
        resumedStages);
  }
}
