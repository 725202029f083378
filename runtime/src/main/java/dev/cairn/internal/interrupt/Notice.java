package dev.cairn.internal.interrupt;

import java.time.Instant;

/**
 * A request to stop: where it came from, when the machine goes away, and why (for the run's record
 * and the operator).
 */
public record Notice(Kind kind, Instant deadline, String reason) {

  /** Where a notice came from. */
  public enum Kind {
    /** EC2 {@code spot/instance-action}: the instance will be terminated, stopped or hibernated. */
    SPOT_INTERRUPTION,
    /** EC2 {@code events/recommendations/rebalance}: elevated risk of interruption. */
    REBALANCE_RECOMMENDATION,
    /** The process received SIGTERM (YARN, ECS, a step cancel, a shutdown). */
    SIGTERM
  }
}
