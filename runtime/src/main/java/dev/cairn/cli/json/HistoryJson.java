package dev.cairn.cli.json;

import dev.cairn.internal.store.RunEvent;

/**
 * One event of {@code cairn history --json}: {@code stage}, {@code attempt} and {@code errorClass}
 * are {@code null} when the event has none.
 */
public record HistoryJson(
    String at,
    String type,
    String stage,
    Integer attempt,
    long epoch,
    String errorClass,
    String message) {

  public static HistoryJson of(RunEvent event) {
    return new HistoryJson(
        event.at().toString(),
        event.type().name(),
        event.stage().orElse(null),
        event.attempt() == 0 ? null : event.attempt(),
        event.epoch(),
        event.errorClass().orElse(null),
        event.message());
  }
}
