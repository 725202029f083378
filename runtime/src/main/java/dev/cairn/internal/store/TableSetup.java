package dev.cairn.internal.store;

import java.time.Duration;

/**
 * What {@code cairn init} found and did to the checkpoint table.
 *
 * @param created true when this call created the table
 * @param billing "on-demand billing", or the provisioned capacity of a table created elsewhere
 * @param indexCreated true when this call added the index that lists runs
 * @param ttlEnabled true when this call enabled TTL on {@link #TTL_ATTRIBUTE}
 * @param retention how long a succeeded run is kept before TTL deletes it
 */
public record TableSetup(
    String table,
    boolean created,
    String billing,
    boolean indexCreated,
    boolean ttlEnabled,
    Duration retention) {

  /** The attribute DynamoDB's TTL reads: epoch seconds after which an item may be deleted. */
  public static final String TTL_ATTRIBUTE = "expiresAt";

  /** One line for an operator, e.g. "table t exists (on-demand billing, ...)". */
  public String describe() {
    return "Checkpoint table "
        + table
        + (created ? " created" : " exists")
        + " ("
        + billing
        + ", index "
        + DynamoDbCheckpointStore.RUNS_INDEX
        + (indexCreated && !created ? " added now" : "")
        + ", TTL on "
        + TTL_ATTRIBUTE
        + (ttlEnabled && !created ? " enabled now" : "")
        + "); succeeded runs are deleted "
        + retention.toDays()
        + " days after they finish (CAIRN_RETENTION_DAYS)";
  }
}
