package dev.cairn.internal.input;

import java.io.IOException;
import java.util.List;

/**
 * Where input plans too big for a checkpoint item keep their files: objects beside the warehouse,
 * named by their content's hash and written once. Implementations create an object only if absent
 * (a conditional put on S3, an exclusive create on a local or HDFS file system), so a manifest is
 * never partly visible and never replaced.
 */
public interface PlanManifests {

  /**
   * Writes {@code lines} (each one line, without a newline) as the manifest {@code name} of run
   * {@code runId}, unless an object of that name exists already.
   *
   * @return the manifest's full path or URI
   * @throws java.nio.file.FileAlreadyExistsException when an object of that name exists (the caller
   *     reads it back and compares hashes)
   */
  String create(String runId, String name, List<String> lines) throws IOException;

  /**
   * The lines of the manifest at {@code location}.
   *
   * @throws java.io.FileNotFoundException when it does not exist
   */
  List<String> read(String location) throws IOException;
}
