package dev.cairn.internal.fs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
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
        Files.setPosixFilePermissions(file.toPath(), posix(permission));
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

    static Set<PosixFilePermission> posix(FsPermission permission) {
      Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
      add(set, permission.getUserAction(), 0);
      add(set, permission.getGroupAction(), 3);
      add(set, permission.getOtherAction(), 6);
      return set;
    }

    /** Adds read, write, execute of one class; {@code offset} 0 user, 3 group, 6 others. */
    private static void add(Set<PosixFilePermission> set, FsAction action, int offset) {
      PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ, OWNER_WRITE, ...
      if (action.implies(FsAction.READ)) {
        set.add(all[offset]);
      }
      if (action.implies(FsAction.WRITE)) {
        set.add(all[offset + 1]);
      }
      if (action.implies(FsAction.EXECUTE)) {
        set.add(all[offset + 2]);
      }
    }
  }
}
