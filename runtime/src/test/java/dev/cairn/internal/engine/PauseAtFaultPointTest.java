package dev.cairn.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.internal.engine.FaultPoints.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PauseAtFaultPointTest {

  @Test
  void noPauseAsked_isNone() {
    assertThat(PauseAtFaultPoint.fromEnvironment(Map.of())).isSameAs(FaultPoints.NONE);
  }

  @Test
  void windowFlags_areTheCommandLineSpelling() {
    assertThat(Window.AFTER_DELTA_COMMIT.flag()).isEqualTo("after-delta-commit");
  }

  @Test
  void unknownWindow_isRefused_listingTheWindows() {
    assertThatThrownBy(() -> PauseAtFaultPoint.parse("clean:after-lunch", "/tmp/f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "CAIRN_TEST_PAUSE_AT='clean:after-lunch' must be <stage>:<window> with window one of"
                + " [after-start, after-delta-commit, after-checkpoint,"
                + " before-publish]");
  }

  @Test
  void pauseWithoutSignalFile_isRefused() {
    assertThatThrownBy(() -> PauseAtFaultPoint.parse("clean:after-start", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CAIRN_TEST_PAUSE_AT is set but CAIRN_TEST_PAUSE_FILE is not");
  }

  @Test
  void otherStagesAndWindows_passWithoutParking(@TempDir Path dir) {
    Path signal = dir.resolve("parked");
    FaultPoints pause =
        PauseAtFaultPoint.fromEnvironment(
            Map.of(
                "CAIRN_TEST_PAUSE_AT",
                "clean:after-start",
                "CAIRN_TEST_PAUSE_FILE",
                signal.toString()));

    pause.reached("ingest", Window.AFTER_START);
    pause.reached("clean", Window.AFTER_CHECKPOINT);

    assertThat(Files.exists(signal)).isFalse();
  }
}
