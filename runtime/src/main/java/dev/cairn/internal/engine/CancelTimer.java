package dev.cairn.internal.engine;

import dev.cairn.internal.interrupt.Interruption;
import dev.cairn.internal.interrupt.Notice;
import dev.cairn.internal.metrics.StageObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * While a run executes, answers a stop notice by letting the stage in flight finish if it can: at
 * {@code deadline - margin} its Spark jobs are cancelled if it is still computing, so the stop is
 * recorded before the machine goes; a stage attempt that would begin computing after that moment
 * does not begin. Runs on its own daemon thread (at once on the notice's thread when the cancel is
 * already due); {@link #inFlight} and {@link #idle} may be called from the run's thread while the
 * timer fires. {@link #close} stops listening and drops a cancel not yet due.
 */
final class CancelTimer implements AutoCloseable {
  // The driver's progress log keeps the name it always had.
  private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

  private final Interruption interruption;
  private final Clock clock;
  private final Duration margin;
  private final StageObserver observer;
  private final ScheduledExecutorService timer;
  private final Consumer<Notice> onNotice = this::scheduleCancel;

  /** The job group of the stage attempt computing now, or null. */
  private volatile String inFlight;

  /** Set once the cancel is due: from then on no stage attempt begins computing. */
  private volatile boolean due;

  private CancelTimer(
      String runId,
      Interruption interruption,
      Clock clock,
      Duration margin,
      StageObserver observer) {
    this.interruption = interruption;
    this.clock = clock;
    this.margin = margin;
    this.observer = observer;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cairn-stop-" + runId);
              t.setDaemon(true);
              return t;
            });
  }

  /** Listens for a notice from now on (schedules at once if one came already). */
  static CancelTimer start(String runId, RunServices services) {
    CancelTimer cancel =
        new CancelTimer(
            runId,
            services.interruption(),
            services.clock(),
            services.settings().interruptMargin(),
            services.observer());
    cancel.interruption.onRequest(cancel.onNotice);
    return cancel;
  }

  /**
   * The stage attempt about to compute runs under job group {@code group}. Returns false if the
   * cancel is already due: the attempt must not begin (a stop with no time left to commit).
   */
  boolean inFlight(String group) {
    inFlight = group;
    // Read after publishing the group: a cancel firing in between either sees the group or sets
    // due before this read.
    return !due;
  }

  /** No stage attempt is computing. */
  void idle() {
    inFlight = null;
  }

  private void scheduleCancel(Notice notice) {
    Duration left = Duration.between(clock.instant(), notice.deadline()).minus(margin);
    LOG.warn(
        "Stop requested ({}): no new stage will start; the stage in flight has {} s to commit",
        notice.reason(),
        Math.max(0, left.toSeconds()));
    Runnable cancel =
        () -> {
          due = true;
          String group = inFlight;
          if (group != null) {
            LOG.warn("Cancelling the stage in flight ({}) to stop before the deadline", group);
            observer.cancel(group);
          }
        };
    if (left.isNegative() || left.isZero()) {
      // Due now: decided before the notice's thread returns, so a stage about to start sees it.
      cancel.run();
      return;
    }
    try {
      timer.schedule(cancel, left.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException runEnded) {
      // the run ended meanwhile: nothing to cancel
    }
  }

  @Override
  public void close() {
    interruption.remove(onNotice);
    timer.shutdownNow();
  }
}
