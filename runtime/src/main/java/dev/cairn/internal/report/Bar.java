package dev.cairn.internal.report;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;

/**
 * One stage attempt or one chunk on a driver's lane of the timeline.
 *
 * @param epoch the lane: the epoch of the driver that did the work
 * @param chunk the chunk's index for a chunk's bar, empty for a stage attempt's
 * @param detail what a person hovering the bar reads: attempt, cause, version, rows
 */
public record Bar(
    long epoch,
    String stage,
    OptionalInt chunk,
    Instant start,
    Instant end,
    Outcome outcome,
    String detail) {

  /** How the work of a bar ended; {@link #cssClass()} colours it. */
  public enum Outcome {
    /** Computed and committed. */
    COMMITTED("committed", "committed"),
    /**
     * Found done by an earlier driver (a stage's or MERGE chunk's commit in the Delta log, a
     * chunk's staged files) and recorded without recomputing.
     */
    RECOVERED("recovered", "recovered without recomputing"),
    /** A chunk committed, but only after an earlier execution of it was lost. */
    REEXECUTED("reexecuted", "re-executed"),
    /** Delta skipped the write: the commit was already there. */
    DUPLICATE("duplicate", "skipped as duplicate"),
    /** Failed transiently; the stage ran again. */
    RETRIED("retried", "failed, retried"),
    /** Failed for good. */
    FAILED("failed", "failed"),
    /** In flight when its driver died: nothing of it committed. */
    LOST("lost", "lost to a kill"),
    /** Stopped by a Spot notice or SIGTERM. */
    INTERRUPTED("interrupted", "interrupted"),
    /** Running now. */
    RUNNING("running", "running");

    private final String cssClass;
    private final String label;

    Outcome(String cssClass, String label) {
      this.cssClass = cssClass;
      this.label = label;
    }

    public String cssClass() {
      return cssClass;
    }

    /** For the legend: "recovered without recomputing". */
    public String label() {
      return label;
    }

    /** Whether the bar's work is lost: done, and no commit came of it. */
    public boolean wasted() {
      return this == RETRIED || this == FAILED || this == LOST || this == INTERRUPTED;
    }
  }

  public Duration duration() {
    return end.isBefore(start) ? Duration.ZERO : Duration.between(start, end);
  }
}
