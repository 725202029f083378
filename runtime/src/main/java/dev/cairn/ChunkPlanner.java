package dev.cairn;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Says how a chunked stage's work can be split: into fine units, in order (days, files, key
 * ranges), each named by a string key the stage's compute function understands and optionally
 * weighted by how much work it holds (rows or bytes). The runtime decides how many consecutive
 * units go in each chunk, from the measured cost of a commit and the stage's expected duration (see
 * the README's "chunk sizing"); the compute function receives its chunk's units ({@link
 * StageContext#chunk()}).
 *
 * <p>The units are named once per run (and per {@code cairn rerun} of the stage) before the first
 * chunk runs; the grouped plan is recorded in the stage's checkpoint, and every later attempt, on
 * any driver, runs exactly those chunks, in order, even if the inputs change meanwhile. The units
 * should cover the stage's whole output and not overlap.
 */
@FunctionalInterface
public interface ChunkPlanner {

  /**
   * The units, in the order they run: at least one, keys distinct and not blank. Called with the
   * stage's context (its parameters and upstream inputs); {@link StageContext#chunk()} is empty
   * here.
   */
  List<Unit> units(StageContext context);

  /**
   * One unit of a chunked stage's work.
   *
   * @param key names the unit to the compute function (e.g. {@code 2001-01-31})
   * @param weight how much work the unit holds relative to the others, e.g. its rows or bytes
   *     (non-negative); units of equal weight when the planner does not know
   */
  record Unit(String key, long weight) {
    public Unit {
      Objects.requireNonNull(key, "key");
      if (weight < 0) {
        throw new IllegalArgumentException(
            "unit '" + key + "' has weight " + weight + "; weights are rows or bytes, at least 0");
      }
    }

    /** A unit of weight 1. */
    public static Unit of(String key) {
      return new Unit(key, 1);
    }

    /** A unit holding {@code weight} (rows, bytes) of work. */
    public static Unit of(String key, long weight) {
      return new Unit(key, weight);
    }

    /** Units of equal weight, one per key, in order. */
    public static List<Unit> each(String... keys) {
      return each(Arrays.asList(keys));
    }

    /** Units of equal weight, one per key, in order. */
    public static List<Unit> each(List<String> keys) {
      return keys.stream().map(Unit::of).toList();
    }
  }
}
