package dev.cairn;

import java.util.List;

/**
 * Splits a chunked stage's work into chunks: files, partition values or key ranges, each named by a
 * string key the stage's compute function understands ({@link StageContext#chunk()}).
 *
 * <p>The plan is made once per run (and per {@code cairn rerun} of the stage) before the first
 * chunk runs, and recorded in the stage's checkpoint: every later attempt, on any driver, runs
 * exactly that plan, in order, even if the inputs change meanwhile. The chunks should cover the
 * stage's whole output and not overlap.
 */
@FunctionalInterface
public interface ChunkPlanner {

  /**
   * The chunk keys, in the order they run: at least one, distinct, not blank. Called with the
   * stage's context (its parameters and upstream inputs); {@link StageContext#chunk()} is empty
   * here.
   */
  List<String> chunks(StageContext context);
}
