package dev.cairn.internal.engine;

import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.store.CheckResult;
import java.util.List;

/** How a chunked stage's attempt ended: every chunk committed, or stopped between two chunks. */
sealed interface ChunksResult {

  /**
   * Every chunk of the plan is committed.
   *
   * @param commit the last chunk's version and all chunks' rows, never a skipped duplicate
   * @param checks the stage's check results: of all its chunks together before their publishing
   *     commit, or (MERGE chunks, each checked alone) those of the chunks computed in this attempt
   *     combined; empty when no chunk was checked in this attempt
   * @param checkMillis the time the checks of the chunks computed in this attempt took
   */
  record Completed(TableStore.Commit commit, List<CheckResult> checks, long checkMillis)
      implements ChunksResult {}

  /**
   * A stop was requested before chunk {@code next} (of {@code chunks}) started; the chunks before
   * it are committed and stay committed.
   */
  record Stopped(int next, int chunks) implements ChunksResult {}
}
