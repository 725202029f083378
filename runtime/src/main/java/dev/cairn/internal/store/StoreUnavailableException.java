package dev.cairn.internal.store;

import dev.cairn.CairnException;

/**
 * A checkpoint write failed after the client's retries and reading it back showed it did not land.
 * Nothing changed; the failure is transient and the run can be resumed.
 */
public class StoreUnavailableException extends CairnException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
