package dev.cairn.internal.store;

import dev.cairn.Chunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The frozen plan of a chunked stage's generation: its units in order, where each chunk starts
 * among them, and why ({@link ChunkDecision}). Chunk {@code i} holds units {@code starts[i]} up to
 * (not including) {@code starts[i+1]}.
 *
 * @param units the unit keys in plan order; empty for a stage not chunked or not planned yet
 * @param starts the index of each chunk's first unit: starts at 0, strictly increasing, each below
 *     {@code units.size()}
 * @param decision why the units were grouped so; empty for a plan recorded before the runtime sized
 *     chunks (then each unit is a chunk)
 */
public record ChunkPlan(
    List<String> units, List<Integer> starts, Optional<ChunkDecision> decision) {

  /** No plan: a stage that is not chunked, or not planned yet. */
  public static final ChunkPlan NONE = new ChunkPlan(List.of(), List.of(), Optional.empty());

  public ChunkPlan {
    units = List.copyOf(units);
    starts = List.copyOf(starts);
    if (units.isEmpty() != starts.isEmpty()) {
      throw new IllegalArgumentException("a chunk plan has units and chunks, or neither");
    }
    for (int i = 0; i < starts.size(); i++) {
      int start = starts.get(i);
      if ((i == 0 && start != 0)
          || (i > 0 && start <= starts.get(i - 1))
          || start >= units.size()) {
        throw new IllegalArgumentException(
            "chunk starts " + starts + " do not split " + units.size() + " units");
      }
    }
  }

  /** A plan in which every unit is a chunk of its own. */
  public static ChunkPlan oneChunkPerUnit(List<String> units) {
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < units.size(); i++) {
      starts.add(i);
    }
    return new ChunkPlan(units, starts, Optional.empty());
  }

  /** Whether there is a plan. */
  public boolean planned() {
    return !units.isEmpty();
  }

  /** How many chunks the plan has. */
  public int size() {
    return starts.size();
  }

  /** Chunk {@code index}. */
  public Chunk chunk(int index) {
    int from = starts.get(index);
    int to = index + 1 < starts.size() ? starts.get(index + 1) : units.size();
    return new Chunk(index, starts.size(), units.subList(from, to));
  }

  /** The chunks, in plan order. */
  public List<Chunk> chunks() {
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      chunks.add(chunk(i));
    }
    return chunks;
  }
}
