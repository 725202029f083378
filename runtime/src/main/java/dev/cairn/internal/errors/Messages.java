package dev.cairn.internal.errors;

/** The one shape of a message: the problem, then what to do about it. */
final class Messages {
  private Messages() {}

  /** {@code "<problem>. Fix: <fix>"}, or the problem alone when there is no fix. */
  static String problemAndFix(String problem, String fix) {
    return fix == null || fix.isEmpty() ? problem : problem + ". Fix: " + fix;
  }
}
