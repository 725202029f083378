package dev.cairn.bench;

import dev.cairn.internal.chunking.ChunkSizing;
import dev.cairn.internal.chunking.SizingInputs;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Expected makespan of a job under driver interruptions, for three ways of chunking its chunked
 * stages; pure arithmetic from measured times, unit-tested.
 *
 * <p>The model. Interruptions of the driver arrive at random, exponentially distributed with mean M
 * (rate λ = 1/M). A job is a sequence of segments, each ending in a commit of fixed cost C. An
 * interruption loses the segment in flight: after a restart of cost R the segment is redone from
 * its start. A segment of t seconds of work then takes, in expectation,
 *
 * <pre>E(t + C) = (M + R)·(e^{(t + C)/M} − 1)</pre>
 *
 * <p>(it fails e^{s/M} − 1 times on average, with s = t + C, each failure costing R plus the
 * expected M − s/(e^{s/M} − 1) seconds it ran; the sum simplifies to the above). This is the
 * classical result for exponential failures: Daly (2006), "A higher order estimate of the optimum
 * checkpoint interval for restart dumps", Future Generation Computer Systems 22(3), gives M·e^{R/M}
 * ·(e^{(t + C)/M} − 1) per segment when interruptions may also strike a restart; with the restart
 * uninterrupted, as here, e^{R/M} becomes 1 + R/M. The makespan is the sum over segments.
 *
 * <p>Segments per stage. A stage that is not chunked is one segment of its work. A chunked stage
 * (units with weights, e.g. days weighted by rows) is one segment per chunk, each chunk's work the
 * stage's work × the chunk's weight / the stage's weight, and the chunks are:
 *
 * <ol>
 *   <li>{@link Policy#ONE_CHUNK_PER_STAGE}: one chunk of all its units;
 *   <li>{@link Policy#ONE_CHUNK_PER_UNIT}: one chunk per unit;
 *   <li>{@link Policy#RUNTIME}: the chunks {@link ChunkSizing#decide} picks, given the weights, C,
 *       the measured seconds per unit of weight, M, the cap and the overhead budget.
 * </ol>
 *
 * <p>A simplification: a chunked stage's own stage-level commit is not counted; the stage is its
 * chunk segments only (each with its C), so ONE_CHUNK_PER_STAGE costs a chunked stage exactly what
 * it costs an unchunked one.
 */
final class Makespan {
  private Makespan() {}

  /** The mean times between interruptions the bench tabulates: 1 h, 24 h and 30 days. */
  static final List<Double> MTBIS = List.of(3600.0, 86400.0, 30 * 86400.0);

  /** How a chunked stage is cut into chunks. */
  enum Policy {
    ONE_CHUNK_PER_STAGE("one chunk per stage"),
    ONE_CHUNK_PER_UNIT("one chunk per unit"),
    RUNTIME("runtime sizing");

    private final String label;

    Policy(String label) {
      this.label = label;
    }

    /** The column heading. */
    String label() {
      return label;
    }
  }

  /**
   * One stage's measured work.
   *
   * @param stage the stage's name, for messages
   * @param workSeconds its work without commits, at least 0
   * @param unitWeights each unit's weight (at least 0, summing to more than 0), in plan order;
   *     empty when the stage is not chunked
   */
  record StageWork(String stage, double workSeconds, List<Long> unitWeights) {
    StageWork {
      unitWeights = List.copyOf(unitWeights);
      if (!(workSeconds >= 0) || Double.isInfinite(workSeconds)) {
        throw new IllegalArgumentException(
            "stage " + stage + ": work " + workSeconds + " s is not a finite number >= 0");
      }
      long total = 0;
      for (long w : unitWeights) {
        if (w < 0) {
          throw new IllegalArgumentException(
              "stage " + stage + ": unit weight " + w + " is negative");
        }
        total += w;
      }
      if (!unitWeights.isEmpty() && total == 0) {
        throw new IllegalArgumentException(
            "stage " + stage + ": its units weigh 0 in all, so they give no way to share its work");
      }
    }

    boolean chunked() {
      return !unitWeights.isEmpty();
    }

    long totalWeight() {
      return unitWeights.stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * The expected makespan of each policy at one M.
   *
   * @param runtimeChunks the chunks {@link Policy#RUNTIME} picks, summed over the chunked stages
   */
  record Row(double mtbiSeconds, Map<Policy, Double> expectedSeconds, int runtimeChunks) {
    Row {
      expectedSeconds = Map.copyOf(expectedSeconds);
    }
  }

  /**
   * The expected time of one segment of {@code seconds} (work plus its commit), with a mean time
   * {@code mtbiSeconds} between interruptions and {@code restartSeconds} to restart after each.
   * {@link Double#POSITIVE_INFINITY} when it is beyond a double (e^{t/M} overflows): such a segment
   * practically never completes.
   */
  static double segment(double seconds, double mtbiSeconds, double restartSeconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("segment " + seconds + " s is not a finite number >= 0");
    }
    checkMtbi(mtbiSeconds);
    checkRestart(restartSeconds);
    // expm1 keeps precision when t/M is tiny (M of years against a minute of work).
    double grows = Math.expm1(seconds / mtbiSeconds);
    if (Double.isInfinite(grows)) {
      return Double.POSITIVE_INFINITY;
    }
    return (mtbiSeconds + restartSeconds) * grows;
  }

  /**
   * The expected makespan of {@code stages} under {@code policy}: the sum of {@link #segment} over
   * their segments (see the class doc), each with its commit cost {@code c}.
   */
  static double expected(
      List<StageWork> stages,
      Policy policy,
      double c,
      double restart,
      double mtbi,
      double cap,
      double overheadBudget) {
    checkCosts(c, restart, mtbi, cap, overheadBudget);
    double sum = 0;
    for (StageWork stage : stages) {
      for (double work : segments(stage, policy, c, mtbi, cap, overheadBudget)) {
        sum += segment(work + c, mtbi, restart);
      }
    }
    return sum;
  }

  /** One {@link Row} per M in {@code mtbis}, in order. */
  static List<Row> table(
      List<StageWork> stages,
      double c,
      double restart,
      double cap,
      double overheadBudget,
      List<Double> mtbis) {
    List<Row> rows = new ArrayList<>();
    for (double mtbi : mtbis) {
      Map<Policy, Double> expected = new EnumMap<>(Policy.class);
      for (Policy policy : Policy.values()) {
        expected.put(policy, expected(stages, policy, c, restart, mtbi, cap, overheadBudget));
      }
      int chunks = 0;
      for (StageWork stage : stages) {
        if (stage.chunked()) {
          chunks += segments(stage, Policy.RUNTIME, c, mtbi, cap, overheadBudget).size();
        }
      }
      rows.add(new Row(mtbi, expected, chunks));
    }
    return rows;
  }

  /**
   * The makespan without interruptions of one chunk per stage: all the work plus one commit per
   * stage. The reference the Markdown table's ratios divide by.
   */
  static double failureFree(List<StageWork> stages, double c) {
    if (!(c >= 0)) {
      throw new IllegalArgumentException("commit cost C " + c + " s is not >= 0");
    }
    return stages.stream().mapToDouble(StageWork::workSeconds).sum() + c * stages.size();
  }

  /**
   * {@code rows} as a Markdown table: a header, its rule, then one line per M, each cell the
   * expected seconds and, in brackets, their ratio to {@code failureFreeSeconds}; the runtime's
   * cell also names its chunk count. An infinite makespan prints as ∞.
   */
  static List<String> markdown(List<Row> rows, double failureFreeSeconds) {
    if (!(failureFreeSeconds > 0)) {
      throw new IllegalArgumentException(
          "failure-free makespan " + failureFreeSeconds + " s is not > 0");
    }
    List<String> lines = new ArrayList<>();
    StringBuilder header = new StringBuilder("| M |");
    StringBuilder rule = new StringBuilder("|---|");
    for (Policy policy : Policy.values()) {
      header.append(' ').append(policy.label()).append(" |");
      rule.append("---:|");
    }
    lines.add(header.toString());
    lines.add(rule.toString());
    for (Row row : rows) {
      StringBuilder line = new StringBuilder("| ").append(duration(row.mtbiSeconds())).append(" |");
      for (Policy policy : Policy.values()) {
        line.append(' ').append(cell(row.expectedSeconds().get(policy), failureFreeSeconds));
        if (policy == Policy.RUNTIME) {
          line.append(", ")
              .append(row.runtimeChunks())
              .append(row.runtimeChunks() == 1 ? " chunk" : " chunks");
        }
        line.append(" |");
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** The work of each of {@code stage}'s segments under {@code policy}, in order. */
  private static List<Double> segments(
      StageWork stage, Policy policy, double c, double mtbi, double cap, double overheadBudget) {
    if (!stage.chunked() || policy == Policy.ONE_CHUNK_PER_STAGE) {
      return List.of(stage.workSeconds());
    }
    List<Long> weights = stage.unitWeights();
    long total = stage.totalWeight();
    List<Integer> starts;
    if (policy == Policy.ONE_CHUNK_PER_UNIT) {
      starts = new ArrayList<>();
      for (int i = 0; i < weights.size(); i++) {
        starts.add(i);
      }
    } else {
      starts =
          ChunkSizing.decide(
                  new SizingInputs(
                      weights,
                      c,
                      "bench",
                      OptionalDouble.of(stage.workSeconds() / total),
                      "bench",
                      mtbi,
                      cap,
                      "bench",
                      overheadBudget))
              .starts();
    }
    List<Double> work = new ArrayList<>();
    for (int k = 0; k < starts.size(); k++) {
      int to = k + 1 < starts.size() ? starts.get(k + 1) : weights.size();
      long w = 0;
      for (int i = starts.get(k); i < to; i++) {
        w += weights.get(i);
      }
      work.add(stage.workSeconds() * w / total);
    }
    return work;
  }

  private static String cell(double seconds, double failureFree) {
    if (Double.isInfinite(seconds)) {
      return "∞";
    }
    return String.format(Locale.ROOT, "%.1f s (%.3f)", seconds, seconds / failureFree);
  }

  /** 3600 → "1 h", 86400 → "24 h", 30 days → "30 d": days from two days up, else hours. */
  static String duration(double seconds) {
    if (seconds >= 2 * 86400 && seconds % 86400 == 0) {
      return String.format(Locale.ROOT, "%.0f d", seconds / 86400);
    }
    if (seconds % 3600 == 0) {
      return String.format(Locale.ROOT, "%.0f h", seconds / 3600);
    }
    if (seconds % 60 == 0) {
      return String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.0f s", seconds);
  }

  private static void checkCosts(
      double c, double restart, double mtbi, double cap, double overheadBudget) {
    if (!(c >= 0) || Double.isInfinite(c)) {
      throw new IllegalArgumentException("commit cost C " + c + " s is not a finite number >= 0");
    }
    checkRestart(restart);
    checkMtbi(mtbi);
    if (!(cap > 0)) {
      throw new IllegalArgumentException("cap " + cap + " s is not > 0");
    }
    if (!(overheadBudget > 0 && overheadBudget < 1)) {
      throw new IllegalArgumentException("overhead budget " + overheadBudget + " is not in (0, 1)");
    }
  }

  private static void checkMtbi(double mtbi) {
    if (!(mtbi > 0) || Double.isInfinite(mtbi)) {
      throw new IllegalArgumentException(
          "mean time between interruptions M " + mtbi + " s is not a finite number > 0");
    }
  }

  private static void checkRestart(double restart) {
    if (!(restart >= 0) || Double.isInfinite(restart)) {
      throw new IllegalArgumentException(
          "restart cost R " + restart + " s is not a finite number >= 0");
    }
  }
}
