package dev.cairn.internal.metrics;

import dev.cairn.internal.store.StageMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Sums the task metrics of every Spark job run under a job group, so that each stage attempt (one
 * job group) gets its records, bytes, shuffle, spill and failed tasks, and the wall-clock time
 * during which at least one of its jobs ran (the rest of the attempt is the driver's own: planning,
 * commits, checkpoint writes; chunk sizing measures a commit's fixed cost from it). Registered once
 * per SparkContext; thread-safe (Spark's listener bus calls it on its own thread).
 */
public final class SparkStageMetrics extends SparkListener {
  private static final String JOB_GROUP = "spark.jobGroup.id";

  private final Map<Integer, String> groupOfJob = new ConcurrentHashMap<>();
  private final Map<Integer, String> groupOfStage = new ConcurrentHashMap<>();
  private final Map<String, Counters> counters = new ConcurrentHashMap<>();
  private final Set<Integer> endedJobs = ConcurrentHashMap.newKeySet();

  /** Registers a listener on {@code context}. */
  public static SparkStageMetrics attachTo(SparkContext context) {
    SparkStageMetrics listener = new SparkStageMetrics();
    context.addSparkListener(listener);
    return listener;
  }

  /** Starts counting for {@code group}; tasks of jobs run under it are summed from now on. */
  public void open(String group) {
    counters.put(group, new Counters());
  }

  /**
   * Stops counting for {@code group} and returns its sums, after waiting (at most {@code wait}) for
   * the listener bus to deliver the end of every job the group ran.
   *
   * @param jobs the ids of the jobs Spark ran under the group (its status tracker's list)
   */
  public StageMetrics close(int[] jobs, String group, long durationMs, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    for (int job : jobs) {
      while (!endedJobs.contains(job) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    Counters c = counters.remove(group);
    for (int job : jobs) {
      endedJobs.remove(job);
      groupOfJob.remove(job);
    }
    groupOfStage.values().removeIf(group::equals);
    if (c == null) {
      return StageMetrics.ofDuration(durationMs);
    }
    return new StageMetrics(
        durationMs,
        c.recordsRead.get(),
        c.bytesRead.get(),
        c.recordsWritten.get(),
        c.bytesWritten.get(),
        c.shuffleBytes.get(),
        c.spillBytes.get(),
        c.failedTasks.get(),
        c.executorsLost.get(),
        c.jobMillis());
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    String group =
        jobStart.properties() == null ? null : jobStart.properties().getProperty(JOB_GROUP);
    if (group == null || !counters.containsKey(group)) {
      return;
    }
    groupOfJob.put(jobStart.jobId(), group);
    counters.get(group).jobStarted(jobStart.time());
    scala.collection.Iterator<Object> stages = jobStart.stageIds().iterator();
    while (stages.hasNext()) {
      groupOfStage.put((Integer) stages.next(), group);
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd jobEnd) {
    String group = groupOfJob.get(jobEnd.jobId());
    if (group != null) {
      Counters c = counters.get(group);
      if (c != null) {
        c.jobEnded(jobEnd.time());
      }
      endedJobs.add(jobEnd.jobId());
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    String group = groupOfStage.get(taskEnd.stageId());
    Counters c = group == null ? null : counters.get(group);
    if (c == null) {
      return;
    }
    if (taskEnd.reason() != Success$.MODULE$) {
      c.failedTasks.incrementAndGet();
    }
    TaskMetrics m = taskEnd.taskMetrics();
    if (m == null) {
      return;
    }
    c.recordsRead.addAndGet(m.inputMetrics().recordsRead());
    c.bytesRead.addAndGet(m.inputMetrics().bytesRead());
    c.recordsWritten.addAndGet(m.outputMetrics().recordsWritten());
    c.bytesWritten.addAndGet(m.outputMetrics().bytesWritten());
    c.shuffleBytes.addAndGet(
        m.shuffleWriteMetrics().bytesWritten() + m.shuffleReadMetrics().totalBytesRead());
    c.spillBytes.addAndGet(m.memoryBytesSpilled() + m.diskBytesSpilled());
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    // Attributed to every group counting now: an executor lost while a stage ran cost that stage.
    counters.values().forEach(c -> c.executorsLost.incrementAndGet());
  }

  private static final class Counters {
    final AtomicLong recordsRead = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong recordsWritten = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong shuffleBytes = new AtomicLong();
    final AtomicLong spillBytes = new AtomicLong();
    final AtomicLong failedTasks = new AtomicLong();
    final AtomicLong executorsLost = new AtomicLong();
    // The union of the group's job intervals: jobs running now, since when, and the time closed.
    private int running;
    private long since;
    private long jobMs;

    synchronized void jobStarted(long at) {
      if (running++ == 0) {
        since = at;
      }
    }

    synchronized void jobEnded(long at) {
      if (running > 0 && --running == 0) {
        jobMs += Math.max(0, at - since);
      }
    }

    synchronized long jobMillis() {
      return jobMs;
    }
  }
}
