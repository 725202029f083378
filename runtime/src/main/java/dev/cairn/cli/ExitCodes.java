package dev.cairn.cli;

import dev.cairn.InvalidParameterException;
import dev.cairn.RunHeldException;
import dev.cairn.RunInterruptedException;
import dev.cairn.StateUnknownException;
import picocli.CommandLine;

/** The one place exceptions become exit codes (the contract in README.md). */
final class ExitCodes {
  static final int SUCCESS = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int HELD = 3;
  static final int STATE_UNKNOWN = 4;
  static final int INTERRUPTED = 75;

  private ExitCodes() {}

  static int of(Throwable failure) {
    if (failure instanceof InvalidParameterException
        || failure instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    if (failure instanceof RunHeldException) {
      return HELD;
    }
    if (failure instanceof StateUnknownException) {
      return STATE_UNKNOWN;
    }
    if (failure instanceof RunInterruptedException) {
      return INTERRUPTED;
    }
    return FAILED;
  }
}
