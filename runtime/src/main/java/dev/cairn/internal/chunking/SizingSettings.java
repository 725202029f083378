package dev.cairn.internal.chunking;

import dev.cairn.internal.errors.ConfigErrors;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * The operator's settings of chunk sizing, and what decides the cap when none is set.
 *
 * @param maxSeconds {@code CAIRN_CHUNK_MAX_SECONDS}: the most expected work one chunk may hold (the
 *     most a kill may lose); empty for the default
 * @param mtbiSeconds {@code CAIRN_MTBI_SECONDS}: the expected mean time between interruptions of
 *     the driver
 * @param overheadBudget {@code CAIRN_CHUNK_OVERHEAD}: the most of a chunk's time its fixed cost may
 *     take
 * @param onSpot whether this driver runs on an EC2 Spot instance (asked when a plan is made)
 */
public record SizingSettings(
    OptionalDouble maxSeconds, double mtbiSeconds, double overheadBudget, BooleanSupplier onSpot) {

  /** A driver off Spot is interrupted about once a day (deploys, host failures, OOMs). */
  public static final double DEFAULT_MTBI_SECONDS = 86_400;

  /** A chunk's fixed cost takes at most 2 % of its time. */
  public static final double DEFAULT_OVERHEAD_BUDGET = 0.02;

  /** Off Spot, a kill loses at most 5 minutes of work. */
  public static final double DEFAULT_MAX_SECONDS = 300;

  /**
   * On Spot, a chunk fits in the 2-minute interruption notice with 30 s to spare for its commit and
   * the stop: a notice drains the chunk in flight and loses nothing.
   */
  public static final double SPOT_MAX_SECONDS = 90;

  /** Every default, off Spot. */
  public static final SizingSettings DEFAULTS =
      new SizingSettings(
          OptionalDouble.empty(), DEFAULT_MTBI_SECONDS, DEFAULT_OVERHEAD_BUDGET, () -> false);

  public SizingSettings {
    Objects.requireNonNull(maxSeconds, "maxSeconds");
    Objects.requireNonNull(onSpot, "onSpot");
  }

  /**
   * The settings in {@code env}: {@code CAIRN_CHUNK_MAX_SECONDS} (seconds &gt; 0, default 300, or
   * 90 on Spot), {@code CAIRN_MTBI_SECONDS} (seconds &gt; 0, default a day) and {@code
   * CAIRN_CHUNK_OVERHEAD} (a fraction in (0, 1), default 0.02).
   *
   * @throws dev.cairn.InvalidParameterException naming the variable when a value is not a number in
   *     its range
   */
  public static SizingSettings fromEnvironment(Map<String, String> env, BooleanSupplier onSpot) {
    OptionalDouble max = number(env, "CAIRN_CHUNK_MAX_SECONDS", "a number of seconds > 0", "300");
    double mtbi =
        number(env, "CAIRN_MTBI_SECONDS", "a number of seconds > 0", "86400")
            .orElse(DEFAULT_MTBI_SECONDS);
    OptionalDouble budget =
        number(
            env, "CAIRN_CHUNK_OVERHEAD", "a fraction between 0 and 1 (e.g. 0.02 for 2 %)", "0.02");
    if (budget.isPresent() && budget.getAsDouble() >= 1) {
      throw ConfigErrors.notANumberIn(
          "CAIRN_CHUNK_OVERHEAD",
          env.get("CAIRN_CHUNK_OVERHEAD"),
          "a fraction between 0 and 1 (e.g. 0.02 for 2 %)",
          "0.02");
    }
    return new SizingSettings(max, mtbi, budget.orElse(DEFAULT_OVERHEAD_BUDGET), onSpot);
  }

  private static OptionalDouble number(
      Map<String, String> env, String name, String range, String example) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return OptionalDouble.empty();
    }
    try {
      double n = Double.parseDouble(value.strip());
      if (n > 0 && Double.isFinite(n)) {
        return OptionalDouble.of(n);
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw ConfigErrors.notANumberIn(name, value, range, example);
  }

  /** The cap in force and where it comes from. */
  public Cap cap() {
    if (maxSeconds.isPresent()) {
      return new Cap(maxSeconds.getAsDouble(), "CAIRN_CHUNK_MAX_SECONDS");
    }
    return onSpot.getAsBoolean()
        ? new Cap(SPOT_MAX_SECONDS, "Spot notice")
        : new Cap(DEFAULT_MAX_SECONDS, "default");
  }

  /** A cap on one chunk's expected work, in seconds, and its basis. */
  public record Cap(double seconds, String basis) {}
}
