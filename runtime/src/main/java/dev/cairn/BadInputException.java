package dev.cairn;

/**
 * An input of a stage is unreadable or not what the job expects (a truncated file, a missing or
 * retyped column). Throw it from a stage's compute with the input's name and the fix; Cairn records
 * the stage FAILED with class {@code BAD_INPUT}, publishes nothing from it, does not retry it, and
 * exits 1. Once the input is fixed, {@code cairn resume} continues the run.
 *
 * <p>Its {@link #failureClass()} is {@link FailureClass#BAD_INPUT}.
 */
public class BadInputException extends CairnException {
  private static final long serialVersionUID = 1L;

  /**
   * @param problem what is wrong, naming the file or column, e.g. "column 'delay' of
   *     /data/flights.parquet is string, expected bigint"
   * @param fix what to do about it, e.g. "convert the column or point -p flights at a corrected
   *     copy"
   */
  public BadInputException(String problem, String fix) {
    super(FailureClass.BAD_INPUT, message(problem, fix));
  }

  public BadInputException(String problem, String fix, Throwable cause) {
    super(FailureClass.BAD_INPUT, message(problem, fix), cause);
  }
}
