package dev.cairn.internal.interrupt;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns stop requests into an {@link Interruption}: polls notice sources (IMDS) on a daemon thread,
 * and handles SIGTERM while a run is executing. Start-up costs nothing: the first poll happens on
 * the watcher's thread, never on the driver's.
 */
public final class InterruptionWatcher implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(InterruptionWatcher.class);

  private final List<NoticeSource> sources;
  private final Interruption interruption;
  private final ScheduledExecutorService poller;
  private final Clock clock;
  private final Duration termGrace;
  private SignalHandler previousTerm;
  private boolean termInstalled;

  /** Set by {@link #close}: a poll it interrupts fails for that reason, not the source's. */
  private volatile boolean closed;

  /**
   * @param interval how often the sources are polled (EC2 gives two minutes of notice)
   * @param termGrace how long SIGTERM leaves before the process must be gone
   */
  public InterruptionWatcher(
      List<NoticeSource> sources,
      Interruption interruption,
      Duration interval,
      Duration termGrace,
      Clock clock) {
    this.sources = new CopyOnWriteArrayList<>(sources);
    this.interruption = interruption;
    this.clock = clock;
    this.termGrace = termGrace;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cairn-interruption-watcher");
              t.setDaemon(true);
              return t;
            });
    if (!this.sources.isEmpty()) {
      poller.scheduleWithFixedDelay(this::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Handles SIGTERM as a notice (deadline: now + the grace period) instead of the JVM's default
   * (run shutdown hooks, which would stop Spark under the running stage). A second SIGTERM exits at
   * once with 143.
   */
  public void handleSigterm() {
    try {
      previousTerm =
          Signal.handle(
              new Signal("TERM"),
              signal -> {
                if (interruption.requested().isPresent()) {
                  LOG.warn("Second SIGTERM: exiting now");
                  Runtime.getRuntime().exit(143);
                }
                interruption.request(
                    new Notice(
                        Notice.Kind.SIGTERM,
                        clock.instant().plus(termGrace),
                        "SIGTERM received; stopping within " + termGrace.toSeconds() + " s"));
              });
      termInstalled = true;
    } catch (IllegalArgumentException unsupported) {
      LOG.warn("Cannot handle SIGTERM on this JVM: {}", unsupported.getMessage());
    }
  }

  /** Polls every source once (one poll at a time); public for tests. */
  public synchronized void pollOnce() {
    if (interruption.requested().isPresent()) {
      return;
    }
    for (NoticeSource source : List.copyOf(sources)) {
      try {
        Optional<Notice> notice = source.poll();
        if (notice.isPresent()) {
          LOG.warn("Stop requested: {}", notice.get().reason());
          interruption.request(notice.get());
          return;
        }
      } catch (NoticeSource.NoticeSourceUnavailableException unavailable) {
        if (unavailable.unexpected() && !closed) {
          LOG.warn(
              "Not watching for EC2 Spot interruption notices: {}. A Spot reclamation would kill"
                  + " this driver without a notice (it resumes, but loses the work in flight)."
                  + " Fix: let this process use IMDSv2 (PUT /latest/api/token with the"
                  + " X-aws-ec2-metadata-token-ttl-seconds header; a hop limit of 2 in"
                  + " containers), or set AWS_EC2_METADATA_DISABLED=true where there is none",
              unavailable.getMessage());
        } else {
          LOG.debug("Not polling for interruption notices: {}", unavailable.getMessage());
        }
        sources.remove(source);
        source.close();
      } catch (RuntimeException unexpected) {
        LOG.warn("Polling for interruption notices failed: {}", unexpected.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    poller.shutdownNow();
    sources.forEach(NoticeSource::close);
    if (termInstalled) {
      Signal.handle(new Signal("TERM"), previousTerm);
    }
  }
}
