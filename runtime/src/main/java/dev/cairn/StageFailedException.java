package dev.cairn;

/**
 * A stage failed and was recorded FAILED; nothing from it was published. The run stays resumable
 * once the cause is fixed. Its {@link #failureClass()} is the class the stage failure was recorded
 * with, when the thrower gave it.
 */
public class StageFailedException extends CairnException {
  private static final long serialVersionUID = 1L;
  private final String stage;

  /** A stage failure of unstated class: {@link #failureClass()} is empty. */
  public StageFailedException(String stage, String problemAndFix, Throwable cause) {
    super(problemAndFix, cause);
    this.stage = stage;
  }

  /**
   * A stage failure recorded with class {@code failureClass}.
   *
   * @throws NullPointerException if {@code failureClass} is null
   */
  public StageFailedException(
      String stage, FailureClass failureClass, String problemAndFix, Throwable cause) {
    super(failureClass, problemAndFix, cause);
    this.stage = stage;
  }

  /** The stage that failed. */
  public String stage() {
    return stage;
  }
}
