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
 */
public record Rerun(
    String id,
    Instant at,
    String from,
    List<String> stages,
    Map<String, ParameterChange> parameterChanges,
    String by) {

  public Rerun {
    stages = List.copyOf(stages);
    parameterChanges = Map.copyOf(parameterChanges);
  }

  /** A parameter's value before and after the rerun. */
  public record ParameterChange(String before, String after) {}
}
