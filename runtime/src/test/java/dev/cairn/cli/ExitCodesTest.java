package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.CairnException;
import dev.cairn.InvalidParameterException;
import dev.cairn.RunHeldException;
import dev.cairn.StageFailedException;
import dev.cairn.StateUnknownException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The one mapping from failures to the exit codes documented in {@code cairn --help}. */
class ExitCodesTest {

  @Test
  void usageErrors_exit2() {
    assertThat(ExitCodes.of(new InvalidParameterException("no job named 'x'", "use one of: y")))
        .isEqualTo(2);
    assertThat(
            ExitCodes.of(
                new CommandLine.ParameterException(
                    new CommandLine(new CairnCli(() -> null)), "bad option")))
        .isEqualTo(2);
  }

  @Test
  void runHeldByAnotherDriver_exits3() {
    assertThat(ExitCodes.of(new RunHeldException("run r is held by host h, pid 1"))).isEqualTo(3);
  }

  @Test
  void stateUnknown_exits4() {
    assertThat(
            ExitCodes.of(
                new StateUnknownException("outcome unknown", new RuntimeException("timeout"))))
        .isEqualTo(4);
  }

  @Test
  void stageFailuresAndAnythingElse_exit1() {
    assertThat(
            ExitCodes.of(new StageFailedException("clean", "stage clean failed", new Exception())))
        .isEqualTo(1);
    assertThat(ExitCodes.of(new CairnException("store unavailable"))).isEqualTo(1);
    assertThat(ExitCodes.of(new IllegalStateException("bug"))).isEqualTo(1);
  }
}
