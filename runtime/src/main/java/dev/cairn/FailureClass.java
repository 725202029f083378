package dev.cairn;

/**
 * How a stage failure is handled, recorded as a stage's {@code errorClass} and used to pick the
 * runbook entry ({@code src/runbooks/<class in lower case>.md}). A {@link CairnException} states
 * its own class when Cairn knows it ({@link CairnException#failureClass()}); otherwise the class is
 * decided from the failure's cause chain.
 */
public enum FailureClass {
  /** Likely to pass on retry: throttling, 5xx, dropped connections, lost executors, conflicts. */
  TRANSIENT,
  /** Will fail again with the same code and input: analysis errors, schema mismatch, bugs. */
  PERMANENT,
  /** The input is unreadable or not what the job expects; fix the input, then resume. */
  BAD_INPUT,
  /** The stage's rows failed a declared expectation; nothing was published. */
  DATA_QUALITY,
  /** A checkpoint write's outcome could not be decided; resume reads the state and decides. */
  STATE_UNKNOWN,
  /** The driver was told to stop (Spot notice, SIGTERM); resume continues. */
  INTERRUPTED,
  /** Another driver took the run's lease; this one stopped. */
  LEASE_LOST;

  /** Whether a stage attempt that failed this way is worth retrying on the driver. */
  public boolean retryable() {
    return this == TRANSIENT;
  }
}
