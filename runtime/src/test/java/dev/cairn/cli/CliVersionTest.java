package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn --version} says the version the build wrote into the jar's manifest. */
class CliVersionTest {
  @TempDir Path home;

  @Test
  void version_fromAJar_isItsImplementationVersion() {
    assertThat(BuildVersion.lines("0.2.0")).containsExactly("cairn 0.2.0");
  }

  @Test
  void version_fromClasses_saysItIsNotFromAJar_andBuildsNoRuntime() {
    Cli cli = new Cli(home);

    Cli.Result result = cli.run("--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("cairn unknown (not from a jar)" + System.lineSeparator());
    assertThat(cli.runtimesBuilt()).isZero();
  }
}
