package dev.cairn.internal.store;

import dev.cairn.Expectation;
import java.util.Objects;

/**
 * The outcome of one data-quality check of a stage's rows, as recorded in its checkpoint.
 *
 * @param check what was checked, e.g. "not null (origin)"
 * @param passed whether the rows passed
 * @param detail what was found: counts, example offending values
 * @param provenByPlan true when no rows were read: the stage's query plan guarantees it (a unique
 *     key that the plan's grouping or join already makes unique)
 * @param severity what its failure does: fail the stage, or warn and commit
 */
public record CheckResult(
    String check,
    boolean passed,
    String detail,
    boolean provenByPlan,
    Expectation.Severity severity) {

  public CheckResult {
    Objects.requireNonNull(severity, "severity");
  }

  /** A result found by reading the rows, of a check whose failure fails the stage. */
  public CheckResult(String check, boolean passed, String detail) {
    this(check, passed, detail, false);
  }

  /** A result of a check whose failure fails the stage. */
  public CheckResult(String check, boolean passed, String detail, boolean provenByPlan) {
    this(check, passed, detail, provenByPlan, Expectation.Severity.ERROR);
  }

  /** This result, of a check with {@code severity}. */
  public CheckResult withSeverity(Expectation.Severity severity) {
    return new CheckResult(check, passed, detail, provenByPlan, severity);
  }

  /** Whether it fails its stage: failed, and not only a warning. */
  public boolean blocks() {
    return !passed && severity == Expectation.Severity.ERROR;
  }
}
