package dev.cairn.internal.store;

import java.util.Locale;

/**
 * Why a chunked stage's units were grouped into the chunks they were: the sizing policy's inputs
 * and its result, kept with the frozen plan so that {@code status} can show it. Times in seconds;
 * {@code NaN} where unknown.
 *
 * @param units how many units the planner named
 * @param chunks how many chunks they were grouped into
 * @param totalWeight the units' summed weight
 * @param fixedCostSeconds C, the measured fixed cost of one commit (planning, Delta commit, store
 *     writes)
 * @param fixedCostBasis where C comes from (e.g. {@code this run}, {@code default})
 * @param expectedSeconds the stage's expected work, all units together
 * @param expectedBasis where that expectation comes from ({@code last succeeded run ...}, {@code
 *     upstream stages}, or {@code unknown})
 * @param mtbiSeconds M, the expected mean time between driver interruptions
 * @param tauSeconds τ, the optimal chunk length for C and M (Young/Daly)
 * @param capSeconds the most expected work one chunk may hold
 * @param capBasis where the cap comes from ({@code CAIRN_CHUNK_MAX_SECONDS}, {@code Spot notice},
 *     {@code default})
 * @param overheadBudget the most of a chunk's time its fixed cost may take (e.g. 0.02)
 * @param targetSeconds the expected work per chunk the policy aimed at
 */
public record ChunkDecision(
    int units,
    int chunks,
    long totalWeight,
    double fixedCostSeconds,
    String fixedCostBasis,
    double expectedSeconds,
    String expectedBasis,
    double mtbiSeconds,
    double tauSeconds,
    double capSeconds,
    String capBasis,
    double overheadBudget,
    double targetSeconds) {

  /** Whether the stage's duration was estimated; when not, every unit is a chunk of its own. */
  public boolean estimated() {
    return !Double.isNaN(expectedSeconds);
  }

  /**
   * One line, as {@code status} shows it: {@code 13 units in 2 chunks: τ 41 s from C 0.31 s, M 24
   * h, cap 300 s; expected 62 s (upstream stages)}.
   */
  public String describe() {
    String head =
        units
            + (units == 1 ? " unit" : " units")
            + " in "
            + chunks
            + (chunks == 1 ? " chunk" : " chunks")
            + ": τ "
            + seconds(tauSeconds)
            + " from C "
            + String.format(Locale.ROOT, "%.2f s", fixedCostSeconds)
            + ", M "
            + span(mtbiSeconds)
            + ", cap "
            + seconds(capSeconds);
    return estimated()
        ? head + "; expected " + seconds(expectedSeconds) + " (" + expectedBasis + ")"
        : head + "; duration unknown (" + expectedBasis + "): one chunk per unit";
  }

  private static String seconds(double s) {
    if (Double.isNaN(s)) {
      return "?";
    }
    return s < 10
        ? String.format(Locale.ROOT, "%.1f s", s)
        : String.format(Locale.ROOT, "%.0f s", s);
  }

  /** {@code 24 h}, {@code 30 d}, {@code 45 min}, {@code 50 s}. */
  static String span(double s) {
    if (s >= 2 * 86_400 && s % 86_400 == 0) {
      return String.format(Locale.ROOT, "%.0f d", s / 86_400);
    }
    if (s >= 3_600) {
      return String.format(Locale.ROOT, "%.0f h", s / 3_600);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%.0f min", s / 60);
    }
    return seconds(s);
  }
}
