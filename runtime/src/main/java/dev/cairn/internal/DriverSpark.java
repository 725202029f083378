package dev.cairn.internal;

import dev.cairn.internal.config.SparkApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;

/**
 * This driver process's one Spark session: created on first use, or ahead of it on a background
 * thread ({@link #startAhead}) so that a resumed driver does not start Spark only after it has read
 * the store and taken the run's lease (BENCHMARKS.md: a resumed driver took the lease 2.0 s after
 * its process started and had Spark 2.6 s later, one after the other).
 *
 * <p>The session is announced to who waits for it ({@link #whenStarted}) on the thread that first
 * uses it ({@link #get}), never on the background thread, so the run's listeners see its start in
 * their own order. Stopped at {@link #close}, after a start still in flight ends. Thread-safe.
 */
final class DriverSpark implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(DriverSpark.class);

  private final Function<String, SparkSession> create;
  private final Object creation = new Object();
  private final Object announcement = new Object();
  private volatile SparkSession session;
  private volatile Thread ahead;
  private boolean announced; // guarded by announcement
  private final List<Consumer<SparkApplication>> waiters = new ArrayList<>(); // by announcement

  /**
   * @param create makes the session for an application name ({@code Spark.session} in production)
   */
  DriverSpark(Function<String, SparkSession> create) {
    this.create = create;
  }

  /**
   * Starts creating the session for {@code appName} on a background thread, unless it exists or is
   * being created. A failure there is left for {@link #get} to meet again and report.
   */
  void startAhead(String appName) {
    synchronized (announcement) {
      if (ahead != null || session != null) {
        return;
      }
      Thread thread =
          new Thread(
              () -> {
                try {
                  created(appName);
                } catch (RuntimeException | LinkageError failed) {
                  LOG.debug("Starting Spark ahead of its first use failed: {}", failed.toString());
                }
              },
              "cairn-spark-start");
      thread.setDaemon(true);
      ahead = thread;
      thread.start();
    }
  }

  /**
   * The session, created now unless it was (or is being, then waited for); its first use tells the
   * waiters, on this thread.
   */
  SparkSession get(String appName) {
    SparkSession s = created(appName);
    List<Consumer<SparkApplication>> toTell;
    synchronized (announcement) {
      if (announced) {
        return s;
      }
      announced = true;
      toTell = List.copyOf(waiters);
      waiters.clear();
    }
    SparkApplication started = SparkApplication.of(s);
    toTell.forEach(then -> then.accept(started));
    return s;
  }

  /** Tells {@code then} of the session once it is first used, or now if it was. */
  void whenStarted(Consumer<SparkApplication> then) {
    SparkSession s;
    synchronized (announcement) {
      if (!announced) {
        waiters.add(then);
        return;
      }
      s = session;
    }
    then.accept(SparkApplication.of(s));
  }

  /** Cancels the session's jobs, if it has started. */
  void cancelAllJobs() {
    SparkSession s = session;
    if (s != null) {
      s.sparkContext().cancelAllJobs();
    }
  }

  /** Whether the session exists or is being created. */
  boolean started() {
    return session != null || ahead != null;
  }

  private SparkSession created(String appName) {
    SparkSession s = session;
    if (s != null) {
      return s;
    }
    synchronized (creation) {
      if (session == null) {
        session = create.apply(appName);
      }
      return session;
    }
  }

  /** Waits for a start in flight, then stops the session. */
  @Override
  public void close() {
    Thread thread = ahead;
    if (thread != null) {
      try {
        thread.join();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    SparkSession s = session;
    if (s != null) {
      s.stop();
    }
  }
}
