package dev.cairn.internal.metrics;

import dev.cairn.internal.store.StageMetrics;

/**
 * Brackets each stage attempt's Spark work: it runs under its own job group, so its jobs can be
 * cancelled on their own and its task metrics summed. The Spark implementation is {@link
 * SparkStageObserver}; tests use {@link #NONE}. It lives here, beside its implementation, so that
 * the engine depends on metrics and nothing here depends on the engine.
 */
public interface StageObserver {

  /** Work on the calling thread belongs to {@code group} until {@link #end}. */
  void begin(String group, String description);

  /** Ends {@code group} on the calling thread and returns what its work cost. */
  StageMetrics end(String group, long durationMs);

  /** Cancels the running Spark jobs of {@code group}, from any thread. */
  void cancel(String group);

  /** Observes nothing; metrics hold only the duration. */
  StageObserver NONE =
      new StageObserver() {
        @Override
        public void begin(String group, String description) {}

        @Override
        public StageMetrics end(String group, long durationMs) {
          return StageMetrics.ofDuration(durationMs);
        }

        @Override
        public void cancel(String group) {}
      };
}
