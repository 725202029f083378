package dev.cairn;

/**
 * The driver was told to stop (an EC2 Spot interruption notice, a rebalance recommendation when
 * configured to drain on it, or SIGTERM) and stopped cleanly: the run is recorded INTERRUPTED and
 * its lease released, so {@code cairn resume} on any machine continues at once. Exit code 75. Its
 * {@link #failureClass()} is {@link FailureClass#INTERRUPTED}.
 */
public class RunInterruptedException extends CairnException {
  private static final long serialVersionUID = 1L;

  public RunInterruptedException(String problemAndFix) {
    super(FailureClass.INTERRUPTED, problemAndFix);
  }
}
