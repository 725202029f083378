package dev.cairn.internal.store;

import static dev.cairn.internal.store.Items.TTL;
import static dev.cairn.internal.store.Items.n;
import static dev.cairn.internal.store.Items.s;

import dev.cairn.FailureClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The writes that change a run as a whole: its end ({@code finishRun}, which for a success also
 * gives every item of the run its expiry) and an operator's rerun (invalidations, parameters, the
 * rerun's entry, and the expiry removed from every item). Each is atomic with the run item's
 * update, which carries the lease's condition, and is decided through {@link FencedWrites} by
 * reading the run back. Thread-safe.
 */
final class RunWrites {
  // A transaction holds 100 items; the rest of the batch is what one write may add around them.
  private static final int TRANSACTION_ITEMS = 100;

  private final String table;
  private final Duration retention;
  private final TableReads reads;
  private final FencedWrites fences;

  RunWrites(String table, Duration retention, TableReads reads, FencedWrites fences) {
    this.table = table;
    this.retention = retention;
    this.reads = reads;
    this.fences = fences;
  }

  /** See {@link CheckpointStore#finishRun}. */
  void finishRun(
      Lease lease,
      RunStatus status,
      String reason,
      Optional<FailureClass> reasonClass,
      Instant now) {
    if (status == RunStatus.SUCCEEDED) {
      finishSucceeded(lease, reason, now);
      return;
    }
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":status", s(status.name()));
    values.put(":reason", s(reason == null ? "" : Items.truncate(reason, 4000)));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":me", s(lease.holder().id()));
    reasonClass.ifPresent(c -> values.put(":reasonClass", s(c.name())));
    UpdateItemRequest finish =
        UpdateItemRequest.builder()
            .tableName(table)
            .key(Items.runKey(lease.runId()))
            .updateExpression(
                "SET #status = :status, reason = :reason, updatedAt = :now,"
                    + " leaseExpiresAt = :now"
                    + (reasonClass.isPresent() ? ", reasonClass = :reasonClass" : "")
                    + " REMOVE leaseOwner, leaseHost, leasePid, leaseProcessStart,"
                    + " leaseMachine, leaseSince"
                    + (reasonClass.isPresent() ? "" : ", reasonClass"))
            .conditionExpression("epoch = :epoch AND leaseOwner = :me")
            .expressionAttributeNames(Map.of("#status", "status"))
            .expressionAttributeValues(values)
            .build();
    // Refused because another driver took the run, or because this is the SDK's retry of this
    // very write, which landed before its response was lost (it released the lease, so the
    // condition no longer holds). The run item tells which.
    fences.update(
        lease,
        "finishing run " + lease.runId() + " as " + status,
        "finishing the run as " + status,
        finish,
        Boolean.TRUE,
        runLanded(lease, run -> finishedAt(run, lease, status)));
  }

  /** Whether {@code run} shows this lease's finish as {@code status} landed. */
  private static boolean finishedAt(RunRecord run, Lease lease, RunStatus status) {
    return run.epoch() == lease.epoch() && run.status() == status && run.holder().isEmpty();
  }

  /** The run item's final update and the expiry of every other item of the run, atomically. */
  private void finishSucceeded(Lease lease, String reason, Instant now) {
    String runId = lease.runId();
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":status", s(RunStatus.SUCCEEDED.name()));
    values.put(":reason", s(reason == null ? "" : Items.truncate(reason, 4000)));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":expires", n(now.plus(retention).getEpochSecond()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":me", s(lease.holder().id()));
    Update run =
        Update.builder()
            .tableName(table)
            .key(Items.runKey(runId))
            .updateExpression(
                "SET #status = :status, reason = :reason, updatedAt = :now, leaseExpiresAt = :now, "
                    + TTL
                    + " = :expires"
                    + " REMOVE leaseOwner, leaseHost, leasePid, leaseProcessStart,"
                    + " leaseMachine, leaseSince,"
                    + " reasonClass")
            .conditionExpression("epoch = :epoch AND leaseOwner = :me")
            .expressionAttributeNames(Map.of("#status", "status"))
            .expressionAttributeValues(values)
            .build();
    List<Update> items = new ArrayList<>();
    for (Map<String, AttributeValue> item : otherItems(runId)) {
      items.add(
          Update.builder()
              .tableName(table)
              .key(Map.of("pk", item.get("pk"), "sk", item.get("sk")))
              .updateExpression("SET " + TTL + " = :expires")
              .conditionExpression("attribute_exists(pk)")
              .expressionAttributeValues(Map.of(":expires", values.get(":expires")))
              .build());
    }
    writeWithRunItem(
        lease,
        "finishing run " + runId + " as SUCCEEDED",
        // the words of every other end state's refusal, and of the in-memory store
        "finishing the run as SUCCEEDED",
        run,
        items,
        after -> finishedAt(after, lease, RunStatus.SUCCEEDED));
  }

  /** See {@link CheckpointStore#recordRerun}. */
  void recordRerun(
      Lease lease,
      Rerun rerun,
      Map<String, String> parameters,
      List<StageTransition.Invalidate> invalidations) {
    if (invalidations.size() > CheckpointStore.MAX_RERUN_STAGES) {
      throw new IllegalArgumentException(
          "a rerun invalidates at most "
              + CheckpointStore.MAX_RERUN_STAGES
              + " stages, not "
              + invalidations.size());
    }
    String runId = lease.runId();
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":params", Items.parameters(parameters));
    values.put(":entry", AttributeValue.fromL(List.of(Items.rerunItem(rerun))));
    values.put(":none", AttributeValue.fromL(List.of()));
    values.put(":now", n(rerun.at().toEpochMilli()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":me", s(lease.holder().id()));
    Update run =
        Update.builder()
            .tableName(table)
            .key(Items.runKey(runId))
            .updateExpression(
                "SET #params = :params, reruns = list_append(if_not_exists(reruns, :none),"
                    + " :entry), updatedAt = :now REMOVE "
                    + TTL)
            .conditionExpression("epoch = :epoch AND leaseOwner = :me")
            .expressionAttributeNames(Map.of("#params", "parameters"))
            .expressionAttributeValues(values)
            .build();
    // Items keeping their expiry first (they may go in earlier batches), the invalidations last,
    // so that they are always in the one transaction with the run item.
    List<Update> items = new ArrayList<>();
    Set<String> invalidated = new HashSet<>();
    invalidations.forEach(i -> invalidated.add(Items.STAGE_PREFIX + i.stage()));
    for (Map<String, AttributeValue> item : otherItems(runId)) {
      if (item.containsKey(TTL) && !invalidated.contains(item.get("sk").s())) {
        items.add(
            Update.builder()
                .tableName(table)
                .key(Map.of("pk", item.get("pk"), "sk", item.get("sk")))
                .updateExpression("REMOVE " + TTL)
                .conditionExpression("attribute_exists(pk)")
                .build());
      }
    }
    invalidations.forEach(i -> items.add(TransitionUpdates.invalidation(table, lease, i)));
    String what = "recording the rerun of run " + runId + " from stage " + rerun.from();
    writeWithRunItem(
        lease,
        what,
        what,
        run,
        items,
        after -> after.reruns().stream().anyMatch(r -> r.id().equals(rerun.id())));
  }

  /**
   * Writes {@code run} (an update of the run item conditional on the lease) and {@code items}
   * atomically. A run with more items than one transaction holds has the first ones written in
   * earlier transactions, each fenced by a condition check on the run item; the run item and the
   * last items go together in the final one. An outcome not known is decided by reading the run
   * back and asking {@code landed}.
   */
  private void writeWithRunItem(
      Lease lease,
      String what,
      String fencedWhat,
      Update run,
      List<Update> items,
      Predicate<RunRecord> landed) {
    int last = Math.max(0, items.size() - (TRANSACTION_ITEMS - 1));
    for (int from = 0; from < last; from += TRANSACTION_ITEMS - 1) {
      List<TransactWriteItem> batch = new ArrayList<>();
      batch.add(fences.leaseGuard(lease));
      items
          .subList(from, Math.min(last, from + TRANSACTION_ITEMS - 1))
          .forEach(u -> batch.add(TransactWriteItem.builder().update(u).build()));
      // An earlier batch changes no item the run read shows: its outcome is never recognized.
      fences.transact(
          lease,
          what,
          fencedWhat,
          batch,
          UUID.randomUUID().toString(),
          Boolean.TRUE,
          runLanded(lease, unknownForAnEarlierBatch -> false));
    }
    List<TransactWriteItem> batch = new ArrayList<>();
    batch.add(TransactWriteItem.builder().update(run).build());
    items
        .subList(last, items.size())
        .forEach(u -> batch.add(TransactWriteItem.builder().update(u).build()));
    fences.transact(
        lease,
        what,
        fencedWhat,
        batch,
        UUID.randomUUID().toString(),
        Boolean.TRUE,
        runLanded(lease, landed));
  }

  /** The outcome of a write of the run item, landed when the run read back passes {@code test}. */
  private FencedWrites.Outcome<RunRecord, Boolean> runLanded(
      Lease lease, Predicate<RunRecord> test) {
    return FencedWrites.Outcome.landedWhen(
        () -> reads.item(Items.runKey(lease.runId())).map(Items::toRun).orElse(null),
        run -> run != null && test.test(run) ? Optional.of(Boolean.TRUE) : Optional.empty());
  }

  /** The keys (and expiry) of every item of a run but the run item: stages, and any others. */
  private List<Map<String, AttributeValue>> otherItems(String runId) {
    return reads.queryRun("the items of run " + runId, runId, "", "pk, sk, " + TTL).stream()
        .filter(i -> !Items.RUN_SK.equals(i.get("sk").s()))
        .toList();
  }
}
