package dev.cairn;

/** A parameter, job name or option given by the user cannot be used. Nothing was started. */
public class InvalidParameterException extends CairnException {
  private static final long serialVersionUID = 1L;

  public InvalidParameterException(String problem, String fix) {
    super(message(problem, fix));
  }
}
