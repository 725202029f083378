package dev.cairn.internal.metrics;

import dev.cairn.internal.store.StageMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs each stage attempt under a Spark job group and sums its task metrics with {@link
 * SparkStageMetrics}. Creates no SparkSession of its own: it uses the runtime's, on first use.
 *
 * <p>Each {@link #begin} gets a Spark job group of its own ({@code <group>#<n>}): the same run
 * started again in one JVM (a test, the bench) names its attempts as before, and Spark still lists
 * the earlier jobs under a reused group, whose ends were already counted and would be waited for
 * until the drain's deadline.
 */
public final class SparkStageObserver implements StageObserver {
  /** How long to wait for Spark's listener bus to deliver a finished attempt's last events. */
  private static final Duration DRAIN = Duration.ofSeconds(5);

  /** Numbers the Spark job groups; per JVM, as several runtimes can share one SparkContext. */
  private static final AtomicLong BEGUN = new AtomicLong();

  private final Supplier<SparkSession> spark;
  private final Duration drain;
  private final Map<String, String> sparkGroups = new ConcurrentHashMap<>();
  private SparkStageMetrics listener;
  private SparkContext context;

  public SparkStageObserver(Supplier<SparkSession> spark) {
    this(spark, DRAIN);
  }

  SparkStageObserver(Supplier<SparkSession> spark, Duration drain) {
    this.spark = spark;
    this.drain = drain;
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
    String sparkGroup = group + "#" + BEGUN.incrementAndGet();
    sparkGroups.put(group, sparkGroup);
    metrics.open(sparkGroup);
    context.setJobGroup(sparkGroup, description, true);
  }

  @Override
  public StageMetrics end(String group, long durationMs) {
    SparkStageMetrics metrics = listener();
    context.clearJobGroup();
    String sparkGroup = sparkGroups.remove(group);
    return sparkGroup == null
        ? StageMetrics.ofDuration(durationMs)
        : metrics.close(
            context.statusTracker().getJobIdsForGroup(sparkGroup), sparkGroup, durationMs, drain);
  }

  @Override
  public synchronized void cancel(String group) {
    String sparkGroup = sparkGroups.get(group);
    if (context != null && sparkGroup != null) {
      context.cancelJobGroup(sparkGroup);
    }
  }
}
