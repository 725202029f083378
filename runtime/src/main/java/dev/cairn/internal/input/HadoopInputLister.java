package dev.cairn.internal.input;

import dev.cairn.internal.store.InputPlan.PlannedFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists through the Hadoop file system Spark reads with (S3A for {@code s3a://}, EMRFS for {@code
 * s3://} on EMR, the local file system...). A file's version is its ETag where the file system
 * gives one (S3A does: S3's ETag changes whenever the object is rewritten), else its modification
 * time.
 */
public final class HadoopInputLister implements InputLister {
  private final Configuration conf;

  public HadoopInputLister(Configuration conf) {
    this.conf = conf;
  }

  @Override
  public List<PlannedFile> list(String location) throws IOException {
    Path root = new Path(location);
    FileSystem fs = root.getFileSystem(conf);
    FileStatus top = fs.getFileStatus(root); // FileNotFoundException when absent
    List<PlannedFile> files = new ArrayList<>();
    if (top.isFile()) {
      files.add(planned(top));
      return files;
    }
    Path qualifiedRoot = top.getPath();
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(qualifiedRoot, true);
    while (it.hasNext()) {
      LocatedFileStatus file = it.next();
      if (!hidden(qualifiedRoot, file.getPath())) {
        files.add(planned(file));
      }
    }
    files.sort(Comparator.comparing(PlannedFile::path));
    return files;
  }

  private static boolean hidden(Path root, Path file) {
    for (Path p = file; p != null && !p.equals(root); p = p.getParent()) {
      String name = p.getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static PlannedFile planned(FileStatus status) {
    String etag = status instanceof EtagSource source ? source.getEtag() : null;
    String version =
        etag != null && !etag.isEmpty() ? "etag:" + etag : "mtime:" + status.getModificationTime();
    return new PlannedFile(status.getPath().toString(), status.getLen(), version);
  }
}
