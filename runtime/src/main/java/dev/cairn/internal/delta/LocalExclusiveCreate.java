package dev.cairn.internal.delta;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.UUID;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Creates a Delta commit file on a local file system atomically and only if it does not exist, even
 * against other processes: the lines are written to a hidden temporary file beside it, forced to
 * disk, then hard-linked to the commit's name ({@code link(2)} fails if the name exists, and the
 * file appears whole or not at all).
 *
 * <p>Written by hand because Delta's log stores check, then rename, on a local file system: its
 * {@code HDFSLogStore} checks the name is absent and renames onto it, Hadoop's local rename
 * replaces an existing file, and {@code LocalLogStore}'s lock holds inside one JVM only. Two driver
 * processes sharing a warehouse could each believe they made the same version, one commit silently
 * replacing the other.
 */
final class LocalExclusiveCreate {
  private static final Logger LOG = LogManager.getLogger(LocalExclusiveCreate.class);

  private LocalExclusiveCreate() {}

  /**
   * Writes {@code lines} (each followed by a newline) as {@code target}.
   *
   * @throws FileAlreadyExistsException when {@code target} exists (another writer made that
   *     version: Delta's signal to check for a conflict and retry at the next version)
   */
  static void write(Path target, Iterator<String> lines) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (BufferedWriter out =
          Files.newBufferedWriter(
              temp,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
        while (lines.hasNext()) {
          out.write(lines.next());
          out.write('\n');
        }
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException exists) {
        // NFS may answer a retransmitted link that succeeded with "exists": then it is ours.
        if (!Files.isSameFile(target, temp)) {
          // Delta matches on this exception's type; name the commit, not the temporary file.
          throw new FileAlreadyExistsException(target.toString());
        }
      }
    } finally {
      deleteQuietly(temp);
    }
  }

  /** The temporary name goes; failing to remove it must not change the commit's outcome. */
  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException leftBehind) {
      LOG.warn("Could not remove the temporary commit file {}: {}", temp, leftBehind.getMessage());
    }
  }
}
