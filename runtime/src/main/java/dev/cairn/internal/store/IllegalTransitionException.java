package dev.cairn.internal.store;

import dev.cairn.CairnException;
import dev.cairn.internal.errors.StoreErrors;

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
        StoreErrors.stageTransitionRefusedMessage(
            runId, transition.stage(), current, transition.to(), transition.allowedFrom()));
  }

  /**
   * The refusal of a chunk {@code transition} for a chunk that is {@code current} ("no item" when
   * empty).
   */
  public static IllegalTransitionException refused(
      String runId, ChunkTransition transition, String current) {
    return new IllegalTransitionException(
        StoreErrors.chunkTransitionRefusedMessage(
            runId,
            transition.stage(),
            transition.index(),
            transition.key(),
            current,
            transition.to()));
  }

  /**
   * The refusal to freeze a chunk plan for a stage that is not RUNNING at {@code generation}
   * ({@code current} is null when the stage has no item).
   */
  public static IllegalTransitionException notPlannable(
      String runId, String stage, long generation, StageRecord current) {
    return new IllegalTransitionException(
        StoreErrors.notPlannableMessage(
            runId,
            stage,
            generation,
            current == null ? null : current.status(),
            current == null ? 0 : current.txnVersion()));
  }
}
