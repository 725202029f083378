package dev.cairn.internal.store;

import java.time.Instant;

/** Whether a run's lease is free, held, expired, or held by a process gone from this host. */
public enum LeaseState {
  FREE,
  HELD,
  EXPIRED,
  HOLDER_GONE;

  /**
   * The state of {@code run}'s lease at {@code now}, as judged from the host named {@code
   * hostName}: a holder on this host whose process is gone is {@link #HOLDER_GONE}, whatever its
   * expiry.
   */
  public static LeaseState of(RunRecord run, Instant now, String hostName) {
    if (run.holder().isEmpty()) {
      return FREE;
    }
    if (run.holder().get().isDeadProcessOn(hostName)) {
      return HOLDER_GONE;
    }
    return run.isHeldAt(now) ? HELD : EXPIRED;
  }
}
