package dev.cairn.internal.fs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFileAttributes;
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
 * task or a Delta commit; and an {@code ls} process for every file status whose permission, owner
 * or group is read, which every listing of located files does ({@code FileSystem.listFiles},
 * Spark's file index): 28.6 s to list an input of 4,000 files, against 0.4-0.9 s with {@code
 * java.nio}'s attributes. This class does the same with system calls. Behaviour is Hadoop's
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
    public FileStatus getFileStatus(Path f) throws IOException {
      return withAttributes(super.getFileStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
      FileStatus[] statuses = super.listStatus(f);
      for (int i = 0; i < statuses.length; i++) {
        statuses[i] = withAttributes(statuses[i]);
      }
      return statuses;
    }

    /**
     * {@code status} with its permission, owner and group read now through {@code java.nio}
     * (Hadoop's local status reads them lazily with an {@code ls} process); as it is when the file
     * system has no POSIX attributes, or the file vanished meanwhile (Hadoop's own then says so).
     */
    private FileStatus withAttributes(FileStatus status) {
      if (status.isSymlink()) {
        return status;
      }
      PosixFileAttributes attributes;
      try {
        attributes =
            Files.readAttributes(pathToFile(status.getPath()).toPath(), PosixFileAttributes.class);
      } catch (UnsupportedOperationException | IOException noPosix) {
        return status;
      }
      return new FileStatus(
          status.getLen(),
          status.isDirectory(),
          status.getReplication(),
          status.getBlockSize(),
          status.getModificationTime(),
          status.getAccessTime(),
          FsPermission.valueOf(
              (status.isDirectory() ? "d" : "-")
                  + PosixFilePermissions.toString(attributes.permissions())),
          attributes.owner().getName(),
          attributes.group().getName(),
          status.getPath());
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
