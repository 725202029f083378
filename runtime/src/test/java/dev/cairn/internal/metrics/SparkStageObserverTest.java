package dev.cairn.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.config.Spark;
import dev.cairn.internal.store.StageMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SparkStageObserverTest {
  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    System.setProperty("cairn.shuffle.partitions", "2");
    spark = Spark.session("local[2]", "spark-stage-observer-test");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static StageMetrics countRows(SparkStageObserver observer, String group, long rows) {
    observer.begin(group, "count " + rows + " rows");
    spark.range(rows).repartition(2).count();
    // The duration is the caller's measure; the observer only adds Spark's counters to it.
    return observer.end(group, 7);
  }

  @Test
  void sumsTheTasksOfTheJobsRunUnderTheGroup() {
    SparkStageObserver observer = new SparkStageObserver(() -> spark, Duration.ofMinutes(1));

    StageMetrics metrics = countRows(observer, "run-a:clean:1", 1_000);

    assertThat(metrics.durationMs()).isEqualTo(7);
    assertThat(metrics.shuffleBytes()).isPositive();
    assertThat(metrics.failedTasks()).isZero();
    assertThat(metrics.sparkJobMs()).isPositive();
  }

  // The bench and the tests start the same run (same id, so the same group names) more than once
  // in one JVM. Spark keeps listing the first run's jobs under the group; they must not be waited
  // for (a drain of minutes here: the test's timeout fails it if they are).
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aGroupNameUsedAgain_neitherWaitsForTheEarlierJobsNorCountsThem() {
    SparkStageObserver observer = new SparkStageObserver(() -> spark, Duration.ofMinutes(10));
    StageMetrics first = countRows(observer, "run-b:clean:1", 100_000);

    StageMetrics again = countRows(observer, "run-b:clean:1", 10);
    // A second runtime in the same JVM has an observer of its own.
    StageMetrics byAnother =
        countRows(new SparkStageObserver(() -> spark, Duration.ofMinutes(10)), "run-b:clean:1", 10);

    assertThat(again.shuffleBytes()).isPositive().isLessThan(first.shuffleBytes());
    assertThat(byAnother.shuffleBytes()).isEqualTo(again.shuffleBytes());
  }
}
