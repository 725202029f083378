package dev.cairn.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** The listener fed Spark's events by hand: times are the events', not this machine's. */
class SparkStageMetricsTest {

  private static SparkListenerJobStart start(int job, long at, String group) {
    Properties properties = new Properties();
    properties.setProperty("spark.jobGroup.id", group);
    return new SparkListenerJobStart(
        job, at, CollectionConverters.asScala(List.<StageInfo>of()).toSeq(), properties);
  }

  private static SparkListenerJobEnd end(int job, long at) {
    return new SparkListenerJobEnd(job, at, JobSucceeded$.MODULE$);
  }

  @Test
  void sparkJobTime_isTheUnionOfTheGroupsJobIntervals_notTheirSum_norOtherGroups() {
    SparkStageMetrics metrics = new SparkStageMetrics();
    metrics.open("g");
    metrics.open("other");
    metrics.onJobStart(start(1, 100, "g"));
    metrics.onJobStart(start(2, 250, "g")); // overlaps job 1
    metrics.onJobEnd(end(1, 300));
    metrics.onJobEnd(end(2, 400));
    metrics.onJobStart(start(3, 500, "other"));
    metrics.onJobEnd(end(3, 900));
    metrics.onJobStart(start(4, 1000, "g"));
    metrics.onJobEnd(end(4, 1100));

    var closed = metrics.close(new int[] {1, 2, 4}, "g", 2_000, java.time.Duration.ZERO);

    assertThat(closed.sparkJobMs()).isEqualTo(300 + 100);
    assertThat(closed.durationMs()).isEqualTo(2_000);
    assertThat(closed.fixedSecondsPerCommit(2).orElseThrow()).isEqualTo(0.8);
  }
}
