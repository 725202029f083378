package dev.cairn.internal.store;

import dev.cairn.CairnException;

/** A stage transition was refused because the stage is not in a state it may move from. */
public class IllegalTransitionException extends CairnException {
  private static final long serialVersionUID = 1L;

  public IllegalTransitionException(String message) {
    super(message);
  }
}
