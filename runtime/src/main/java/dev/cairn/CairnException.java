package dev.cairn;

/**
 * The root of every error Cairn reports. Its message says the problem, its cause where known, and
 * how to fix it; vendor exceptions (Spark, Delta, AWS SDK) appear only as the cause.
 */
public class CairnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CairnException(String problemAndFix) {
    super(problemAndFix);
  }

  public CairnException(String problemAndFix, Throwable cause) {
    super(problemAndFix, cause);
  }

  /** Builds a message from its parts: "problem: fix". */
  static String message(String problem, String fix) {
    return fix == null || fix.isEmpty() ? problem : problem + ". Fix: " + fix;
  }
}
