package dev.cairn.internal.store;

/**
 * The result of one data-quality check of a stage's rows, kept in the stage's checkpoint.
 *
 * @param check what was checked, e.g. "not null (origin)"
 * @param passed whether the rows passed
 * @param detail what was found: counts, example offending values
 */
public record CheckResult(String check, boolean passed, String detail) {}
