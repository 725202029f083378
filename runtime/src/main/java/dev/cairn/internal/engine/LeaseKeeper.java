package dev.cairn.internal.engine;

import dev.cairn.RunHeldException;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import java.time.Clock;
import java.time.Duration;
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
      store.renewLease(lease, clock.instant(), ttl);
    } catch (RunHeldException e) {
      lost = e;
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

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
