package dev.cairn.internal.store;

/**
 * The result of one data-quality check of a stage's rows, kept in the stage's checkpoint.
 *
 * @param check what was checked, e.g. "not null (origin)"
 * @param passed whether the rows passed
 * @param detail what was found: counts, example offending values
 * @param provenByPlan true when no rows were read: the stage's query plan guarantees it (a unique
 *     key that the plan's grouping or join already makes unique)
 */
public record CheckResult(String check, boolean passed, String detail, boolean provenByPlan) {

  /** A result found by reading the rows. */
  public CheckResult(String check, boolean passed, String detail) {
    this(check, passed, detail, false);
  }
}
