package dev.cairn.internal.chunking;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What the chunk sizing policy decides from. Times in seconds.
 *
 * @param weights each unit's weight, in plan order
 * @param fixedCostSeconds C, the fixed cost of one commit (at least 0)
 * @param fixedCostBasis where C comes from, for the record
 * @param secondsPerWeight the stage's expected seconds of work per unit of weight; empty when
 *     unknown
 * @param expectedBasis where that comes from, for the record
 * @param mtbiSeconds M, the mean time between driver interruptions (positive)
 * @param capSeconds the most expected work one chunk may hold (positive)
 * @param capBasis where the cap comes from, for the record
 * @param overheadBudget the most of a chunk's time its fixed cost may take, in (0, 1)
 */
public record SizingInputs(
    List<Long> weights,
    double fixedCostSeconds,
    String fixedCostBasis,
    OptionalDouble secondsPerWeight,
    String expectedBasis,
    double mtbiSeconds,
    double capSeconds,
    String capBasis,
    double overheadBudget) {

  public SizingInputs {
    weights = List.copyOf(weights);
    if (!(fixedCostSeconds >= 0)) {
      throw new IllegalArgumentException("fixed cost " + fixedCostSeconds + " s is not >= 0");
    }
    if (!(mtbiSeconds > 0) || !(capSeconds > 0)) {
      throw new IllegalArgumentException(
          "M " + mtbiSeconds + " s and cap " + capSeconds + " s must be positive");
    }
    if (!(overheadBudget > 0 && overheadBudget < 1)) {
      throw new IllegalArgumentException("overhead budget " + overheadBudget + " is not in (0, 1)");
    }
  }
}
