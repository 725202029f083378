package dev.cairn;

/**
 * Another driver holds the run's lease (or took it over from this one). This driver started no
 * work, or stopped before publishing anything at its stale epoch. Its {@link #failureClass()} is
 * {@link FailureClass#LEASE_LOST}.
 */
public class RunHeldException extends CairnException {
  private static final long serialVersionUID = 1L;

  public RunHeldException(String problemAndFix) {
    super(FailureClass.LEASE_LOST, problemAndFix);
  }
}
