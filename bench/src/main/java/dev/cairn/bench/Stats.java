package dev.cairn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Medians, ratios and the lines {@code cairn bench} prints; pure arithmetic, unit-tested. */
final class Stats {
  private Stats() {}

  /**
   * Per key, the median of its values over {@code samples} (a key absent from a sample has no value
   * there), in the order keys first appear.
   */
  static Map<String, Double> mediansByKey(List<? extends Map<String, ? extends Number>> samples) {
    Map<String, List<Number>> byKey = new LinkedHashMap<>();
    samples.forEach(
        m -> m.forEach((k, v) -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(v)));
    Map<String, Double> out = new LinkedHashMap<>();
    byKey.forEach((k, v) -> out.put(k, median(v)));
    return out;
  }

  /** The median of {@code values} (mean of the middle two for an even count). */
  static double median(List<? extends Number> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("median of no values");
    }
    List<Double> sorted = new ArrayList<>();
    values.forEach(v -> sorted.add(v.doubleValue()));
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * Work lost to one kill, as a multiple of a clean run: (time before the kill + time of the
   * resume) / clean time; 1.0 would be no work lost at all.
   */
  static double lostWorkRatio(double killedAfter, double resumeTook, double clean) {
    return (killedAfter + resumeTook) / clean;
  }

  /** Restarting from scratch instead of resuming: (time before the kill + clean) / clean. */
  static double restartRatio(double killedAfter, double clean) {
    return (killedAfter + clean) / clean;
  }

  /** The order in which {@code slices} kill slices are taken: a seeded random permutation. */
  static List<Integer> sliceOrder(int slices, Random random) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < slices; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    return order;
  }

  /**
   * A kill instant in slice {@code slice} of {@code slices} equal slices of {@code horizon}
   * seconds, uniformly random within it.
   */
  static double stratified(int slice, int slices, double horizon, Random random) {
    if (slice < 0 || slice >= slices) {
      throw new IllegalArgumentException("slice " + slice + " is not in [0, " + slices + ")");
    }
    return (slice + random.nextDouble()) * horizon / slices;
  }

  /** {@code name=value} with three decimals, the form scripts grep for. */
  static String ratioLine(String name, double value) {
    return name + "=" + String.format(Locale.ROOT, "%.3f", value);
  }

  /** Seconds with one decimal. */
  static String seconds(double s) {
    return String.format(Locale.ROOT, "%.1f", s);
  }

  /** The 1-minute load average, as {@code uptime} prints it, or "?" where /proc is absent. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** The first field of a load-average string ("1.52 0.90 0.40" gives 1.52), NaN if none. */
  static double firstLoad(String loadAverage) {
    try {
      return Double.parseDouble(loadAverage.trim().split("\\s+")[0]);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
