package dev.cairn.internal.store;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What a chunk plan must be to be recorded: the rule both stores apply. */
public final class ChunkPlans {
  private ChunkPlans() {}

  /**
   * Checks {@code plan} can be a plan of {@code stage}.
   *
   * @throws IllegalArgumentException naming the stage, what is wrong and the fix
   */
  public static void check(String stage, ChunkPlan plan) {
    List<String> chunks = plan.units();
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException(
          "the chunk plan of stage '"
              + stage
              + "' is empty. Fix: make its planner return at least one unit (one covering"
              + " everything when there is nothing to split)");
    }
    if (chunks.size() > CheckpointStore.MAX_CHUNKS) {
      throw new IllegalArgumentException(
          "the chunk plan of stage '"
              + stage
              + "' has "
              + chunks.size()
              + " units, more than "
              + CheckpointStore.MAX_CHUNKS
              + ". Fix: plan coarser units");
    }
    Set<String> seen = new HashSet<>();
    long chars = 0;
    for (String chunk : chunks) {
      if (chunk == null || chunk.isBlank()) {
        throw new IllegalArgumentException(
            "the chunk plan of stage '" + stage + "' holds a blank key. Fix: name every unit");
      }
      if (!seen.add(chunk)) {
        throw new IllegalArgumentException(
            "the chunk plan of stage '"
                + stage
                + "' names unit '"
                + chunk
                + "' twice. Fix: make its planner return distinct keys");
      }
      chars += chunk.length();
    }
    if (chars > CheckpointStore.MAX_PLAN_CHARS) {
      throw new IllegalArgumentException(
          "the chunk plan of stage '"
              + stage
              + "' holds "
              + chars
              + " characters of unit keys, more than "
              + CheckpointStore.MAX_PLAN_CHARS
              + " fit in its checkpoint. Fix: use shorter unit keys (an index into a list the"
              + " stage can rebuild) or fewer units");
    }
  }
}
