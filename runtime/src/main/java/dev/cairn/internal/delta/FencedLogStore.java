package dev.cairn.internal.delta;

import io.delta.storage.CloseableIterator;
import io.delta.storage.HDFSLogStore;
import io.delta.storage.LogStore;
import java.io.IOException;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The log store for local and HDFS tables: each commit file is created only if absent, atomically
 * across processes, after one check: the driver's {@link WriteFence} (a driver that may have lost
 * its lease cannot publish). On HDFS, Delta's HDFS log store (rename without overwrite is atomic
 * there); on a local file system, {@link LocalExclusiveCreate} (a hard link), because the local
 * rename is check-then-act. Checkpoints and {@code _last_checkpoint}, written with overwrite, go to
 * Delta's HDFS log store. Configured by {@code Spark.session} as {@code
 * spark.delta.logStore.file.impl} and {@code .hdfs.impl}.
 */
public final class FencedLogStore extends LogStore {
  private final LogStore delegate;

  public FencedLogStore(Configuration hadoopConf) {
    super(hadoopConf);
    this.delegate = new HDFSLogStore(hadoopConf);
  }

  @Override
  public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration conf)
      throws IOException {
    if (Boolean.TRUE.equals(overwrite)) {
      // Checkpoints and _last_checkpoint; commit files are written without overwrite.
      delegate.write(path, actions, true, conf);
      return;
    }
    WriteFence.check("Delta commit " + path);
    FileSystem fs = path.getFileSystem(conf);
    if (fs instanceof LocalFileSystem local) {
      LocalExclusiveCreate.write(local.pathToFile(path).toPath(), actions);
    } else if (fs instanceof RawLocalFileSystem raw) {
      LocalExclusiveCreate.write(raw.pathToFile(path).toPath(), actions);
    } else {
      delegate.write(path, actions, false, conf);
    }
  }

  @Override
  public CloseableIterator<String> read(Path path, Configuration conf) throws IOException {
    return delegate.read(path, conf);
  }

  @Override
  public Iterator<FileStatus> listFrom(Path path, Configuration conf) throws IOException {
    return delegate.listFrom(path, conf);
  }

  @Override
  public Path resolvePathOnPhysicalStorage(Path path, Configuration conf) throws IOException {
    return delegate.resolvePathOnPhysicalStorage(path, conf);
  }

  @Override
  public Boolean isPartialWriteVisible(Path path, Configuration conf) throws IOException {
    return delegate.isPartialWriteVisible(path, conf);
  }
}
