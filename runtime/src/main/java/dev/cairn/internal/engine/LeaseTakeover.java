package dev.cairn.internal.engine;

import dev.cairn.RunHeldException;
import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunRecord;
import java.time.Instant;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Takes a run's lease for this driver, at the next epoch: when it is free or expired, or when its
 * holder is a process on this host that no longer runs (a driver killed here is taken over at once,
 * without waiting for its lease to expire). Each take is one conditional write; the take-over of a
 * dead holder is conditional on that holder still holding it.
 */
final class LeaseTakeover {
  // The driver's progress log keeps the name it always had.
  private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

  private final RunServices services;

  LeaseTakeover(RunServices services) {
    this.services = services;
  }

  /**
   * The run's lease, held by this driver.
   *
   * @throws RunHeldException another driver, alive or on another host, holds it
   */
  Lease acquire(RunRecord run) {
    var store = services.store();
    var settings = services.settings();
    LeaseHolder holder = services.holder();
    Instant now = services.clock().instant();
    Optional<Lease> lease =
        store.tryAcquireLease(run.runId(), holder, now, settings.leaseTtl(), null);
    if (lease.isPresent()) {
      return lease.get();
    }
    RunRecord current = store.findRun(run.runId()).orElse(run);
    Optional<LeaseHolder> other = current.holder();
    if (other.isPresent() && other.get().isDeadProcessOn(settings.localHost())) {
      LOG.info(
          "Run {} was held by {}, which is no longer running; taking over",
          run.runId(),
          other.get().describe());
      lease =
          store.tryAcquireLease(run.runId(), holder, now, settings.leaseTtl(), other.get().id());
      if (lease.isPresent()) {
        return lease.get();
      }
      current = store.findRun(run.runId()).orElse(current);
    }
    throw RunErrors.runHeld(
        run.runId(),
        current.holder().map(LeaseHolder::describe).orElse("another driver"),
        current.leaseSince(),
        current.leaseExpiresAt());
  }
}
