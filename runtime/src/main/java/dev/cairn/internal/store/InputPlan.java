package dev.cairn.internal.store;

import java.time.Instant;
import java.util.List;

/**
 * The files one input of a stage reads, listed once per run, stage generation and input and then
 * frozen: every attempt of that stage reads exactly these files, and checks first that each is
 * still what was planned. A {@code cairn rerun} gives the stage its next generation, hence a new
 * plan.
 *
 * @param runId the run
 * @param stage the stage reading the files
 * @param name the input's name (the job parameter, or the path, given to {@code
 *     StageContext.files})
 * @param generation the stage's transaction version when planned (1, then one more per rerun)
 * @param location the path or URI that was listed
 * @param files the files, in a stable order
 * @param plannedAt when it was listed
 */
public record InputPlan(
    String runId,
    String stage,
    String name,
    long generation,
    String location,
    List<PlannedFile> files,
    Instant plannedAt) {

  public InputPlan {
    files = List.copyOf(files);
  }

  /**
   * One planned file.
   *
   * @param path its full path or URI
   * @param size its length in bytes
   * @param version its ETag ({@code etag:...}) where the file system has one (S3), else its
   *     modification time ({@code mtime:<epoch millis>})
   */
  public record PlannedFile(String path, long size, String version) {}
}
