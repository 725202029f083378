package dev.cairn.internal.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Parks the driver at one crash window so an integration test can SIGKILL (or SIGSTOP, or notify)
 * it exactly there. Set by {@code CAIRN_TEST_PAUSE_AT=<stage>:<window>} (e.g. {@code
 * enrich:after-delta-commit}) and {@code CAIRN_TEST_PAUSE_FILE=<path>}, which is created when the
 * driver parks; deleting it lets the driver go on.
 */
public final class PauseAtFaultPoint implements FaultPoints {
  private final String stage;
  private final Window window;
  private final Path signalFile;

  private PauseAtFaultPoint(String stage, Window window, Path signalFile) {
    this.stage = stage;
    this.window = window;
    this.signalFile = signalFile;
  }

  /** The fault point the environment asks for, or {@link FaultPoints#NONE}. */
  public static FaultPoints fromEnvironment(java.util.Map<String, String> env) {
    return parse(env.get("CAIRN_TEST_PAUSE_AT"), env.get("CAIRN_TEST_PAUSE_FILE"))
        .map(FaultPoints.class::cast)
        .orElse(NONE);
  }

  static Optional<PauseAtFaultPoint> parse(String spec, String file) {
    if (spec == null || spec.isBlank()) {
      return Optional.empty();
    }
    String[] parts = spec.split(":", 2);
    Window window =
        Arrays.stream(Window.values())
            .filter(w -> parts.length == 2 && w.flag().equals(parts[1]))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "CAIRN_TEST_PAUSE_AT='"
                            + spec
                            + "' must be <stage>:<window> with window one of "
                            + Arrays.stream(Window.values()).map(Window::flag).toList()));
    if (file == null || file.isBlank()) {
      throw new IllegalArgumentException(
          "CAIRN_TEST_PAUSE_AT is set but CAIRN_TEST_PAUSE_FILE is not: set it to the file the"
              + " driver creates when it parks");
    }
    return Optional.of(new PauseAtFaultPoint(parts[0], window, Path.of(file)));
  }

  @Override
  public void reached(String stage, Window window) {
    if (!this.stage.equals(stage) || this.window != window) {
      return;
    }
    try {
      Files.writeString(signalFile, stage + ":" + window.flag() + "\n");
      // Parked until the test deletes the signal file (it goes on) or kills this process.
      while (Files.exists(signalFile)) {
        Thread.sleep(50);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write pause signal file " + signalFile, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
