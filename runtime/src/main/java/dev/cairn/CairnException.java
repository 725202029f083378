package dev.cairn;

import java.util.Objects;
import java.util.Optional;

/**
 * The root of every error Cairn reports. Its message says the problem, its cause where known, and
 * how to fix it; vendor exceptions (Spark, Delta, AWS SDK) appear only as the cause.
 *
 * <p>An error may carry its {@link FailureClass}: each subclass carries its own (a {@link
 * StageFailedException} the stage failure's, when its thrower gave it), and the errors Cairn builds
 * carry one wherever the class follows from the situation alone (a parameter that cannot be used is
 * {@link FailureClass#PERMANENT}). An error without one is unclassified, and its class is decided
 * from its cause chain (a wrapper around a throttled request is transient). The class is fixed at
 * construction.
 */
public class CairnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Null when unclassified; a field, not an Optional, so the exception stays serializable. */
  private final FailureClass failureClass;

  /** An unclassified error (its class is decided from its cause chain, if any). */
  public CairnException(String problemAndFix) {
    super(problemAndFix);
    this.failureClass = null;
  }

  /** An unclassified error caused by {@code cause} (its class is decided from the cause chain). */
  public CairnException(String problemAndFix, Throwable cause) {
    super(problemAndFix, cause);
    this.failureClass = null;
  }

  /**
   * An error of class {@code failureClass}, with no cause.
   *
   * @throws NullPointerException if {@code failureClass} is null (use {@link
   *     #CairnException(String)} for an unclassified error)
   */
  public CairnException(FailureClass failureClass, String problemAndFix) {
    super(problemAndFix);
    this.failureClass = Objects.requireNonNull(failureClass, "failureClass");
  }

  /**
   * An error of class {@code failureClass} caused by {@code cause}; the class holds whatever the
   * cause is.
   *
   * @throws NullPointerException if {@code failureClass} is null (use {@link
   *     #CairnException(String, Throwable)} for an unclassified error)
   */
  public CairnException(FailureClass failureClass, String problemAndFix, Throwable cause) {
    super(problemAndFix, cause);
    this.failureClass = Objects.requireNonNull(failureClass, "failureClass");
  }

  /**
   * How this error is handled, when Cairn knows it from the situation; empty when it is to be
   * decided from the cause chain.
   */
  public Optional<FailureClass> failureClass() {
    return Optional.ofNullable(failureClass);
  }

  /** Builds a message from its parts: "problem. Fix: fix", or the problem alone without a fix. */
  static String message(String problem, String fix) {
    return fix == null || fix.isEmpty() ? problem : problem + ". Fix: " + fix;
  }
}
