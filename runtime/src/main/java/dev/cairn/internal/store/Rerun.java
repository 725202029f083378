package dev.cairn.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One {@code cairn rerun} of a run, as recorded on the run item.
 *
 * @param id unique; also the idempotency token of the write that recorded it
 * @param from the stage the operator reran from
 * @param stages the stages it invalidated, in execution order
 * @param parameterChanges the parameters it changed, by name (empty when none)
 * @param by who asked for it: {@code user@host}
 * @param unfinished the stages neither committed nor invalidated when it was recorded, which it
 *     completes as a resume would, and which read its input snapshot too, like {@code stages} (all
 *     such stages but a chunked one whose chunks are planned: it keeps the snapshot its staged
 *     chunks read)
 */
public record Rerun(
    String id,
    Instant at,
    String from,
    List<String> stages,
    Map<String, ParameterChange> parameterChanges,
    String by,
    List<String> unfinished) {

  public Rerun {
    stages = List.copyOf(stages);
    parameterChanges = Map.copyOf(parameterChanges);
    unfinished = List.copyOf(unfinished);
  }

  /** A rerun that found no unfinished stage. */
  public Rerun(
      String id,
      Instant at,
      String from,
      List<String> stages,
      Map<String, ParameterChange> parameterChanges,
      String by) {
    this(id, at, from, stages, parameterChanges, by, List.of());
  }

  /** Whether the run's inputs are planned anew for {@code stage} by this rerun. */
  public boolean replans(String stage) {
    return stages.contains(stage) || unfinished.contains(stage);
  }

  /** A parameter's value before and after the rerun. */
  public record ParameterChange(String before, String after) {}
}
