package dev.cairn.internal.store;

import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The checkpoint store in one DynamoDB table (single-table design).
 *
 * <p>Items: the run at {@code pk = run#<runId>, sk = run}; each stage at {@code sk = stage#<name>};
 * each event of the run's history at {@code sk = event#<epoch millis>#<event id>}. A global
 * secondary index {@code runs-by-update} ({@code gpk = "run"}, {@code updatedAt}) lists runs newest
 * first.
 *
 * <p>Every stage transition is one TransactWriteItems: a ConditionCheck that the run is still at
 * the writer's epoch and held by it, the conditional update of the stage item, and the put of the
 * event that tells it in the run's history. The transition's id is the request's
 * ClientRequestToken, so the SDK's own retries are idempotent, and it is written on the item, so a
 * write whose outcome is unknown is read back and decided.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {
  static final String RUNS_INDEX = "runs-by-update";
  private static final String RUN_SK = "run";
  private static final String STAGE_PREFIX = "stage#";
  private static final String EVENT_PREFIX = "event#";

  private final DynamoDbClient dynamo;
  private final String table;

  public DynamoDbCheckpointStore(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  /**
   * Creates the checkpoint table (on-demand billing) if it does not exist and waits until it is
   * active. Safe to call from several processes at once.
   */
  public void createTableIfAbsent() {
    try {
      createIfAbsent();
    } catch (SdkException failed) {
      throw new StoreUnavailableException(
          "cannot reach or create checkpoint table "
              + table
              + " ("
              + failed.getMessage()
              + "). Fix: check AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and the credentials (AWS_PROFILE"
              + " or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), and that they allow DescribeTable and"
              + " CreateTable on it",
          failed);
    }
  }

  private void createIfAbsent() {
    try {
      dynamo.describeTable(r -> r.tableName(table));
      return;
    } catch (ResourceNotFoundException absent) {
      // create below
    }
    try {
      dynamo.createTable(
          r ->
              r.tableName(table)
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(
                      attribute("pk", ScalarAttributeType.S),
                      attribute("sk", ScalarAttributeType.S),
                      attribute("gpk", ScalarAttributeType.S),
                      attribute("updatedAt", ScalarAttributeType.N))
                  .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                  .globalSecondaryIndexes(
                      GlobalSecondaryIndex.builder()
                          .indexName(RUNS_INDEX)
                          .keySchema(key("gpk", KeyType.HASH), key("updatedAt", KeyType.RANGE))
                          .projection(
                              Projection.builder().projectionType(ProjectionType.ALL).build())
                          .build()));
    } catch (ResourceInUseException createdConcurrently) {
      // another driver created it between our describe and create
    }
    dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
  }

  @Override
  public RunRecord openRun(NewRun run) {
    Map<String, AttributeValue> item = new HashMap<>(runKey(run.runId()));
    item.put("gpk", s(RUN_SK));
    item.put("runId", s(run.runId()));
    item.put("job", s(run.job()));
    item.put("runKey", s(run.runKey()));
    Map<String, AttributeValue> params = new HashMap<>();
    run.parameters().forEach((k, v) -> params.put(k, s(v)));
    item.put("parameters", AttributeValue.fromM(params));
    item.put("parametersHash", s(run.parametersHash()));
    item.put("codeVersion", s(run.codeVersion()));
    item.put("status", s(RunStatus.RUNNING.name()));
    item.put("epoch", n(0));
    item.put("leaseExpiresAt", n(0));
    item.put("createdAt", n(run.createdAt().toEpochMilli()));
    item.put("updatedAt", n(run.createdAt().toEpochMilli()));
    try {
      dynamo.putItem(
          r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
    } catch (ConditionalCheckFailedException exists) {
      // the run exists: resume it
    } catch (SdkException unknown) {
      // whether it landed or not, reading it back below decides
    }
    return findRun(run.runId())
        .orElseThrow(
            () ->
                new StoreUnavailableException(
                    "could not create run "
                        + run.runId()
                        + " in checkpoint table "
                        + table
                        + ": the write did not land. Fix: check the table is reachable, then run"
                        + " the same command again",
                    null));
  }

  @Override
  public Optional<RunRecord> findRun(String runId) {
    Map<String, AttributeValue> item =
        read(
                "run " + runId,
                () ->
                    dynamo.getItem(r -> r.tableName(table).key(runKey(runId)).consistentRead(true)))
            .item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toRun(item));
  }

  @Override
  public List<RunRecord> listRuns(int limit) {
    List<RunRecord> runs = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          read(
              "the list of runs",
              () ->
                  dynamo.query(
                      QueryRequest.builder()
                          .tableName(table)
                          .indexName(RUNS_INDEX)
                          .keyConditionExpression("gpk = :run")
                          .expressionAttributeValues(Map.of(":run", s(RUN_SK)))
                          .scanIndexForward(false)
                          .limit(Math.min(limit, 100))
                          .exclusiveStartKey(from)
                          .build()));
      page.items().forEach(item -> runs.add(toRun(item)));
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty() && runs.size() < limit);
    return runs.size() > limit ? runs.subList(0, limit) : runs;
  }

  @Override
  public List<StageRecord> stages(String runId) {
    List<StageRecord> stages = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          read(
              "the stages of run " + runId,
              () ->
                  dynamo.query(
                      QueryRequest.builder()
                          .tableName(table)
                          .keyConditionExpression("pk = :pk AND begins_with(sk, :stage)")
                          .expressionAttributeValues(
                              Map.of(":pk", s(pk(runId)), ":stage", s(STAGE_PREFIX)))
                          .consistentRead(true)
                          .exclusiveStartKey(from)
                          .build()));
      page.items().forEach(item -> stages.add(toStage(item)));
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty());
    return stages;
  }

  @Override
  public Optional<Lease> tryAcquireLease(
      String runId, LeaseHolder holder, Instant now, Duration ttl, String deadHolderId) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":one", n(1));
    values.put(":me", s(holder.id()));
    values.put(":host", s(holder.host()));
    values.put(":pid", n(holder.pid()));
    values.put(":pstart", n(holder.processStart().toEpochMilli()));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":exp", n(now.plus(ttl).toEpochMilli()));
    values.put(":running", s(RunStatus.RUNNING.name()));
    values.put(":dead", s(deadHolderId == null ? "-" : deadHolderId));
    try {
      Map<String, AttributeValue> after =
          dynamo
              .updateItem(
                  r ->
                      r.tableName(table)
                          .key(runKey(runId))
                          .updateExpression(
                              "SET epoch = epoch + :one, leaseOwner = :me, leaseHost = :host,"
                                  + " leasePid = :pid, leaseProcessStart = :pstart,"
                                  + " leaseSince = :now, leaseExpiresAt = :exp, #status = :running,"
                                  + " updatedAt = :now REMOVE reason")
                          .conditionExpression(
                              "attribute_exists(pk) AND (attribute_not_exists(leaseOwner)"
                                  + " OR leaseExpiresAt < :now OR leaseOwner = :me"
                                  + " OR leaseOwner = :dead)")
                          .expressionAttributeNames(Map.of("#status", "status"))
                          .expressionAttributeValues(values)
                          .returnValues(ReturnValue.ALL_NEW))
              .attributes();
      return Optional.of(new Lease(runId, num(after, "epoch"), holder));
    } catch (ConditionalCheckFailedException held) {
      return Optional.empty();
    } catch (SdkException unknown) {
      RunRecord run = readBack("taking the lease of run " + runId, unknown, () -> findRun(runId));
      if (run != null && run.holder().map(h -> h.id().equals(holder.id())).orElse(false)) {
        return Optional.of(new Lease(runId, run.epoch(), holder));
      }
      if (run != null && run.isHeldAt(now)) {
        return Optional.empty();
      }
      // Not ours and not held by anyone: the write did not land, the store is the problem.
      throw notLanded("taking the lease of run " + runId, unknown);
    }
  }

  @Override
  public void renewLease(Lease lease, Instant now, Duration ttl) {
    try {
      dynamo.updateItem(
          r ->
              r.tableName(table)
                  .key(runKey(lease.runId()))
                  .updateExpression("SET leaseExpiresAt = :exp")
                  .conditionExpression("epoch = :epoch AND leaseOwner = :me")
                  .expressionAttributeValues(
                      Map.of(
                          ":exp", n(now.plus(ttl).toEpochMilli()),
                          ":epoch", n(lease.epoch()),
                          ":me", s(lease.holder().id()))));
    } catch (ConditionalCheckFailedException lost) {
      throw fenced(lease, "renewing its lease");
    } catch (SdkException unknown) {
      RunRecord run =
          readBack(
              "renewing the lease of run " + lease.runId(), unknown, () -> findRun(lease.runId()));
      if (run == null || !stillHolds(run, lease)) {
        throw fenced(lease, "renewing its lease");
      }
      // still ours: the next heartbeat extends it
    }
  }

  @Override
  public void transition(Lease lease, StageTransition transition) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#status", "status");
    names.put("#metrics", "metrics"); // a reserved word
    values.put(":to", s(transition.to().name()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":tid", s(transition.transitionId()));
    values.put(":at", n(transition.at().toEpochMilli()));
    values.put(":runId", s(lease.runId()));
    values.put(":stage", s(transition.stage()));
    List<String> set =
        new ArrayList<>(
            List.of(
                "#status = :to",
                "epoch = :epoch",
                "transitionId = :tid",
                "runId = :runId",
                "stage = :stage"));
    List<String> remove = new ArrayList<>();
    if (transition instanceof StageTransition.Start start) {
      values.put(":zero", n(0));
      values.put(":one", n(1));
      values.put(":table", s(start.outputTable()));
      values.put(":app", s(start.txnAppId()));
      values.put(":txn", n(start.txnVersion()));
      values.put(":base", n(start.baseVersion()));
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
      values.put(":false", AttributeValue.fromBool(false));
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
      values.put(":checks", checksValue(commit.checks()));
      values.put(":metrics", metricsValue(commit.metrics()));
      set.add("checks = :checks");
      set.add("#metrics = :metrics");
      set.addAll(
          List.of(
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
    } else if (transition instanceof StageTransition.Fail fail) {
      values.put(":errorClass", s(fail.errorClass()));
      values.put(":errorMessage", s(truncate(fail.errorMessage(), 4000)));
      values.put(":checks", checksValue(fail.checks()));
      set.add("checks = :checks");
      remove.add("#metrics");
      set.addAll(
          List.of("errorClass = :errorClass", "errorMessage = :errorMessage", "finishedAt = :at"));
    }
    StringJoiner allowed = new StringJoiner(", ", "#status IN (", ")");
    boolean fromPending = false;
    int i = 0;
    for (StageStatus from : transition.allowedFrom()) {
      if (from == StageStatus.PENDING) {
        fromPending = true;
        continue;
      }
      values.put(":from" + i, s(from.name()));
      allowed.add(":from" + i++);
    }
    String condition =
        (fromPending ? "attribute_not_exists(sk)" + (i > 0 ? " OR " : "") : "")
            + (i > 0 ? allowed.toString() : "");
    String update =
        "SET "
            + String.join(", ", set)
            + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));

    TransactWriteItem guard =
        TransactWriteItem.builder()
            .conditionCheck(
                ConditionCheck.builder()
                    .tableName(table)
                    .key(runKey(lease.runId()))
                    .conditionExpression("epoch = :epoch AND leaseOwner = :me")
                    .expressionAttributeValues(
                        Map.of(":epoch", n(lease.epoch()), ":me", s(lease.holder().id())))
                    .build())
            .build();
    TransactWriteItem move =
        TransactWriteItem.builder()
            .update(
                Update.builder()
                    .tableName(table)
                    .key(stageKey(lease.runId(), transition.stage()))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .build())
            .build();
    TransactWriteItem tell =
        TransactWriteItem.builder()
            .put(
                Put.builder()
                    .tableName(table)
                    .item(eventItem(RunEvent.of(lease, transition)))
                    .build())
            .build();
    try {
      dynamo.transactWriteItems(
          r -> r.transactItems(guard, move, tell).clientRequestToken(transition.transitionId()));
    } catch (TransactionCanceledException cancelled) {
      List<CancellationReason> reasons = cancelled.cancellationReasons();
      if (isConditionFailure(reasons, 0)) {
        throw fenced(lease, "moving stage " + transition.stage() + " to " + transition.to());
      }
      if (isConditionFailure(reasons, 1)) {
        StageRecord current = stage(lease.runId(), transition.stage()).orElse(null);
        throw IllegalTransitionException.refused(
            lease.runId(), transition, current == null ? StageStatus.PENDING : current.status());
      }
      decideByReadBack(lease, transition, cancelled);
    } catch (SdkException unknown) {
      decideByReadBack(lease, transition, unknown);
    }
  }

  @Override
  public boolean breakLease(
      String runId, long expectedEpoch, BreakMode mode, Instant now, String reason) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":one", n(1));
    values.put(":epoch", n(expectedEpoch));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":status", s(RunStatus.INTERRUPTED.name()));
    values.put(":reason", s(truncate(reason, 4000)));
    String condition =
        "epoch = :epoch AND attribute_exists(leaseOwner)"
            + (mode == BreakMode.IF_EXPIRED ? " AND leaseExpiresAt < :now" : "");
    try {
      dynamo.updateItem(
          r ->
              r.tableName(table)
                  .key(runKey(runId))
                  .updateExpression(
                      "SET epoch = epoch + :one, #status = :status, reason = :reason,"
                          + " updatedAt = :now, leaseExpiresAt = :now"
                          + " REMOVE leaseOwner, leaseHost, leasePid, leaseProcessStart, leaseSince")
                  .conditionExpression(condition)
                  .expressionAttributeNames(Map.of("#status", "status"))
                  .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException refused) {
      return false;
    } catch (SdkException unknown) {
      RunRecord run = readBack("breaking the lease of run " + runId, unknown, () -> findRun(runId));
      if (run != null && run.epoch() == expectedEpoch + 1 && run.holder().isEmpty()) {
        return true;
      }
      throw notLanded("breaking the lease of run " + runId, unknown);
    }
  }

  @Override
  public void recordEvent(RunEvent event) {
    try {
      dynamo.putItem(r -> r.tableName(table).item(eventItem(event)));
    } catch (SdkException failed) {
      // A put of the same item is idempotent: the SDK's retries cannot duplicate it.
      throw notLanded("recording event " + event.type() + " of run " + event.runId(), failed);
    }
  }

  @Override
  public List<RunEvent> events(String runId) {
    List<RunEvent> events = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          read(
              "the events of run " + runId,
              () ->
                  dynamo.query(
                      QueryRequest.builder()
                          .tableName(table)
                          .keyConditionExpression("pk = :pk AND begins_with(sk, :event)")
                          .expressionAttributeValues(
                              Map.of(":pk", s(pk(runId)), ":event", s(EVENT_PREFIX)))
                          .consistentRead(true)
                          .exclusiveStartKey(from)
                          .build()));
      page.items().forEach(item -> events.add(toEvent(item)));
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty());
    return events;
  }

  private static Map<String, AttributeValue> eventItem(RunEvent event) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", s(pk(event.runId())));
    item.put(
        "sk",
        s(EVENT_PREFIX + String.format("%013d", event.at().toEpochMilli()) + "#" + event.id()));
    item.put("runId", s(event.runId()));
    item.put("at", n(event.at().toEpochMilli()));
    item.put("eventId", s(event.id()));
    item.put("type", s(event.type().name()));
    event.stage().ifPresent(stage -> item.put("stage", s(stage)));
    item.put("attempt", n(event.attempt()));
    item.put("epoch", n(event.epoch()));
    event.errorClass().ifPresent(c -> item.put("errorClass", s(c)));
    item.put("message", s(truncate(event.message(), 4000)));
    return item;
  }

  private static RunEvent toEvent(Map<String, AttributeValue> item) {
    return new RunEvent(
        str(item, "runId"),
        Instant.ofEpochMilli(num(item, "at")),
        str(item, "eventId"),
        RunEvent.Type.valueOf(str(item, "type")),
        Optional.ofNullable(item.get("stage")).map(AttributeValue::s),
        (int) num(item, "attempt"),
        num(item, "epoch"),
        Optional.ofNullable(item.get("errorClass")).map(AttributeValue::s),
        str(item, "message"));
  }

  @Override
  public void finishRun(Lease lease, RunStatus status, String reason, Instant now) {
    try {
      dynamo.updateItem(
          r ->
              r.tableName(table)
                  .key(runKey(lease.runId()))
                  .updateExpression(
                      "SET #status = :status, reason = :reason, updatedAt = :now,"
                          + " leaseExpiresAt = :now"
                          + " REMOVE leaseOwner, leaseHost, leasePid, leaseProcessStart, leaseSince")
                  .conditionExpression("epoch = :epoch AND leaseOwner = :me")
                  .expressionAttributeNames(Map.of("#status", "status"))
                  .expressionAttributeValues(
                      Map.of(
                          ":status", s(status.name()),
                          ":reason", s(reason == null ? "" : truncate(reason, 4000)),
                          ":now", n(now.toEpochMilli()),
                          ":epoch", n(lease.epoch()),
                          ":me", s(lease.holder().id()))));
    } catch (ConditionalCheckFailedException refused) {
      // Refused because another driver took the run, or because this is the SDK's retry of this
      // very write, which landed before its response was lost (it released the lease, so the
      // condition no longer holds). The run item tells which.
      RunRecord run =
          readBack("finishing run " + lease.runId(), refused, () -> findRun(lease.runId()));
      if (!finishedAt(run, lease, status)) {
        throw fenced(lease, "finishing the run as " + status);
      }
    } catch (SdkException unknown) {
      RunRecord run =
          readBack("finishing run " + lease.runId(), unknown, () -> findRun(lease.runId()));
      if (!finishedAt(run, lease, status)) {
        throw notLanded("finishing run " + lease.runId() + " as " + status, unknown);
      }
    }
  }

  /** Whether {@code run} shows this lease's finish as {@code status} landed. */
  private static boolean finishedAt(RunRecord run, Lease lease, RunStatus status) {
    return run != null
        && run.epoch() == lease.epoch()
        && run.status() == status
        && run.holder().isEmpty();
  }

  @Override
  public void close() {
    dynamo.close();
  }

  private void decideByReadBack(Lease lease, StageTransition transition, SdkException cause) {
    String what = transition.describe(lease.runId());
    StageRecord after = readBack(what, cause, () -> stage(lease.runId(), transition.stage()));
    boolean landed =
        after != null
            && after.transitionId().equals(transition.transitionId())
            && after.status() == transition.to();
    if (!landed) {
      throw notLanded(what, cause);
    }
  }

  private Optional<StageRecord> stage(String runId, String stage) {
    Map<String, AttributeValue> item =
        dynamo
            .getItem(r -> r.tableName(table).key(stageKey(runId, stage)).consistentRead(true))
            .item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toStage(item));
  }

  /** Reads back after a write of unknown outcome; null when the thing read is absent. */
  private <T> T readBack(String what, SdkException writeFailure, Supplier<Optional<T>> read) {
    try {
      return read.get().orElse(null);
    } catch (SdkException readFailure) {
      readFailure.addSuppressed(writeFailure);
      throw new StateUnknownException(
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
  }

  private StoreUnavailableException notLanded(String what, SdkException cause) {
    return new StoreUnavailableException(
        what
            + " failed after the client's retries and did not land in checkpoint table "
            + table
            + " ("
            + cause.getMessage()
            + "). Fix: check DynamoDB is reachable and not throttled, then resume the run",
        cause);
  }

  private RunHeldException fenced(Lease lease, String what) {
    Optional<RunRecord> current;
    try {
      current = findRun(lease.runId());
    } catch (RuntimeException unreadable) {
      current = Optional.empty(); // the message says less, the outcome is the same
    }
    return lease.lost(what, current);
  }

  private static boolean stillHolds(RunRecord run, Lease lease) {
    return run.epoch() == lease.epoch()
        && run.holder().map(h -> h.id().equals(lease.holder().id())).orElse(false);
  }

  private static boolean isConditionFailure(List<CancellationReason> reasons, int index) {
    return reasons != null
        && reasons.size() > index
        && "ConditionalCheckFailed".equals(reasons.get(index).code());
  }

  private <T> T read(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (ResourceNotFoundException missing) {
      throw new StoreUnavailableException(
          "checkpoint table "
              + table
              + " does not exist (reading "
              + what
              + "). Fix: check CAIRN_CHECKPOINT_TABLE and AWS_REGION, or create it with `cairn"
              + " run` once",
          missing);
    } catch (SdkException failed) {
      throw new StoreUnavailableException(
          "could not read "
              + what
              + " from checkpoint table "
              + table
              + " ("
              + failed.getMessage()
              + "). Fix: check the table is reachable (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,"
              + " credentials) and try again",
          failed);
    }
  }

  private RunRecord toRun(Map<String, AttributeValue> item) {
    Map<String, String> params = new LinkedHashMap<>();
    AttributeValue p = item.get("parameters");
    if (p != null && p.hasM()) {
      p.m().forEach((k, v) -> params.put(k, v.s()));
    }
    Optional<LeaseHolder> holder =
        item.containsKey("leaseOwner")
            ? Optional.of(
                new LeaseHolder(
                    str(item, "leaseOwner"),
                    str(item, "leaseHost"),
                    num(item, "leasePid"),
                    Instant.ofEpochMilli(num(item, "leaseProcessStart"))))
            : Optional.empty();
    return new RunRecord(
        str(item, "runId"),
        str(item, "job"),
        str(item, "runKey"),
        params,
        str(item, "parametersHash"),
        str(item, "codeVersion"),
        RunStatus.valueOf(str(item, "status")),
        num(item, "epoch"),
        holder,
        Instant.ofEpochMilli(num(item, "leaseExpiresAt")),
        Instant.ofEpochMilli(num(item, "leaseSince")),
        Instant.ofEpochMilli(num(item, "createdAt")),
        Instant.ofEpochMilli(num(item, "updatedAt")),
        str(item, "reason"));
  }

  private static StageRecord toStage(Map<String, AttributeValue> item) {
    return new StageRecord(
        str(item, "runId"),
        str(item, "stage"),
        StageStatus.valueOf(str(item, "status")),
        (int) num(item, "attempts"),
        str(item, "outputTable"),
        str(item, "txnAppId"),
        num(item, "txnVersion"),
        numOr(item, "baseVersion", -1),
        numOr(item, "outputVersion", -1),
        numOr(item, "rowsWritten", -1),
        bool(item, "recovered"),
        bool(item, "skippedDuplicate"),
        num(item, "epoch"),
        str(item, "transitionId"),
        instant(item, "startedAt"),
        instant(item, "finishedAt"),
        Optional.ofNullable(item.get("errorClass")).map(AttributeValue::s),
        Optional.ofNullable(item.get("errorMessage")).map(AttributeValue::s),
        checks(item.get("checks")),
        metrics(item.get("metrics")));
  }

  private static AttributeValue metricsValue(StageMetrics m) {
    Map<String, AttributeValue> map = new HashMap<>();
    map.put("durationMs", n(m.durationMs()));
    map.put("recordsRead", n(m.recordsRead()));
    map.put("bytesRead", n(m.bytesRead()));
    map.put("recordsWritten", n(m.recordsWritten()));
    map.put("bytesWritten", n(m.bytesWritten()));
    map.put("shuffleBytes", n(m.shuffleBytes()));
    map.put("spillBytes", n(m.spillBytes()));
    map.put("failedTasks", n(m.failedTasks()));
    map.put("executorsLost", n(m.executorsLost()));
    return AttributeValue.fromM(map);
  }

  private static StageMetrics metrics(AttributeValue value) {
    if (value == null || !value.hasM()) {
      return StageMetrics.NONE;
    }
    Map<String, AttributeValue> m = value.m();
    return new StageMetrics(
        numOr(m, "durationMs", -1),
        numOr(m, "recordsRead", -1),
        numOr(m, "bytesRead", -1),
        numOr(m, "recordsWritten", -1),
        numOr(m, "bytesWritten", -1),
        numOr(m, "shuffleBytes", -1),
        numOr(m, "spillBytes", -1),
        numOr(m, "failedTasks", -1),
        numOr(m, "executorsLost", -1));
  }

  private static AttributeValue checksValue(List<CheckResult> checks) {
    List<AttributeValue> list = new ArrayList<>();
    for (CheckResult check : checks) {
      list.add(
          AttributeValue.fromM(
              Map.of(
                  "check", s(truncate(check.check(), 400)),
                  "passed", AttributeValue.fromBool(check.passed()),
                  "detail", s(truncate(check.detail(), 1000)))));
    }
    return AttributeValue.fromL(list);
  }

  private static List<CheckResult> checks(AttributeValue value) {
    if (value == null || !value.hasL()) {
      return List.of();
    }
    List<CheckResult> checks = new ArrayList<>();
    for (AttributeValue v : value.l()) {
      Map<String, AttributeValue> m = v.m();
      checks.add(new CheckResult(str(m, "check"), bool(m, "passed"), str(m, "detail")));
    }
    return checks;
  }

  private static Map<String, AttributeValue> runKey(String runId) {
    return Map.of("pk", s(pk(runId)), "sk", s(RUN_SK));
  }

  private static Map<String, AttributeValue> stageKey(String runId, String stage) {
    return Map.of("pk", s(pk(runId)), "sk", s(STAGE_PREFIX + stage));
  }

  private static String pk(String runId) {
    return "run#" + runId;
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  private static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }

  private static String str(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.s() == null ? "" : v.s();
  }

  private static long num(Map<String, AttributeValue> item, String name) {
    return numOr(item, name, 0);
  }

  private static long numOr(Map<String, AttributeValue> item, String name, long absent) {
    AttributeValue v = item.get(name);
    return v == null || v.n() == null ? absent : Long.parseLong(v.n());
  }

  private static boolean bool(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v != null && Boolean.TRUE.equals(v.bool());
  }

  private static Optional<Instant> instant(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.n() == null
        ? Optional.empty()
        : Optional.of(Instant.ofEpochMilli(Long.parseLong(v.n())));
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }
}
