package dev.cairn.internal.engine;

import dev.cairn.RunHeldException;
import dev.cairn.internal.delta.WriteFence;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Renews a lease on a daemon thread. When the store says the lease was lost, it runs {@code onLost}
 * once (cancel the Spark jobs) and {@link #check()} throws from then on, so the driver starts no
 * more work.
 */
final class LeaseKeeper implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(LeaseKeeper.class);

  private final CheckpointStore store;
  private final Lease lease;
  private final Clock clock;
  private final Duration ttl;
  private final Runnable onLost;
  private final ScheduledExecutorService scheduler;
  private volatile RunHeldException lost;

  /**
   * Guards the fence against a renewal still in flight when the keeper closes: its outcome, landing
   * after the run released the lease, must not arm the fence again (nor report the lease lost), or
   * the next run in this JVM would find its commits refused.
   */
  private final Object fence = new Object();

  private boolean closed; // guarded by fence

  LeaseKeeper(
      CheckpointStore store,
      Lease lease,
      Clock clock,
      Duration ttl,
      Duration interval,
      Runnable onLost) {
    this.store = store;
    this.lease = lease;
    this.clock = clock;
    this.ttl = ttl;
    this.onLost = onLost;
    // The lease was taken just now: commits are allowed until it may have run out.
    WriteFence.extend(lease.holder().describe(), fenceNanos(ttl));
    if (interval.isZero()) {
      this.scheduler = null;
    } else {
      this.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "cairn-lease-" + lease.runId());
                t.setDaemon(true);
                return t;
              });
      scheduler.scheduleWithFixedDelay(
          this::renewNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Renews once; records the loss if the store refuses. */
  void renewNow() {
    if (lost != null) {
      return;
    }
    try {
      // Measured before the request: the lease runs from when the store may have applied it.
      WriteFence.Stamp sent = WriteFence.Stamp.now();
      Instant requested = clock.instant();
      Instant expiry = store.renewLease(lease, requested, ttl);
      synchronized (fence) {
        if (!closed) {
          WriteFence.extend(
              lease.holder().describe(),
              sent,
              fenceNanos(Duration.between(requested, expiry), ttl));
        }
      }
    } catch (RunHeldException e) {
      synchronized (fence) {
        if (closed) {
          LOG.debug("A renewal refused after the run released its lease: {}", e.getMessage());
          return;
        }
        lost = e;
        WriteFence.close(lease.holder().describe());
      }
      LOG.error("Lease lost: {}", e.getMessage());
      try {
        onLost.run();
      } catch (RuntimeException cancelFailed) {
        LOG.warn("Cancelling work after the lease was lost failed", cancelFailed);
      }
    } catch (RuntimeException transientFailure) {
      // The lease stays valid until it expires; the next renewal tries again.
      LOG.warn("Lease renewal failed, will retry: {}", transientFailure.getMessage());
    }
  }

  /** Throws if the lease was lost. */
  void check() {
    if (lost != null) {
      throw lost;
    }
  }

  /**
   * How long after a renewal this driver still trusts its lease: the TTL less a sixth, for clock
   * skew between this host and the next driver's (which compares the expiry to its own clock).
   */
  static long fenceNanos(Duration ttl) {
    return fenceNanos(ttl, ttl);
  }

  /**
   * The same for a lease that runs {@code left} more from when its renewal was sent (less than the
   * TTL when the store says the renewal did not land).
   */
  static long fenceNanos(Duration left, Duration ttl) {
    return left.minus(ttl.dividedBy(6)).toNanos();
  }

  @Override
  public void close() {
    synchronized (fence) {
      closed = true;
      WriteFence.open();
    }
    if (scheduler != null) {
      // Does not wait for a renewal in flight; its outcome no longer touches the fence.
      scheduler.shutdownNow();
    }
  }
}
