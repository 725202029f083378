package dev.cairn.internal.store;

import dev.cairn.CairnException;

/** A stage transition was refused because the stage is not in a state it may move from. */
public class IllegalTransitionException extends CairnException {
  private static final long serialVersionUID = 1L;

  private IllegalTransitionException(String message) {
    super(message);
  }

  /** The refusal of {@code transition} for a stage that is {@code current}. */
  public static IllegalTransitionException refused(
      String runId, StageTransition transition, StageStatus current) {
    return new IllegalTransitionException(
        "stage '"
            + transition.stage()
            + "' of run "
            + runId
            + " is "
            + current
            + " and cannot move to "
            + transition.to()
            + " (allowed from "
            + transition.allowedFrom()
            + "). Fix: check `cairn status "
            + runId
            + "`; another driver may have moved it");
  }
}
