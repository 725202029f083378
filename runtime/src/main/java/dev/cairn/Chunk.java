package dev.cairn;

import java.util.List;

/**
 * The chunk of a chunked stage one call of its compute function computes: consecutive units of the
 * stage's plan ({@link ChunkPlanner}), in plan order. The compute function returns exactly the rows
 * of these units.
 *
 * @param index the chunk's position in the plan, from 0
 * @param count how many chunks the plan has
 * @param units the keys of the units in this chunk, in plan order; at least one
 */
public record Chunk(int index, int count, List<String> units) {
  public Chunk {
    units = List.copyOf(units);
    if (units.isEmpty()) {
      throw new IllegalArgumentException("chunk " + index + " has no units");
    }
  }

  /** The key of the chunk's first unit. */
  public String first() {
    return units.get(0);
  }

  /** The key of the chunk's last unit. */
  public String last() {
    return units.get(units.size() - 1);
  }

  /**
   * The chunk's name in logs and checkpoints: its unit's key, or {@code <first>..<last>} for
   * several units.
   */
  public String key() {
    return units.size() == 1 ? first() : first() + ".." + last();
  }
}
