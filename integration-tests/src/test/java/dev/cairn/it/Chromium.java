package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium (Debian's {@code chromium}), to look at a page as a person would. */
final class Chromium {
  private Chromium() {}

  /**
   * Renders {@code page} to {@code png} at 1400x1000 and returns it; {@code work} holds Chromium's
   * profile and log.
   *
   * @throws AssertionError when chromium is not installed, fails, or writes no (or a blank-sized)
   *     image
   */
  static Path screenshot(Path page, Path png, Path work) throws IOException, InterruptedException {
    String chromium =
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
            .filter(p -> Files.isExecutable(Path.of(p)))
            .findFirst()
            .orElseGet(
                () ->
                    fail(
                        "headless Chromium renders cairn report's page, and it is not installed."
                            + " Fix: apt-get install chromium (.ci/run installs it)"));
    Path log = Files.createTempFile(work, "chromium-", ".log");
    Files.createDirectories(png.toAbsolutePath().getParent());
    Process process =
        new ProcessBuilder(
                chromium,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--hide-scrollbars",
                "--user-data-dir=" + work.resolve("chromium-profile"),
                "--screenshot=" + png,
                "--window-size=1400,1000",
                page.toUri().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("chromium did not render " + page + " within 2 minutes: " + Files.readString(log));
    }
    assertThat(png)
        .as("chromium (exit %d) rendered %s: %s", process.exitValue(), page, Files.readString(log))
        .isRegularFile();
    // A blank 1400x1000 PNG is about 5 KB; a drawn timeline with tables is far more.
    assertThat(Files.size(png)).as("size of the PNG of " + page).isGreaterThan(20_000);
    return png;
  }
}
