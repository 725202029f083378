package dev.cairn.internal.fs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}), with file permissions set through {@code java.nio}.
 *
 * <p>Without Hadoop's native library, which Maven does not ship, {@link RawLocalFileSystem} runs a
 * {@code chmod} process for every file and directory it creates, and a {@code readlink} process for
 * every rename through {@code FileContext}: about 2,950 processes in one {@code flights-daily} run
 * on the embedded default (counted with {@code strace -f -e trace=execve}), each holding up a Spark
 * task or a Delta commit. This class does the same with system calls. Behaviour is Hadoop's
 * otherwise; a permission {@code java.nio} cannot express (the sticky bit), or a file system
 * without POSIX permissions, goes to Hadoop's own code.
 *
 * <p>Configured as {@code fs.file.impl}; {@link NioLocalFs} is the same for {@code FileContext}
 * ({@code fs.AbstractFileSystem.file.impl}), which Delta's log store uses.
 */
public class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) local file system behind both classes. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      File file = pathToFile(p);
      if (permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      try {
        // Without the sticky bit, Hadoop's symbolic form ("rwxr-x---") is java.nio's.
        Files.setPosixFilePermissions(
            file.toPath(), PosixFilePermissions.fromString(permission.toString()));
      } catch (UnsupportedOperationException notPosix) {
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      // Hadoop asks a readlink process; for anything but a link the answer is the file's status.
      if (!Files.isSymbolicLink(pathToFile(f).toPath())) {
        return getFileStatus(f);
      }
      return super.getFileLinkStatus(f);
    }
  }
}
