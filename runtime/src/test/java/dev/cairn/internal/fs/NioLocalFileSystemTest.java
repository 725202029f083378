package dev.cairn.internal.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local file system Cairn configures for {@code file:}, through both Hadoop APIs. */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;
  private Configuration conf;

  @BeforeEach
  void configure() {
    conf = new Configuration(false);
    conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
    conf.set("fs.AbstractFileSystem.file.impl", NioLocalFs.class.getName());
    conf.setBoolean("fs.file.impl.disable.cache", true);
  }

  @Test
  void filesAndDirectories_getThePermissionsAskedFor() throws IOException {
    FileSystem fs = FileSystem.get(dir.toUri(), conf);
    assertThat(fs).isInstanceOf(NioLocalFileSystem.class);
    Path sub = new Path(dir.toUri().toString(), "a/b");
    Path file = new Path(sub, "part-0.parquet");

    assertThat(fs.mkdirs(sub, new FsPermission((short) 0750))).isTrue();
    try (FSDataOutputStream out =
        fs.create(file, new FsPermission((short) 0640), false, 4096, (short) 1, 1 << 20, null)) {
      out.writeBytes("rows");
    }

    assertThat(posix(sub)).isEqualTo("rwxr-x---");
    assertThat(posix(file)).isEqualTo("rw-r-----");
    assertThat(fs.getFileStatus(file).getPermission()).isEqualTo(new FsPermission((short) 0640));
    // ChecksumFileSystem's side file is written too, as by Hadoop's own local file system.
    assertThat(Files.exists(dir.resolve("a/b/.part-0.parquet.crc"))).isTrue();

    fs.setPermission(file, new FsPermission((short) 0754));
    assertThat(posix(file)).isEqualTo("rwxr-xr--");
    fs.setPermission(file, new FsPermission((short) 0));
    assertThat(posix(file)).isEqualTo("---------");
  }

  @Test
  void aCommitThroughFileContext_writesATempFileAndRenamesIt_asDeltasLogStoreDoes()
      throws IOException {
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf);
    Path log = new Path(dir.toUri().toString(), "_delta_log");
    Path temp = new Path(log, ".00000000000000000000.json.tmp");
    Path commit = new Path(log, "00000000000000000000.json");
    fc.mkdir(log, FsPermission.getDirDefault(), true);

    try (FSDataOutputStream out =
        fc.create(temp, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
      out.write("{\"commitInfo\":{}}\n".getBytes(StandardCharsets.UTF_8));
    }
    fc.rename(temp, commit, Options.Rename.NONE);

    assertThat(Files.readString(dir.resolve("_delta_log/00000000000000000000.json")))
        .isEqualTo("{\"commitInfo\":{}}\n");
    assertThat(fc.util().exists(temp)).isFalse();
    FileStatus status = fc.getFileLinkStatus(commit);
    assertThat(status.isSymlink()).isFalse();
    assertThat(status.isFile()).isTrue();
    assertThat(status.getLen()).isEqualTo(18);
  }

  @Test
  void linkStatus_ofALinkAndOfAFile_isWhatHadoopsOwnLocalFileSystemSays() throws IOException {
    Files.writeString(dir.resolve("target.txt"), "x");
    Files.createSymbolicLink(dir.resolve("link.txt"), dir.resolve("target.txt"));
    Path link = new Path(dir.resolve("link.txt").toUri());
    Path file = new Path(dir.resolve("target.txt").toUri());
    RawLocalFileSystem hadoops = new RawLocalFileSystem();
    hadoops.initialize(dir.toUri(), conf);
    NioLocalFileSystem.Raw ours = new NioLocalFileSystem.Raw();
    ours.initialize(dir.toUri(), conf);

    for (Path path : List.of(link, file)) {
      FileStatus mine = ours.getFileLinkStatus(path);
      FileStatus theirs = hadoops.getFileLinkStatus(path);
      assertThat(mine.isSymlink()).as("%s is a link", path).isEqualTo(theirs.isSymlink());
      assertThat(mine.isFile()).as("%s is a file", path).isEqualTo(theirs.isFile());
      assertThat(mine.getLen()).as("%s length", path).isEqualTo(theirs.getLen());
      assertThat(mine.getPath()).isEqualTo(theirs.getPath());
      assertThat(mine.getPermission()).isEqualTo(theirs.getPermission());
    }
  }

  @Test
  void statuses_carryTheirPermissionOwnerAndGroup_asHadoopsOwnSays_withoutAProcessPerFile()
      throws IOException {
    Files.writeString(dir.resolve("part-0.parquet"), "rows");
    Files.setPosixFilePermissions(
        dir.resolve("part-0.parquet"), PosixFilePermissions.fromString("rw-r-----"));
    Files.createDirectories(dir.resolve("sub"));
    RawLocalFileSystem hadoops = new RawLocalFileSystem();
    hadoops.initialize(dir.toUri(), conf);
    NioLocalFileSystem.Raw ours = new NioLocalFileSystem.Raw();
    ours.initialize(dir.toUri(), conf);
    Path root = new Path(dir.toUri());

    FileStatus[] mine = ours.listStatus(root);
    FileStatus[] theirs = hadoops.listStatus(root);
    java.util.Arrays.sort(mine);
    java.util.Arrays.sort(theirs);
    assertThat(mine).hasSameSizeAs(theirs).hasSize(2);
    List<FileStatus> all =
        List.of(mine[0], mine[1], ours.getFileStatus(new Path(root, "part-0.parquet")));
    for (FileStatus status : all) {
      // Hadoop's own class loads these lazily, each with an `ls` process.
      assertThat(status.getClass()).as("%s", status.getPath()).isEqualTo(FileStatus.class);
    }
    for (int i = 0; i < mine.length; i++) {
      assertThat(mine[i].getPath()).isEqualTo(theirs[i].getPath());
      assertThat(mine[i].isDirectory()).isEqualTo(theirs[i].isDirectory());
      assertThat(mine[i].getLen()).isEqualTo(theirs[i].getLen());
      assertThat(mine[i].getModificationTime()).isEqualTo(theirs[i].getModificationTime());
      assertThat(mine[i].getPermission()).isEqualTo(theirs[i].getPermission());
      assertThat(mine[i].getOwner()).isEqualTo(theirs[i].getOwner());
      assertThat(mine[i].getGroup()).isEqualTo(theirs[i].getGroup());
    }
    assertThat(all.get(2).getPermission()).isEqualTo(new FsPermission((short) 0640));
  }

  private String posix(Path path) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(java.nio.file.Path.of(path.toUri())));
  }
}
