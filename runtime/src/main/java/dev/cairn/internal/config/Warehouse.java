package dev.cairn.internal.config;

import dev.cairn.CairnException;
import dev.cairn.internal.errors.ConfigErrors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Checks that the Delta warehouse can be written, through the file system Spark would use. */
public final class Warehouse {
  private Warehouse() {}

  /**
   * What {@link #checkWritable(String)} found.
   *
   * @param created true when the warehouse directory did not exist and was created
   */
  public record Check(String warehouse, boolean created) {
    /** One line for an operator. */
    public String describe() {
      return "Warehouse "
          + warehouse
          + (created ? " created" : " exists")
          + " and is writable (a probe file was created and deleted)";
    }
  }

  /**
   * Creates the warehouse directory if absent, then creates and deletes a probe file in it, with a
   * Hadoop configuration built as Spark builds it ({@code spark.hadoop.*} settings, which {@code
   * spark-submit} passes as system properties, plus the {@code *-site.xml} files on the classpath)
   * and S3A reaching S3 through the SDK's standard settings ({@link S3Settings}).
   *
   * @throws CairnException when any of it fails, naming the warehouse and the cause
   */
  public static Check checkWritable(String warehouse) {
    return checkWritable(warehouse, S3Settings.fromEnvironment(System.getenv()));
  }

  /** As above, with S3A reaching S3 as {@code s3} says. */
  static Check checkWritable(String warehouse, S3Settings s3) {
    Configuration conf = HadoopConf.asSparkBuildsIt(s3.hadoopSettings());
    Path root = new Path(warehouse);
    Path probe = new Path(root, "_cairn_init_probe_" + UUID.randomUUID());
    try {
      FileSystem fs = root.getFileSystem(conf);
      boolean created = !fs.exists(root);
      if (created && !fs.mkdirs(root)) {
        throw new IOException("mkdirs returned false");
      }
      try (OutputStream out = fs.create(probe, false)) {
        out.write("cairn init probe\n".getBytes(StandardCharsets.UTF_8));
      }
      if (!fs.delete(probe, false)) {
        throw new IOException("the probe file " + probe + " could not be deleted");
      }
      return new Check(warehouse, created);
    } catch (IOException | RuntimeException e) {
      throw ConfigErrors.warehouseNotWritable(warehouse, e);
    }
  }
}
