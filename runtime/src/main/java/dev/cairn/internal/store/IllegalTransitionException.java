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

  /**
   * The refusal of a chunk {@code transition} for a chunk that is {@code current} ("no item" when
   * empty).
   */
  public static IllegalTransitionException refused(
      String runId, ChunkTransition transition, String current) {
    return new IllegalTransitionException(
        "chunk "
            + transition.index()
            + " ("
            + transition.key()
            + ") of stage '"
            + transition.stage()
            + "' of run "
            + runId
            + " is "
            + current
            + " and cannot move to "
            + transition.to()
            + ". Fix: check `cairn status "
            + runId
            + "`; another driver may have moved it");
  }

  /**
   * The refusal to freeze a chunk plan for a stage that is not RUNNING at {@code generation}
   * ({@code current} is null when the stage has no item).
   */
  public static IllegalTransitionException notPlannable(
      String runId, String stage, long generation, StageRecord current) {
    return new IllegalTransitionException(
        "cannot freeze the chunk plan of stage '"
            + stage
            + "' of run "
            + runId
            + " at generation "
            + generation
            + ": the stage is "
            + (current == null
                ? "not started"
                : current.status() + " at generation " + current.txnVersion())
            + ". Fix: check `cairn status "
            + runId
            + "`; another driver may have moved it");
  }
}
