package dev.cairn.internal.chunking;

import dev.cairn.internal.store.ChunkDecision;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunk sizing policy: how many consecutive units of a chunked stage go in each chunk. A pure
 * function of its {@link SizingInputs}.
 *
 * <p>A chunk should hold about τ of work, the checkpoint interval that minimises expected makespan
 * for a fixed cost C per checkpoint and a mean time M between interruptions: Daly's (2006)
 * higher-order estimate τ = √(2CM)·(1 + ⅓√(C/2M) + C/18M) − C for C &lt; 2M, and τ = M beyond
 * (Young's 1974 √(2CM) is its first term). Two bounds apply on top: a chunk never holds more than
 * the cap of expected work (the most a kill may lose), which wins over everything; and it holds at
 * least enough work that its fixed cost stays within the overhead budget (C ≤ budget × (work + C)).
 *
 * <p>The stage's expected work is divided into n = ⌈work / target⌉ chunks of about equal expected
 * work, cutting the units (in order) where their cumulative weight crosses each n-th of the total;
 * n grows until no chunk of more than one unit exceeds the cap. When the stage's duration is not
 * known (no earlier run, nothing measured upstream), every unit is a chunk of its own: the author's
 * finest split loses the least on a kill.
 */
public final class ChunkSizing {
  private ChunkSizing() {}

  /** The decision for {@code in}, with the index of each chunk's first unit. */
  public static Sized decide(SizingInputs in) {
    List<Long> weights = in.weights();
    int units = weights.size();
    long totalWeight = weights.stream().mapToLong(Long::longValue).sum();
    double c = in.fixedCostSeconds();
    double tau = tau(c, in.mtbiSeconds());
    double floor = c * (1 - in.overheadBudget()) / in.overheadBudget();
    double target = Math.min(in.capSeconds(), Math.max(tau, floor));
    List<Integer> starts;
    double expected = Double.NaN;
    if (!in.secondsPerWeight().isPresent()) {
      starts = everyUnit(units);
    } else {
      double rate = in.secondsPerWeight().getAsDouble();
      expected = rate * totalWeight;
      starts = split(weights, rate, target, in.capSeconds());
    }
    ChunkDecision decision =
        new ChunkDecision(
            units,
            starts.size(),
            totalWeight,
            c,
            in.fixedCostBasis(),
            expected,
            in.expectedBasis(),
            in.mtbiSeconds(),
            tau,
            in.capSeconds(),
            in.capBasis(),
            in.overheadBudget(),
            in.secondsPerWeight().isPresent() ? target : Double.NaN);
    return new Sized(starts, decision);
  }

  /**
   * Daly's optimal checkpoint interval for checkpoint cost {@code c} and mean time between
   * interruptions {@code m} (seconds).
   */
  public static double tau(double c, double m) {
    if (c <= 0) {
      return 0;
    }
    if (c >= 2 * m) {
      return m;
    }
    return Math.sqrt(2 * c * m) * (1 + Math.sqrt(c / (2 * m)) / 3 + c / (18 * m)) - c;
  }

  /** Chunks of about equal expected work, the fewest such that each stays within target. */
  static List<Integer> split(List<Long> weights, double rate, double target, double cap) {
    int units = weights.size();
    long total = weights.stream().mapToLong(Long::longValue).sum();
    if (units == 0) {
      return List.of();
    }
    if (total == 0 || rate <= 0) {
      return List.of(0);
    }
    int n = (int) Math.max(1, Math.min(units, Math.ceil(rate * total / target)));
    while (true) {
      List<Integer> starts = balanced(weights, total, n);
      if (n >= units || withinCap(weights, starts, rate, cap)) {
        return starts;
      }
      n++;
    }
  }

  /**
   * Cuts the units into at most {@code n} consecutive groups: unit i joins group ⌊(weight before i
   * + half its own) × n / total⌋, so each group holds about a n-th of the weight; empty groups
   * vanish.
   */
  private static List<Integer> balanced(List<Long> weights, long total, int n) {
    List<Integer> starts = new ArrayList<>();
    double before = 0;
    int current = -1;
    for (int i = 0; i < weights.size(); i++) {
      double w = weights.get(i);
      int group = (int) Math.min(n - 1, Math.floor((before + w / 2) * n / total));
      if (group > current) {
        starts.add(i);
        current = group;
      }
      before += w;
    }
    return starts;
  }

  private static boolean withinCap(
      List<Long> weights, List<Integer> starts, double rate, double cap) {
    for (int k = 0; k < starts.size(); k++) {
      int from = starts.get(k);
      int to = k + 1 < starts.size() ? starts.get(k + 1) : weights.size();
      long w = 0;
      for (int i = from; i < to; i++) {
        w += weights.get(i);
      }
      if (to - from > 1 && rate * w > cap) {
        return false;
      }
    }
    return true;
  }

  private static List<Integer> everyUnit(int units) {
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < units; i++) {
      starts.add(i);
    }
    return starts;
  }

  /**
   * The policy's result.
   *
   * @param starts the index of each chunk's first unit
   */
  public record Sized(List<Integer> starts, ChunkDecision decision) {
    public Sized {
      starts = List.copyOf(starts);
    }
  }
}
