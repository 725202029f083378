package dev.cairn;

/**
 * A stage failed and was recorded FAILED; nothing from it was published. The run stays resumable
 * once the cause is fixed.
 */
public class StageFailedException extends CairnException {
  private static final long serialVersionUID = 1L;
  private final String stage;

  public StageFailedException(String stage, String problemAndFix, Throwable cause) {
    super(problemAndFix, cause);
    this.stage = stage;
  }

  /** The stage that failed. */
  public String stage() {
    return stage;
  }
}
