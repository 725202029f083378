package dev.cairn.internal.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one input is read as, recorded once and then frozen: the files listed at planning, or the
 * version a Delta-table input was pinned at. Every attempt that reads the input reads exactly that,
 * and checks first that each planned file is still what was planned.
 *
 * <p>Two scopes. A plan of the run's declared inputs ({@code stage} is {@link #RUN_SCOPE}) is made
 * once for the whole run, at its first start, and shared by every stage reading the input; its
 * {@code generation} is the run's input snapshot: 0, then the number of the {@code cairn rerun}
 * that re-planned it. A plan made lazily by one stage ({@code StageContext.files} of an input the
 * stage did not declare) is that stage's alone, at the stage's generation.
 *
 * <p>A plan too big for a checkpoint item keeps its files in a manifest object ({@code manifest});
 * {@code files} is then empty as read from the store, and the planner reads the manifest, checking
 * its hash, before trusting it.
 *
 * @param runId the run
 * @param stage {@link #RUN_SCOPE}, or the stage that planned the input lazily
 * @param name the input's name (the job parameter, or the path, declared or given to {@code
 *     StageContext.files})
 * @param generation the run's input snapshot ({@link #RUN_SCOPE}), or the stage's transaction
 *     version when planned
 * @param location the path or URI that was listed, or the Delta table's location
 * @param files the files, in a stable order (empty for a Delta table, or when held by a manifest)
 * @param manifest where the files are when too many for an item
 * @param tableVersion the Delta version a table input is read at; -1 for files
 * @param plannedAt when it was planned
 */
public record InputPlan(
    String runId,
    String stage,
    String name,
    long generation,
    String location,
    List<PlannedFile> files,
    Optional<Manifest> manifest,
    long tableVersion,
    Instant plannedAt) {

  /** The {@code stage} of a plan shared by every stage of the run (never a stage's name). */
  public static final String RUN_SCOPE = "*";

  /** The run's plans first, then each stage's; within a scope by snapshot, then name. */
  public static final Comparator<InputPlan> STATUS_ORDER =
      Comparator.comparing((InputPlan p) -> !p.stage().equals(RUN_SCOPE))
          .thenComparing(InputPlan::stage)
          .thenComparingLong(InputPlan::generation)
          .thenComparing(InputPlan::name);

  public InputPlan {
    files = List.copyOf(files);
    Objects.requireNonNull(manifest, "manifest");
  }

  /** A plan of files held in the item. */
  public InputPlan(
      String runId,
      String stage,
      String name,
      long generation,
      String location,
      List<PlannedFile> files,
      Instant plannedAt) {
    this(runId, stage, name, generation, location, files, Optional.empty(), -1, plannedAt);
  }

  /** How many files the plan reads: its manifest's count, or its own files'. */
  public int fileCount() {
    return manifest.map(Manifest::fileCount).orElse(files.size());
  }

  /** The bytes of the files the plan reads: its manifest's total, or its own files' sum. */
  public long totalBytes() {
    return manifest
        .map(Manifest::totalBytes)
        .orElseGet(() -> files.stream().mapToLong(PlannedFile::size).sum());
  }

  /** Whether this plan pins a Delta table rather than listing files. */
  public boolean isTable() {
    return tableVersion >= 0;
  }

  /** The same plan with its files held by {@code manifest} instead of the item. */
  public InputPlan inManifest(Manifest manifest) {
    return new InputPlan(
        runId,
        stage,
        name,
        generation,
        location,
        List.of(),
        Optional.of(manifest),
        tableVersion,
        plannedAt);
  }

  /** The same plan with {@code files} (read from its manifest). */
  public InputPlan withFiles(List<PlannedFile> files) {
    return new InputPlan(
        runId, stage, name, generation, location, files, manifest, tableVersion, plannedAt);
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

  /**
   * A plan's files kept in an object beside the warehouse, written once (only if absent).
   *
   * @param location the object's full path or URI
   * @param sha256 the hex SHA-256 of its bytes, checked before the plan is trusted
   * @param fileCount how many files it lists
   * @param totalBytes their total size
   */
  public record Manifest(String location, String sha256, int fileCount, long totalBytes) {}
}
