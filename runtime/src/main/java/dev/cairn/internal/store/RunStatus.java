package dev.cairn.internal.store;

/** A run's state. A run that is RUNNING with an expired lease was abandoned and is resumable. */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  INTERRUPTED
}
