package dev.cairn.internal.metrics;

import dev.cairn.internal.engine.StageObserver;
import dev.cairn.internal.store.StageMetrics;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs each stage attempt under a Spark job group and sums its task metrics with {@link
 * SparkStageMetrics}. Creates no SparkSession of its own: it uses the runtime's, on first use.
 */
public final class SparkStageObserver implements StageObserver {
  /** How long to wait for Spark's listener bus to deliver a finished attempt's last events. */
  private static final Duration DRAIN = Duration.ofSeconds(5);

  private final Supplier<SparkSession> spark;
  private SparkStageMetrics listener;
  private SparkContext context;

  public SparkStageObserver(Supplier<SparkSession> spark) {
    this.spark = spark;
  }

  private synchronized SparkStageMetrics listener() {
    if (listener == null) {
      context = spark.get().sparkContext();
      listener = SparkStageMetrics.attachTo(context);
    }
    return listener;
  }

  @Override
  public void begin(String group, String description) {
    SparkStageMetrics metrics = listener();
    metrics.open(group);
    context.setJobGroup(group, description, true);
  }

  @Override
  public StageMetrics end(String group, long durationMs) {
    SparkStageMetrics metrics = listener();
    context.clearJobGroup();
    return metrics.close(context, group, durationMs, DRAIN);
  }

  @Override
  public synchronized void cancel(String group) {
    if (context != null) {
      context.cancelJobGroup(group);
    }
  }
}
