package dev.cairn.internal.store;

import java.time.Instant;
import java.util.Map;

/** What a run is created with; its id is derived from job and run key. */
public record NewRun(
    String runId,
    String job,
    String runKey,
    Map<String, String> parameters,
    String parametersHash,
    String codeVersion,
    Instant createdAt) {

  public NewRun {
    parameters = Map.copyOf(parameters);
  }
}
