package dev.cairn.cli.json;

import dev.cairn.internal.store.RunRecord;

/** One run of {@code cairn runs --json}. Instants are ISO-8601 strings. */
public record RunJson(
    String runId,
    String job,
    String status,
    String updatedAt,
    String createdAt,
    String runKey,
    long epoch) {

  public static RunJson of(RunRecord run) {
    return new RunJson(
        run.runId(),
        run.job(),
        run.status().name(),
        run.updatedAt().toString(),
        run.createdAt().toString(),
        run.runKey(),
        run.epoch());
  }
}
