package dev.cairn.internal.store;

import static dev.cairn.internal.store.Items.n;
import static dev.cairn.internal.store.Items.s;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The DynamoDB updates that move a stage or a chunk item along its state machine: what each move
 * sets and removes, and the condition that refuses a move from a state it may not leave. The lease
 * is not checked here; {@link FencedWrites} puts its guard beside these in one transaction.
 * Stateless and thread-safe.
 */
final class TransitionUpdates {
  private TransitionUpdates() {}

  /**
   * The update of the stage item for {@code transition} at the lease's epoch, conditional on the
   * stage being in one of the transition's {@code allowedFrom} states (PENDING also meaning "no
   * item yet").
   */
  static Update stage(String table, Lease lease, StageTransition transition) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    List<String> set = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    names.put("#metrics", "metrics"); // a reserved word
    common(lease, transition, names, values, set);
    if (transition instanceof StageTransition.Start start) {
      values.put(":zero", n(0));
      values.put(":one", n(1));
      values.put(":table", s(start.outputTable()));
      values.put(":app", s(start.txnAppId()));
      values.put(":txn", n(start.txnVersion()));
      values.put(":base", n(start.baseVersion()));
      values.put(":false", AttributeValue.fromBool(false));
      set.addAll(
          List.of(
              "attempts = if_not_exists(attempts, :zero) + :one",
              "outputTable = :table",
              "txnAppId = :app",
              "txnVersion = :txn",
              "baseVersion = :base",
              "startedAt = :at",
              "recovered = :false",
              "skippedDuplicate = :false"));
      remove.addAll(List.of("errorClass", "errorMessage", "finishedAt", "checks", "#metrics"));
    } else if (transition instanceof StageTransition.Commit commit) {
      values.put(":zero", n(0));
      values.put(":table", s(commit.outputTable()));
      values.put(":app", s(commit.txnAppId()));
      values.put(":txn", n(commit.txnVersion()));
      values.put(":version", n(commit.outputVersion()));
      values.put(":rows", n(commit.rowsWritten()));
      values.put(":recovered", AttributeValue.fromBool(commit.recovered()));
      values.put(":skipped", AttributeValue.fromBool(commit.skippedDuplicate()));
      values.put(":checks", Items.checksValue(commit.checks()));
      values.put(":metrics", Items.metricsValue(commit.metrics()));
      set.addAll(
          List.of(
              "checks = :checks",
              "#metrics = :metrics",
              "attempts = if_not_exists(attempts, :zero)",
              "outputTable = :table",
              "txnAppId = :app",
              "txnVersion = :txn",
              "outputVersion = :version",
              "rowsWritten = :rows",
              "recovered = :recovered",
              "skippedDuplicate = :skipped",
              "finishedAt = :at"));
      remove.addAll(List.of("errorClass", "errorMessage"));
    } else if (transition instanceof StageTransition.Invalidate invalidate) {
      names.remove("#metrics"); // an expression must use every name it declares
      invalidation(invalidate, set, remove, values);
    } else if (transition instanceof StageTransition.Fail fail) {
      values.put(":errorClass", s(fail.errorClass()));
      values.put(":errorMessage", s(Items.truncate(fail.errorMessage(), 4000)));
      values.put(":checks", Items.checksValue(fail.checks()));
      set.addAll(
          List.of(
              "checks = :checks",
              "errorClass = :errorClass",
              "errorMessage = :errorMessage",
              "finishedAt = :at"));
      remove.add("#metrics");
    }
    StringJoiner allowed = new StringJoiner(", ", "#status IN (", ")");
    boolean fromPending = false;
    int i = 0;
    for (StageStatus from : transition.allowedFrom()) {
      // PENDING is "no item yet", or an item a rerun invalidated.
      fromPending |= from == StageStatus.PENDING;
      values.put(":from" + i, s(from.name()));
      allowed.add(":from" + i++);
    }
    String condition =
        (fromPending ? "attribute_not_exists(sk)" + (i > 0 ? " OR " : "") : "")
            + (i > 0 ? allowed.toString() : "");
    return Update.builder()
        .tableName(table)
        .key(Items.stageKey(lease.runId(), transition.stage()))
        .updateExpression(expression(set, remove))
        .conditionExpression(condition)
        .expressionAttributeNames(names)
        .expressionAttributeValues(values)
        .build();
  }

  /**
   * The unconditional update a rerun makes of an invalidated stage (allowed from any state, and
   * written in one transaction with the run item, which carries the lease's condition).
   */
  static Update invalidation(String table, Lease lease, StageTransition.Invalidate invalidate) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    List<String> set = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    common(lease, invalidate, names, values, set);
    invalidation(invalidate, set, remove, values);
    return Update.builder()
        .tableName(table)
        .key(Items.stageKey(lease.runId(), invalidate.stage()))
        .updateExpression(expression(set, remove))
        .expressionAttributeNames(names)
        .expressionAttributeValues(values)
        .build();
  }

  /** What every stage move sets: status, epoch, transition id (for read-back), run and stage. */
  private static void common(
      Lease lease,
      StageTransition transition,
      Map<String, String> names,
      Map<String, AttributeValue> values,
      List<String> set) {
    names.put("#status", "status");
    values.put(":to", s(transition.to().name()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":tid", s(transition.transitionId()));
    values.put(":at", n(transition.at().toEpochMilli()));
    values.put(":runId", s(lease.runId()));
    values.put(":stage", s(transition.stage()));
    set.addAll(
        List.of(
            "#status = :to",
            "epoch = :epoch",
            "transitionId = :tid",
            "runId = :runId",
            "stage = :stage"));
  }

  /** What an invalidation sets and removes on a stage item. */
  private static void invalidation(
      StageTransition.Invalidate invalidate,
      List<String> set,
      List<String> remove,
      Map<String, AttributeValue> values) {
    values.put(":table", s(invalidate.outputTable()));
    values.put(":app", s(invalidate.txnAppId()));
    values.put(":txn", n(invalidate.txnVersion()));
    set.addAll(
        List.of(
            "outputTable = :table", "txnAppId = :app", "txnVersion = :txn", "invalidatedAt = :at"));
    remove.addAll(
        List.of(
            "outputVersion",
            "rowsWritten",
            "baseVersion",
            "recovered",
            "skippedDuplicate",
            "errorClass",
            "errorMessage",
            "startedAt",
            "finishedAt",
            "chunkPlan",
            "chunkStarts",
            "chunkDecision",
            Items.TTL));
  }

  /**
   * The update of a chunk item for {@code transition} at the lease's epoch: a start from no item or
   * RUNNING; a commit from RUNNING, or also from no item when recovered.
   */
  static Update chunk(String table, Lease lease, ChunkTransition transition) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":to", s(transition.to().name()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":tid", s(transition.transitionId()));
    values.put(":at", n(transition.at().toEpochMilli()));
    values.put(":runId", s(lease.runId()));
    values.put(":stage", s(transition.stage()));
    values.put(":gen", n(transition.generation()));
    values.put(":index", n(transition.index()));
    values.put(":chunk", s(transition.key()));
    values.put(":zero", n(0));
    values.put(":running", s(ChunkRecord.ChunkStatus.RUNNING.name()));
    List<String> set =
        new ArrayList<>(
            List.of(
                "#status = :to",
                "epoch = :epoch",
                "transitionId = :tid",
                "runId = :runId",
                "stage = :stage",
                "generation = :gen",
                "chunkIndex = :index",
                "chunk = :chunk"));
    List<String> remove = new ArrayList<>();
    String condition;
    if (transition instanceof ChunkTransition.Start) {
      values.put(":one", n(1));
      set.add("executions = if_not_exists(executions, :zero) + :one");
      set.add("startedAt = :at");
      remove.add("finishedAt");
      condition = "attribute_not_exists(sk) OR #status = :running";
    } else {
      ChunkTransition.Commit commit = (ChunkTransition.Commit) transition;
      values.put(":version", n(commit.outputVersion()));
      values.put(":rows", n(commit.rowsWritten()));
      values.put(":recovered", AttributeValue.fromBool(commit.recovered()));
      set.addAll(
          List.of(
              "executions = if_not_exists(executions, :zero)",
              "outputVersion = :version",
              "rowsWritten = :rows",
              "recovered = :recovered",
              "finishedAt = :at"));
      condition =
          commit.recovered()
              ? "attribute_not_exists(sk) OR #status = :running"
              : "#status = :running";
    }
    return Update.builder()
        .tableName(table)
        .key(Items.chunkKey(lease.runId(), transition))
        .updateExpression(expression(set, remove))
        .conditionExpression(condition)
        .expressionAttributeNames(Map.of("#status", "status"))
        .expressionAttributeValues(values)
        .build();
  }

  private static String expression(List<String> set, List<String> remove) {
    return "SET "
        + String.join(", ", set)
        + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
  }
}
