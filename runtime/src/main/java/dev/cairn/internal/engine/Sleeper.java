package dev.cairn.internal.engine;

import java.time.Duration;

/** Waits. Injected so that backoff runs in no time in tests. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration) throws InterruptedException;

  /** Sleeps the current thread for real. */
  static Sleeper system() {
    return duration -> Thread.sleep(duration.toMillis());
  }
}
