package dev.cairn.internal.errors;

import static dev.cairn.internal.errors.Messages.problemAndFix;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import java.nio.file.Path;

/** Errors of {@code cairn runbook}: an entry that cannot be found or read. */
public final class RunbookErrors {
  private RunbookErrors() {}

  /**
   * Neither entry {@code name} nor {@code default.md} exists, in {@code operatorDir} or bundled: a
   * broken installation.
   */
  public static CairnException noEntry(String name, Path operatorDir) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "no runbook entry "
                + name
                + " and no default.md, neither in "
                + operatorDir
                + " nor bundled in the runtime jar",
            "reinstall Cairn (its jar bundles them), or put a default.md in " + operatorDir));
  }

  /** The operator's entry {@code entry} exists but cannot be read. Unclassified. */
  public static CairnException entryUnreadable(Path entry, Exception cause) {
    return new CairnException(
        problemAndFix(
            "cannot read runbook entry " + entry + ": " + cause.getMessage(),
            "make it readable, or remove it to use the bundled one"),
        cause);
  }
}
