package dev.cairn.internal.engine;

/**
 * The crash windows of the commit protocol, as points a test can stop a driver at. Production uses
 * {@link #NONE}.
 */
public interface FaultPoints {

  /** The windows of the commit protocol (docs/ARCHITECTURE.md). */
  enum Window {
    /** Stage marked RUNNING, its Delta commit not made. Resume runs it again. */
    AFTER_START,
    /** Delta commit made, checkpoint not updated. Resume records it without recomputing. */
    AFTER_DELTA_COMMIT,
    /** Checkpoint says COMMITTED. Resume skips it. */
    AFTER_CHECKPOINT,
    /**
     * A chunked stage's chunks all staged and recorded, its publishing commit not made (the data
     * files are written, the log entry is not). Resume publishes them without recomputing.
     */
    BEFORE_PUBLISH;

    /** The window's name on the command line: {@code after-delta-commit}. */
    public String flag() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  FaultPoints NONE = (stage, window) -> {};

  /** Called when the driver reaches {@code window} of {@code stage}. */
  void reached(String stage, Window window);
}
