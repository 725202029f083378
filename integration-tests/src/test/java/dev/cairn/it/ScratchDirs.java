package dev.cairn.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** The integration tests' scratch directories. */
final class ScratchDirs {
  private ScratchDirs() {}

  /**
   * Deletes {@code root} and everything under it, unless {@code -Dcairn.it.keep=true} asks to keep
   * it for a look after a failure. Does nothing for null (a fixture that failed before making it).
   */
  static void deleteUnlessKept(Path root) throws IOException {
    if (root == null || Boolean.getBoolean("cairn.it.keep")) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
    }
  }
}
