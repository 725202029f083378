package dev.cairn.internal.delta;

import io.delta.storage.CloseableIterator;
import io.delta.storage.HDFSLogStore;
import io.delta.storage.LogStore;
import java.io.IOException;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Delta's HDFS log store (atomic create-if-absent by rename, right for local and HDFS file systems)
 * with one check before each commit file is written: the driver's {@link WriteFence}. A driver that
 * may have lost its lease cannot publish. Configured by {@code Spark.session} as {@code
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
    if (!Boolean.TRUE.equals(overwrite)) {
      // Commit files are written without overwrite; checkpoints and _last_checkpoint with it.
      WriteFence.check("Delta commit " + path);
    }
    delegate.write(path, actions, overwrite, conf);
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
