package dev.cairn.internal.errors;

import static dev.cairn.internal.errors.Messages.problemAndFix;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import java.util.Collection;

/**
 * Errors of the checkpoint store (DynamoDB): a write this driver may no longer make, a write whose
 * outcome is unknown, a table that cannot be used as it is, and the messages of the store's own
 * exception types.
 *
 * <p>The store throws two types of its own, {@code StoreUnavailableException} (a read or write that
 * failed and did not land) and {@code IllegalTransitionException} (a stage or chunk not in a state
 * it may move from); this package may not depend on the store, so for those it builds the message
 * ({@code ...Message} methods) and the store the exception.
 */
public final class StoreErrors {
  private StoreErrors() {}

  /**
   * This driver lost run {@code runId}, held at {@code epoch}, and its write is refused.
   *
   * @param what what the driver was doing, e.g. "renewing its lease"
   * @param currentHolder the run's holder now, described to a person; null when it has none or the
   *     run could not be read
   * @param currentEpoch the run's epoch now (used only with a holder)
   */
  public static RunHeldException leaseLost(
      String runId, long epoch, String what, String currentHolder, long currentEpoch) {
    String state =
        currentHolder != null
            ? "now held by " + currentHolder + " at epoch " + currentEpoch
            : "no longer held at epoch " + epoch;
    return new RunHeldException(
        "this driver lost run "
            + runId
            + " while "
            + what
            + ": the run is "
            + state
            + ", so this driver's writes are refused (epoch fencing). Fix: nothing to do if the"
            + " other driver is working; otherwise `cairn resume "
            + runId
            + "`");
  }

  /**
   * A write to checkpoint table {@code table} failed and reading it back failed too.
   *
   * @param what the write, e.g. {@code "the commit of stage 'x'"}
   * @param readFailure the cause
   */
  public static StateUnknownException outcomeUnknown(
      String what, String table, Exception writeFailure, Exception readFailure) {
    return new StateUnknownException(
        "the outcome of "
            + what
            + " in checkpoint table "
            + table
            + " is unknown: the write failed ("
            + writeFailure.getMessage()
            + ") and reading it back failed too ("
            + readFailure.getMessage()
            + "). Nothing was guessed. Fix: when DynamoDB is reachable again, run `cairn resume`"
            + " on the run; it reads the state and decides",
        readFailure);
  }

  /**
   * Checkpoint table {@code table} has TTL on another attribute than Cairn's. Permanent: a table
   * has one TTL attribute.
   *
   * @param ttlAttribute the attribute Cairn expires finished runs with
   */
  public static CairnException ttlOnOtherAttribute(
      String table, String attribute, String ttlAttribute) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "checkpoint table "
                + table
                + " has TTL on attribute '"
                + attribute
                + "', but Cairn expires finished runs with '"
                + ttlAttribute
                + "' (a table has one TTL attribute)",
            "give Cairn a table of its own (CAIRN_CHECKPOINT_TABLE), or disable TTL on '"
                + attribute
                + "' (aws dynamodb update-time-to-live --table-name "
                + table
                + " --time-to-live-specification Enabled=false,AttributeName="
                + attribute
                + ") and run `cairn init` again"));
  }

  /** TTL on checkpoint table {@code table} is being disabled. Unclassified: it ends by itself. */
  public static CairnException ttlBeingDisabled(String table) {
    return new CairnException(
        problemAndFix(
            "TTL on checkpoint table "
                + table
                + " is being disabled, and DynamoDB refuses to enable it until that is done",
            "run `cairn init` again in an hour"));
  }

  /**
   * Table {@code table} exists with another key than a checkpoint table's. Permanent.
   *
   * @param keys its key, as attribute name to key type
   */
  public static CairnException notACheckpointTable(String table, Object keys) {
    return new CairnException(
        FailureClass.PERMANENT,
        problemAndFix(
            "table "
                + table
                + " exists but is not a Cairn checkpoint table: its key is "
                + keys
                + ", expected {pk=HASH, sk=RANGE}",
            "set CAIRN_CHECKPOINT_TABLE to another name and run `cairn init` to create it"));
  }

  /** Index {@code index} of {@code table} is still being built after {@code minutes}. */
  public static CairnException indexStillBuilding(String index, String table, long minutes) {
    return new CairnException(
        problemAndFix(
            "index "
                + index
                + " of checkpoint table "
                + table
                + " is still being built after "
                + minutes
                + " minutes",
            "run `cairn init` again later; it waits for it"));
  }

  /** The wait for index {@code index} of {@code table} to be built was interrupted. */
  public static CairnException interruptedWaitingForIndex(
      String index, String table, InterruptedException cause) {
    return new CairnException(
        problemAndFix(
            "interrupted while waiting for index "
                + index
                + " of checkpoint table "
                + table
                + " to be built",
            "run `cairn init` again; it waits for it"),
        cause);
  }

  /**
   * The message of a {@code StoreUnavailableException}: checkpoint table {@code table} could not be
   * reached or created.
   *
   * @param failure the SDK's message
   * @param actions the IAM actions the credentials need, e.g. {@code "dynamodb:CreateTable"}
   */
  public static String tableUnreachableMessage(String table, String failure, String actions) {
    return problemAndFix(
        "cannot reach or create checkpoint table " + table + " (" + failure + ")",
        "check AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and the credentials (AWS_PROFILE"
            + " or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), and that they allow "
            + actions
            + " on it");
  }

  /**
   * The message of a {@code StoreUnavailableException}: {@code what} failed and, as read back, did
   * not land.
   *
   * @param failure the SDK's message
   */
  public static String writeNotLandedMessage(String what, String table, String failure) {
    return problemAndFix(
        what
            + " failed after the client's retries and did not land in checkpoint table "
            + table
            + " ("
            + failure
            + ")",
        "check DynamoDB is reachable and not throttled, then resume the run");
  }

  /** The message of a {@code StoreUnavailableException}: run {@code runId}'s item did not land. */
  public static String runNotCreatedMessage(String runId, String table) {
    return problemAndFix(
        "could not create run "
            + runId
            + " in checkpoint table "
            + table
            + ": the write did not land",
        "check the table is reachable, then run the same command again");
  }

  /**
   * The message of a {@code StoreUnavailableException}: checkpoint table {@code table} is absent.
   */
  public static String tableMissingMessage(String table, String what) {
    return problemAndFix(
        "checkpoint table " + table + " does not exist (reading " + what + ")",
        "check CAIRN_CHECKPOINT_TABLE and AWS_REGION, or create it with `cairn run` once");
  }

  /**
   * The message of a {@code StoreUnavailableException}: reading {@code what} failed.
   *
   * @param failure the SDK's message
   */
  public static String readFailedMessage(String what, String table, String failure) {
    return problemAndFix(
        "could not read " + what + " from checkpoint table " + table + " (" + failure + ")",
        "check the table is reachable (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, credentials) and"
            + " try again");
  }

  /**
   * The message of an {@code IllegalTransitionException}: stage {@code stage} is {@code current}
   * and may not move to {@code to}.
   *
   * @param allowedFrom the states it may move to {@code to} from
   */
  public static String stageTransitionRefusedMessage(
      String runId,
      String stage,
      Enum<?> current,
      Enum<?> to,
      Collection<? extends Enum<?>> allowedFrom) {
    return "stage '"
        + stage
        + "' of run "
        + runId
        + " is "
        + current
        + " and cannot move to "
        + to
        + " (allowed from "
        + allowedFrom
        + ")"
        + anotherDriverMayHaveMovedIt(runId);
  }

  /**
   * The message of an {@code IllegalTransitionException}: chunk {@code index} ({@code key}) of
   * stage {@code stage} is {@code current} and may not move to {@code to}.
   *
   * @param current the chunk's state, or "no item"
   */
  public static String chunkTransitionRefusedMessage(
      String runId, String stage, int index, String key, String current, Enum<?> to) {
    return "chunk "
        + index
        + " ("
        + key
        + ") of stage '"
        + stage
        + "' of run "
        + runId
        + " is "
        + current
        + " and cannot move to "
        + to
        + anotherDriverMayHaveMovedIt(runId);
  }

  /**
   * The message of an {@code IllegalTransitionException}: the chunk plan of stage {@code stage}
   * cannot be frozen at {@code generation}, the stage not being RUNNING at it.
   *
   * @param current the stage's state, null when it has no item
   * @param currentGeneration its generation (used only with a state)
   */
  public static String notPlannableMessage(
      String runId, String stage, long generation, Enum<?> current, long currentGeneration) {
    return "cannot freeze the chunk plan of stage '"
        + stage
        + "' of run "
        + runId
        + " at generation "
        + generation
        + ": the stage is "
        + (current == null ? "not started" : current + " at generation " + currentGeneration)
        + anotherDriverMayHaveMovedIt(runId);
  }

  private static String anotherDriverMayHaveMovedIt(String runId) {
    return ". Fix: check `cairn status " + runId + "`; another driver may have moved it";
  }

  /**
   * The warning that this host's clock and the checkpoint store's differ by more than leases
   * tolerate.
   *
   * @param skewMillis the store's clock minus this host's, estimated
   * @param marginMillis the most this host's clock may differ from the store's (a twelfth of the
   *     lease TTL)
   */
  public static String clockSkewMessage(long skewMillis, long marginMillis) {
    return problemAndFix(
        String.format(
            java.util.Locale.ROOT,
            "this host's clock is %.1f s %s the checkpoint store's (from its responses' Date"
                + " header), more than %.1f s (a twelfth of CAIRN_LEASE_TTL_SECONDS, so that two"
                + " drivers' hosts agree within the sixth leases tolerate): leases compare the"
                + " clocks of the drivers' hosts, so a live driver could be judged dead, or a"
                + " frozen one publish after another took its run over",
            Math.abs(skewMillis) / 1000.0,
            skewMillis > 0 ? "behind" : "ahead of",
            marginMillis / 1000.0),
        "synchronise this host's clock (chrony or systemd-timesyncd; on EC2 the Amazon Time Sync"
            + " Service, 169.254.169.123)");
  }
}
