package dev.cairn.internal.store;

import static dev.cairn.internal.store.Items.n;
import static dev.cairn.internal.store.Items.s;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The run's lease, on the run item: taking it (a conditional update that increments the epoch),
 * renewing it, and an operator's breaking it. Each is one conditional UpdateItem, the lease's own
 * compare-and-set rather than a write fenced by it, so each decides a lost response itself from the
 * run read back: the question is who holds the run now, not whether one request landed. A read-back
 * that fails too throws {@link StoreUnavailableException} (the lease's callers treat it as the
 * store being unreachable, as they always have). Thread-safe.
 */
final class LeaseWrites {
  private final DynamoDbClient dynamo;
  private final String table;
  private final TableReads reads;
  private final FencedWrites fences;

  LeaseWrites(DynamoDbClient dynamo, String table, TableReads reads, FencedWrites fences) {
    this.dynamo = dynamo;
    this.table = table;
    this.reads = reads;
    this.fences = fences;
  }

  /** See {@link CheckpointStore#tryAcquireLease}. */
  Optional<Lease> tryAcquire(
      String runId, LeaseHolder holder, Instant now, Duration ttl, String deadHolderId) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":one", n(1));
    values.put(":me", s(holder.id()));
    values.put(":host", s(holder.host()));
    values.put(":pid", n(holder.pid()));
    values.put(":pstart", n(holder.processStart().toEpochMilli()));
    values.put(":machine", s(holder.machine()));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":exp", n(now.plus(ttl).toEpochMilli()));
    values.put(":running", s(RunStatus.RUNNING.name()));
    values.put(":dead", s(deadHolderId == null ? "-" : deadHolderId));
    String what = "taking the lease of run " + runId;
    try {
      Map<String, AttributeValue> after =
          dynamo
              .updateItem(
                  r ->
                      r.tableName(table)
                          .key(Items.runKey(runId))
                          .updateExpression(
                              "SET epoch = epoch + :one, leaseOwner = :me, leaseHost = :host,"
                                  + " leasePid = :pid, leaseProcessStart = :pstart,"
                                  + " leaseMachine = :machine,"
                                  + " leaseSince = :now, leaseExpiresAt = :exp, #status = :running,"
                                  + " updatedAt = :now REMOVE reason, reasonClass")
                          .conditionExpression(
                              "attribute_exists(pk) AND (attribute_not_exists(leaseOwner)"
                                  + " OR leaseExpiresAt < :now OR leaseOwner = :me"
                                  + " OR leaseOwner = :dead)")
                          .expressionAttributeNames(Map.of("#status", "status"))
                          .expressionAttributeValues(values)
                          .returnValues(ReturnValue.ALL_NEW))
              .attributes();
      return Optional.of(new Lease(runId, Items.num(after, "epoch"), holder));
    } catch (ConditionalCheckFailedException held) {
      return Optional.empty();
    } catch (SdkException unknown) {
      // The lease is its own compare-and-set, not a write fenced by it: decided here.
      RunRecord run = fences.readBack(what, unknown, () -> run(runId));
      if (run != null && run.holder().map(h -> h.id().equals(holder.id())).orElse(false)) {
        return Optional.of(new Lease(runId, run.epoch(), holder));
      }
      if (run != null && run.isHeldAt(now)) {
        return Optional.empty();
      }
      // Not ours and not held by anyone: the write did not land, the store is the problem.
      throw fences.notLanded(what, unknown);
    }
  }

  /** See {@link CheckpointStore#renewLease}. */
  Instant renew(Lease lease, Instant now, Duration ttl) {
    Instant expiry = now.plus(ttl);
    try {
      dynamo.updateItem(
          r ->
              r.tableName(table)
                  .key(Items.runKey(lease.runId()))
                  .updateExpression("SET leaseExpiresAt = :exp")
                  .conditionExpression("epoch = :epoch AND leaseOwner = :me")
                  .expressionAttributeValues(
                      Map.of(
                          ":exp", n(expiry.toEpochMilli()),
                          ":epoch", n(lease.epoch()),
                          ":me", s(lease.holder().id()))));
    } catch (ConditionalCheckFailedException lost) {
      throw fences.fenced(lease, "renewing its lease");
    } catch (SdkException unknown) {
      // Whether this renewal landed matters less than whether the lease is still ours.
      RunRecord run =
          fences.readBack(
              "renewing the lease of run " + lease.runId(), unknown, () -> run(lease.runId()));
      if (run == null || !stillHolds(run, lease)) {
        throw fences.fenced(lease, "renewing its lease");
      }
      // Still ours, but extended only if this renewal landed: trust what the store holds.
      return run.leaseExpiresAt().isBefore(expiry) ? run.leaseExpiresAt() : expiry;
    }
    return expiry;
  }

  /** See {@link CheckpointStore#breakLease}. */
  boolean breakLease(
      String runId,
      long expectedEpoch,
      CheckpointStore.BreakMode mode,
      Instant now,
      String reason) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":one", n(1));
    values.put(":epoch", n(expectedEpoch));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":status", s(RunStatus.INTERRUPTED.name()));
    values.put(":reason", s(Items.truncate(reason, 4000)));
    String condition =
        "epoch = :epoch AND attribute_exists(leaseOwner)"
            + (mode == CheckpointStore.BreakMode.IF_EXPIRED ? " AND leaseExpiresAt < :now" : "");
    try {
      dynamo.updateItem(
          r ->
              r.tableName(table)
                  .key(Items.runKey(runId))
                  .updateExpression(
                      "SET epoch = epoch + :one, #status = :status, reason = :reason,"
                          + " updatedAt = :now, leaseExpiresAt = :now"
                          + " REMOVE leaseOwner, leaseHost, leasePid, leaseProcessStart,"
                          + " leaseMachine, leaseSince,"
                          + " reasonClass")
                  .conditionExpression(condition)
                  .expressionAttributeNames(Map.of("#status", "status"))
                  .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException refused) {
      return false;
    } catch (SdkException unknown) {
      String what = "breaking the lease of run " + runId;
      RunRecord run = fences.readBack(what, unknown, () -> run(runId));
      if (run != null && run.epoch() == expectedEpoch + 1 && run.holder().isEmpty()) {
        return true;
      }
      throw fences.notLanded(what, unknown);
    }
  }

  private static boolean stillHolds(RunRecord run, Lease lease) {
    return run.epoch() == lease.epoch()
        && run.holder().map(h -> h.id().equals(lease.holder().id())).orElse(false);
  }

  /** The run, read consistently; a failed read is {@link StoreUnavailableException}. */
  private RunRecord run(String runId) {
    return reads
        .read("run " + runId, () -> reads.item(Items.runKey(runId)))
        .map(Items::toRun)
        .orElse(null);
  }
}
