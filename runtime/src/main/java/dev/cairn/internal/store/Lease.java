package dev.cairn.internal.store;

import dev.cairn.RunHeldException;
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
    String state =
        current
            .filter(run -> run.holder().isPresent())
            .map(run -> "now held by " + run.holder().get().describe() + " at epoch " + run.epoch())
            .orElse("no longer held at epoch " + epoch);
    return new RunHeldException(
        "this driver lost run "
            + runId
            + " while "
            + what
            + ": the run is "
            + state
            + ", so this driver's writes are refused (epoch fencing). Fix: nothing to do if the"
            + " other driver is working; otherwise `cairn resume "
            + runId
            + "`");
  }
}
