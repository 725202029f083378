package dev.cairn;

/**
 * A checkpoint write may or may not have landed and reading it back failed too. Nothing was
 * guessed: resuming the run reads the state again and decides. Its {@link #failureClass()} is
 * {@link FailureClass#STATE_UNKNOWN}.
 */
public class StateUnknownException extends CairnException {
  private static final long serialVersionUID = 1L;

  public StateUnknownException(String problemAndFix, Throwable cause) {
    super(FailureClass.STATE_UNKNOWN, problemAndFix, cause);
  }
}
