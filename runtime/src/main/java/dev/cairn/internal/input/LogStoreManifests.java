package dev.cairn.internal.input;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.storage.LogStore;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Plan manifests under {@code <root>/<runId>/}, written and read through the Delta log store the
 * session configures for the root's scheme ({@code spark.delta.logStore.<scheme>.impl}): the same
 * put-if-absent that makes Delta's commit files safe with several writers makes a manifest written
 * once and whole (S3: one conditional put; local and HDFS: an exclusive create). Written by hand
 * around Delta's store because no library writes a small object only if absent on every file system
 * Spark reads, and the log store already does, under the driver's write fence.
 */
public final class LogStoreManifests implements PlanManifests {
  private final Supplier<SparkSession> spark;
  private final String root;

  /**
   * @param root the directory holding every run's manifests (e.g. {@code
   *     <warehouse>/_cairn/inputs})
   */
  public LogStoreManifests(Supplier<SparkSession> spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  @Override
  public String create(String runId, String name, List<String> lines) throws IOException {
    SparkSession session = spark.get();
    Configuration conf = session.sessionState().newHadoopConf();
    Path unqualified = new Path(root + "/" + runId + "/" + name);
    // Qualified, so the log store of its scheme writes it (a bare path would get Delta's default).
    Path path = unqualified.getFileSystem(conf).makeQualified(unqualified);
    try {
      LogStore.apply(session)
          .write(path, CollectionConverters.asScala(lines.iterator()), false, conf);
    } catch (Exception e) { // Scala declares no exception: the log store's IOExceptions pass as is
      if (e instanceof FileAlreadyExistsException) {
        throw new FileAlreadyExistsException(path.toString()); // it may name the file otherwise
      }
      throw rethrown(e);
    }
    return path.toString();
  }

  @Override
  public List<String> read(String location) throws IOException {
    SparkSession session = spark.get();
    try {
      return CollectionConverters.asJava(
          LogStore.apply(session).read(new Path(location), session.sessionState().newHadoopConf()));
    } catch (Exception e) {
      throw rethrown(e);
    }
  }

  private static IOException rethrown(Exception e) {
    if (e instanceof IOException io) {
      return io;
    }
    if (e instanceof RuntimeException r) {
      throw r;
    }
    return new IOException(e);
  }
}
