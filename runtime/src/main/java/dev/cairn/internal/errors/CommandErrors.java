package dev.cairn.internal.errors;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.InvalidParameterException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Errors in the options a {@code cairn} command is given, beyond what its parser checks. Each is an
 * {@link InvalidParameterException} (class {@link dev.cairn.FailureClass#PERMANENT}, exit code 2).
 * A run named on the command line that does not exist is {@link RunErrors#noSuchRun}.
 */
public final class CommandErrors {
  private CommandErrors() {}

  /** {@code cairn runs --limit} is below 1. */
  public static InvalidParameterException limitBelowOne(int limit) {
    return new InvalidParameterException(
        "--limit " + limit + " must be at least 1", "e.g. --limit 20");
  }

  /** {@code cairn runs --status} does not name a run state. */
  public static InvalidParameterException notARunState(String status) {
    return new InvalidParameterException(
        "--status " + status + " is not a run state",
        "use one of RUNNING, SUCCEEDED, FAILED, INTERRUPTED");
  }

  /** {@code cairn rerun --json} without {@code --dry-run}. */
  public static InvalidParameterException jsonWithoutDryRun() {
    return new InvalidParameterException(
        "--json prints the plan of a --dry-run", "add --dry-run, or leave out --json");
  }

  /** {@code cairn report} could not write its page. */
  public static CairnException reportNotWritten(Path file, IOException cause) {
    return new CairnException(
        FailureClass.PERMANENT,
        Messages.problemAndFix(
            "cannot write the report of the run to " + file + ": " + cause,
            "make "
                + (file.getParent() == null ? "its directory" : file.getParent().toString())
                + " writable, or name another file with -o FILE"),
        cause);
  }
}
