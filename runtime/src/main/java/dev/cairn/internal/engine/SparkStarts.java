package dev.cairn.internal.engine;

import dev.cairn.internal.config.SparkApplication;
import java.util.function.Consumer;

/**
 * Tells when this driver's Spark application starts. A driver creates its Spark session lazily,
 * when a run first needs it (to read a Delta log or compute a stage), so the engine cannot know its
 * application id when the attempt starts; it asks to be told.
 */
public interface SparkStarts {

  /** Nothing is ever told: drivers without a Spark session of their own (unit tests). */
  SparkStarts NONE = then -> {};

  /**
   * Calls {@code then} once with the application: at once, on the caller's thread, if it has
   * already started; otherwise on the thread that starts it, right after it started. {@code then}
   * must not throw.
   */
  void whenStarted(Consumer<SparkApplication> then);
}
