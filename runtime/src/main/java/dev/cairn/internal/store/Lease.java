package dev.cairn.internal.store;

import dev.cairn.RunHeldException;
import dev.cairn.internal.errors.StoreErrors;
import java.util.Optional;

/**
 * A driver's hold on a run. Every checkpoint write made with it is conditional on the run still
 * being at {@code epoch} and held by {@code holder}: a driver that lost the lease (a zombie) can
 * move nothing.
 */
public record Lease(String runId, long epoch, LeaseHolder holder) {

  /**
   * The error for a write this lease may no longer make.
   *
   * @param what what the driver was doing, e.g. "renewing its lease"
   * @param current the run as now stored, if it could be read
   */
  public RunHeldException lost(String what, Optional<RunRecord> current) {
    Optional<RunRecord> held = current.filter(run -> run.holder().isPresent());
    return StoreErrors.leaseLost(
        runId,
        epoch,
        what,
        held.map(run -> run.holder().get().describe()).orElse(null),
        held.map(RunRecord::epoch).orElse(0L));
  }
}
