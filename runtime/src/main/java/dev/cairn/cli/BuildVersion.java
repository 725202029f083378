package dev.cairn.cli;

import picocli.CommandLine;

/**
 * {@code cairn --version}: the Implementation-Version of the jar the CLI was loaded from (written
 * by the build), or a note saying it was not loaded from a jar (classes of an IDE or a test run).
 */
final class BuildVersion implements CommandLine.IVersionProvider {
  static final String NOT_FROM_A_JAR = "unknown (not from a jar)";

  @Override
  public String[] getVersion() {
    return lines(CairnCli.class.getPackage().getImplementationVersion());
  }

  /** The version lines for a jar's Implementation-Version, {@code null} when there is none. */
  static String[] lines(String implementationVersion) {
    return new String[] {
      "cairn " + (implementationVersion == null ? NOT_FROM_A_JAR : implementationVersion)
    };
  }
}
