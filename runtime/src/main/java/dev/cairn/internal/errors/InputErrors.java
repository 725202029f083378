package dev.cairn.internal.errors;

import static dev.cairn.internal.errors.Messages.problemAndFix;

import dev.cairn.BadInputException;
import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import java.time.Instant;

/**
 * Errors of a stage's inputs, at planning (the location is absent, empty, or holds too many files
 * for one plan) and at every attempt's verification (a planned file vanished or changed). A stage's
 * input that is not what was planned is a {@link BadInputException} (class {@link
 * FailureClass#BAD_INPUT}): fixing the input, or re-planning with {@code cairn rerun}, is the way
 * on.
 */
public final class InputErrors {
  private InputErrors() {}

  /** Input {@code name} of {@code stage} at {@code location} has no data files to plan. */
  public static BadInputException noDataFiles(
      String runId, String stage, String name, String location) {
    return new BadInputException(
        "input '" + name + "' of stage " + stage + " (" + location + ") has no data files",
        "put the files there, or give the job the right location, then `cairn resume "
            + runId
            + "`");
  }

  /** The location of input {@code name} does not exist, so nothing can be planned. */
  public static BadInputException inputMissing(
      String runId, String stage, String name, String location, Exception cause) {
    return new BadInputException(
        "input '" + name + "' of stage " + stage + " (" + location + ") does not exist",
        "give the job the right location, then `cairn resume " + runId + "`",
        cause);
  }

  /**
   * Listing input {@code name} failed. Unclassified: the listing's error decides (a throttled
   * request is transient, a denied one is not).
   */
  public static CairnException inputNotListable(
      String runId, String stage, String name, String location, Exception cause) {
    return new CairnException(
        problemAndFix(
            "cannot list input '"
                + name
                + "' of stage "
                + stage
                + " ("
                + location
                + "): "
                + cause.getMessage(),
            "check that its file system is reachable and readable, then `cairn resume "
                + runId
                + "`"),
        cause);
  }

  /**
   * A file planned for input {@code name} of {@code stage} is no longer there.
   *
   * @param plannedAt when the plan was recorded
   * @param path the planned file
   */
  public static BadInputException fileVanished(
      String runId, String stage, String name, Instant plannedAt, String path) {
    return new BadInputException(
        "input file "
            + path
            + " of '"
            + name
            + "', planned for stage "
            + stage
            + " of run "
            + runId
            + " at "
            + plannedAt
            + ", has vanished; the stage must read exactly the files it planned",
        "restore the file and `cairn resume "
            + runId
            + "`, or re-plan the stage on the files there now with "
            + rerun(runId, stage));
  }

  /**
   * A file planned for input {@code name} of {@code stage} has changed since.
   *
   * @param plannedAt when the plan was recorded
   * @param path the planned file
   * @param plannedSize its size in bytes as planned
   * @param plannedVersion its version as planned (ETag, else modification time)
   * @param size its size in bytes now
   * @param version its version now
   */
  public static BadInputException fileChanged(
      String runId,
      String stage,
      String name,
      Instant plannedAt,
      String path,
      long plannedSize,
      String plannedVersion,
      long size,
      String version) {
    return new BadInputException(
        "input file "
            + path
            + " of '"
            + name
            + "' changed since it was planned for stage "
            + stage
            + " of run "
            + runId
            + " at "
            + plannedAt
            + " (planned "
            + plannedSize
            + " bytes, "
            + plannedVersion
            + "; now "
            + size
            + " bytes, "
            + version
            + "); the stage must read exactly the files it planned",
        "restore the planned file and `cairn resume "
            + runId
            + "`, or re-plan the stage on the files there now with "
            + rerun(runId, stage));
  }

  /**
   * A run resumed on a host whose copy of a fetched dataset differs from the copy its plan was
   * recorded on.
   *
   * @param plannedAt where the plan was recorded (the other host's copy)
   * @param location this host's copy
   * @param planned the first planned file that has no match here ({@code (none)} if the copy has
   *     more files)
   * @param found the file of this host's copy in its place ({@code (none)} if it has fewer)
   */
  public static BadInputException copyDiffers(
      String runId,
      String stage,
      String name,
      String plannedAt,
      String location,
      String planned,
      String found) {
    return new BadInputException(
        "input '"
            + name
            + "' of stage "
            + stage
            + " of run "
            + runId
            + " was planned at "
            + plannedAt
            + " (another host's copy of the dataset), and this host's copy at "
            + location
            + " differs: planned "
            + planned
            + ", found "
            + found
            + " (names and sizes must match)",
        "fetch the same dataset version here and `cairn resume "
            + runId
            + "`, resume on the host that planned it, or re-plan the stage on this copy with "
            + rerun(runId, stage));
  }

  /**
   * The manifest holding a big plan of input {@code name} could not be written. Unclassified: the
   * write's error decides (a throttled request is transient, a denied one is not).
   */
  public static CairnException manifestNotWritable(
      String runId, String stage, String name, Exception cause) {
    return new CairnException(
        problemAndFix(
            "cannot write the plan manifest of input '"
                + name
                + "' (read by stage "
                + stage
                + ") beside the warehouse: "
                + cause.getMessage(),
            "check that the warehouse is writable, then `cairn resume " + runId + "`"),
        cause);
  }

  /** The manifest a recorded plan of input {@code name} names does not exist. */
  public static BadInputException manifestMissing(
      String runId, String stage, String name, String manifest) {
    return new BadInputException(
        "the plan of input '"
            + name
            + "' (read by stage "
            + stage
            + " of run "
            + runId
            + ") is kept in manifest "
            + manifest
            + ", which does not exist (deleted by hand, or by a cleanup of the warehouse's _cairn"
            + " directory); without it the stage cannot read what the run planned",
        "restore the manifest from a backup and `cairn resume "
            + runId
            + "`, or re-plan the stage on the files there now with "
            + rerun(runId, stage));
  }

  /** Reading the manifest of input {@code name} failed; the read's error decides its class. */
  public static CairnException manifestNotReadable(
      String runId, String stage, String name, String manifest, Exception cause) {
    return new CairnException(
        problemAndFix(
            "cannot read manifest "
                + manifest
                + " of input '"
                + name
                + "' (read by stage "
                + stage
                + "): "
                + cause.getMessage(),
            "check that the warehouse is reachable and readable, then `cairn resume "
                + runId
                + "`"),
        cause);
  }

  /**
   * The manifest of input {@code name} is not what the plan recorded.
   *
   * @param expected what the checkpoint recorded (hash and count, or the format)
   * @param found what the manifest holds
   */
  public static BadInputException manifestCorrupt(
      String runId, String stage, String name, String manifest, String expected, String found) {
    return new BadInputException(
        "manifest "
            + manifest
            + " of input '"
            + name
            + "' (read by stage "
            + stage
            + " of run "
            + runId
            + ") is not the plan the run recorded: expected "
            + expected
            + ", found "
            + found
            + "; nothing is read from a plan that may have been altered",
        "restore the manifest from a backup and `cairn resume "
            + runId
            + "`, or re-plan the stage on the files there now with "
            + rerun(runId, stage));
  }

  /** A declared Delta-table input is not a Delta table (or does not exist). */
  public static BadInputException notADeltaTable(
      String runId, String stage, String name, String location) {
    return new BadInputException(
        "input '"
            + name
            + "' of stage "
            + stage
            + " is declared a Delta table, but "
            + location
            + " holds no Delta table (no _delta_log)",
        "give the job the table's location, or declare the input Input.files(\""
            + name
            + "\") if it holds plain files, then `cairn resume "
            + runId
            + "`");
  }

  /**
   * The version a Delta-table input was pinned at can no longer be read (its log or files were
   * removed by log retention or VACUUM).
   */
  public static BadInputException pinnedVersionGone(
      String runId, String stage, String name, String location, long version, Exception cause) {
    return new BadInputException(
        "input table '"
            + name
            + "' ("
            + location
            + ") was pinned at version "
            + version
            + " when run "
            + runId
            + " planned its inputs, and that version can no longer be read: "
            + cause.getMessage(),
        "re-plan the stage at the table's latest version with "
            + rerun(runId, stage)
            + ", or keep versions longer (delta.logRetentionDuration,"
            + " delta.deletedFileRetentionDuration)",
        cause);
  }

  /** How a message tells the user to re-plan {@code stage}: its next generation. */
  private static String rerun(String runId, String stage) {
    return "`cairn rerun " + runId + " --from " + stage + "`";
  }
}
