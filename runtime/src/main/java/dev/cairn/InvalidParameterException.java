package dev.cairn;

/**
 * A parameter, job name or option given by the user cannot be used. Nothing was started. Its {@link
 * #failureClass()} is {@link FailureClass#PERMANENT}: the same input fails the same way.
 */
public class InvalidParameterException extends CairnException {
  private static final long serialVersionUID = 1L;

  public InvalidParameterException(String problem, String fix) {
    super(FailureClass.PERMANENT, message(problem, fix));
  }
}
