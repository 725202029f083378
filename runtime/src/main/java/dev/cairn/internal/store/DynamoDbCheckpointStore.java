package dev.cairn.internal.store;

import dev.cairn.CairnException;
import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.BillingModeSummary;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputDescription;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
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
 * <p>A run that succeeds gets {@code expiresAt} (epoch seconds: finish + retention) on every item
 * of it, in the same transaction that marks it SUCCEEDED, so DynamoDB's TTL deletes all of it and a
 * run item never outlives its stages or the other way round; a rerun removes it again, atomically
 * with the invalidation. FAILED and INTERRUPTED runs never expire: they are work still to do.
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
  private static final String CHUNK_PREFIX = "chunk#";
  private static final String TTL = TableSetup.TTL_ATTRIBUTE;
  // A transaction holds 100 items; the rest of the batch is what one write may add around them.
  private static final int TRANSACTION_ITEMS = 100;
  private static final Duration INDEX_TIMEOUT = Duration.ofMinutes(30);

  private final DynamoDbClient dynamo;
  private final String table;
  private final Duration retention;

  /** A store keeping succeeded runs for 90 days. */
  public DynamoDbCheckpointStore(DynamoDbClient dynamo, String table) {
    this(dynamo, table, Duration.ofDays(90));
  }

  /**
   * @param retention how long after it succeeds a run's items are kept before DynamoDB's TTL may
   *     delete them
   */
  public DynamoDbCheckpointStore(DynamoDbClient dynamo, String table, Duration retention) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention " + retention + " must be positive");
    }
    this.dynamo = dynamo;
    this.table = table;
    this.retention = retention;
  }

  /**
   * Creates the checkpoint table if it does not exist (on-demand billing, the runs index, TTL on
   * {@code expiresAt}) and waits until it is active. What every driver does first; an existing
   * table is only described, so a driver needs no permission beyond DescribeTable. Safe to call
   * from several processes at once.
   */
  public void createTableIfAbsent() {
    try {
      if (describe().isEmpty()) {
        create();
      }
    } catch (SdkException failed) {
      throw unreachable("DescribeTable, CreateTable and UpdateTimeToLive", failed);
    }
  }

  /**
   * {@code cairn init}: creates the table as {@link #createTableIfAbsent()} does, or checks an
   * existing one and completes it: adds the runs index if it is missing and enables TTL on {@code
   * expiresAt} if it is off. Idempotent.
   *
   * @throws CairnException when the table exists but cannot be a checkpoint table (another key
   *     schema) or TTL is set on another attribute; the message says the fix
   */
  public TableSetup initialize() {
    try {
      Optional<TableDescription> existing = describe();
      if (existing.isEmpty()) {
        create();
        return new TableSetup(table, true, "on-demand billing", true, true, retention);
      }
      TableDescription found = existing.get();
      checkKeySchema(found);
      boolean indexCreated = false;
      if (found.globalSecondaryIndexes().stream()
          .noneMatch(i -> i.indexName().equals(RUNS_INDEX))) {
        addRunsIndex(found);
        indexCreated = true;
      }
      boolean ttlEnabled = enableTtl();
      return new TableSetup(table, false, billing(found), indexCreated, ttlEnabled, retention);
    } catch (SdkException failed) {
      throw unreachable(
          "DescribeTable, CreateTable, UpdateTable, DescribeTimeToLive and UpdateTimeToLive",
          failed);
    }
  }

  private Optional<TableDescription> describe() {
    try {
      return Optional.of(dynamo.describeTable(r -> r.tableName(table)).table());
    } catch (ResourceNotFoundException absent) {
      return Optional.empty();
    }
  }

  private void create() {
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
                  .globalSecondaryIndexes(runsIndex()));
    } catch (ResourceInUseException createdConcurrently) {
      // another driver created it between our describe and create
    }
    dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
    enableTtl();
  }

  private static GlobalSecondaryIndex runsIndex() {
    return GlobalSecondaryIndex.builder()
        .indexName(RUNS_INDEX)
        .keySchema(key("gpk", KeyType.HASH), key("updatedAt", KeyType.RANGE))
        .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
        .build();
  }

  /** Enables TTL on {@code expiresAt}; false when it already was (enabling twice is refused). */
  private boolean enableTtl() {
    TimeToLiveDescription ttl =
        dynamo.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
    TimeToLiveStatus status = ttl == null ? null : ttl.timeToLiveStatus();
    String attribute = ttl == null ? null : ttl.attributeName();
    if (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING) {
      if (TTL.equals(attribute)) {
        return false;
      }
      throw new CairnException(
          "checkpoint table "
              + table
              + " has TTL on attribute '"
              + attribute
              + "', but Cairn expires finished runs with '"
              + TTL
              + "' (a table has one TTL attribute). Fix: give Cairn a table of its own"
              + " (CAIRN_CHECKPOINT_TABLE), or disable TTL on '"
              + attribute
              + "' (aws dynamodb update-time-to-live --table-name "
              + table
              + " --time-to-live-specification Enabled=false,AttributeName="
              + attribute
              + ") and run `cairn init` again");
    }
    if (status == TimeToLiveStatus.DISABLING) {
      throw new CairnException(
          "TTL on checkpoint table "
              + table
              + " is being disabled, and DynamoDB refuses to enable it until that is done. Fix:"
              + " run `cairn init` again in an hour");
    }
    try {
      dynamo.updateTimeToLive(
          r ->
              r.tableName(table)
                  .timeToLiveSpecification(
                      TimeToLiveSpecification.builder().enabled(true).attributeName(TTL).build()));
    } catch (DynamoDbException refused) {
      // Another process enabling it at the same moment makes this one's request fail.
      TimeToLiveDescription now =
          dynamo.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
      if (now == null || !TTL.equals(now.attributeName())) {
        throw refused;
      }
    }
    return true;
  }

  private void checkKeySchema(TableDescription found) {
    Map<String, KeyType> keys = new HashMap<>();
    found.keySchema().forEach(k -> keys.put(k.attributeName(), k.keyType()));
    if (!keys.equals(Map.of("pk", KeyType.HASH, "sk", KeyType.RANGE))) {
      throw new CairnException(
          "table "
              + table
              + " exists but is not a Cairn checkpoint table: its key is "
              + keys
              + ", expected {pk=HASH, sk=RANGE}. Fix: set CAIRN_CHECKPOINT_TABLE to another name"
              + " and run `cairn init` to create it");
    }
  }

  private void addRunsIndex(TableDescription found) {
    GlobalSecondaryIndex index = runsIndex();
    CreateGlobalSecondaryIndexAction.Builder create =
        CreateGlobalSecondaryIndexAction.builder()
            .indexName(index.indexName())
            .keySchema(index.keySchema())
            .projection(index.projection());
    if (found.provisionedThroughput() != null
        && found.provisionedThroughput().readCapacityUnits() != null
        && found.provisionedThroughput().readCapacityUnits() > 0) {
      create.provisionedThroughput(
          ProvisionedThroughput.builder()
              .readCapacityUnits(found.provisionedThroughput().readCapacityUnits())
              .writeCapacityUnits(found.provisionedThroughput().writeCapacityUnits())
              .build());
    }
    dynamo.updateTable(
        r ->
            r.tableName(table)
                .attributeDefinitions(
                    attribute("gpk", ScalarAttributeType.S),
                    attribute("updatedAt", ScalarAttributeType.N))
                .globalSecondaryIndexUpdates(
                    GlobalSecondaryIndexUpdate.builder().create(create.build()).build()));
    // The table turns ACTIVE before a new index has backfilled: wait for the index itself.
    Instant deadline = Instant.now().plus(INDEX_TIMEOUT);
    while (true) {
      boolean active =
          describe().orElseThrow().globalSecondaryIndexes().stream()
              .anyMatch(
                  i -> i.indexName().equals(RUNS_INDEX) && i.indexStatus() == IndexStatus.ACTIVE);
      if (active) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new CairnException(
            "index "
                + RUNS_INDEX
                + " of checkpoint table "
                + table
                + " is still being built after "
                + INDEX_TIMEOUT.toMinutes()
                + " minutes. Fix: run `cairn init` again later; it waits for it");
      }
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new CairnException(
            "interrupted while waiting for index "
                + RUNS_INDEX
                + " of checkpoint table "
                + table
                + " to be built. Fix: run `cairn init` again; it waits for it",
            interrupted);
      }
    }
  }

  private static String billing(TableDescription found) {
    BillingModeSummary summary = found.billingModeSummary();
    if (summary != null && summary.billingMode() == BillingMode.PAY_PER_REQUEST) {
      return "on-demand billing";
    }
    ProvisionedThroughputDescription capacity = found.provisionedThroughput();
    if (capacity != null
        && capacity.readCapacityUnits() != null
        && capacity.readCapacityUnits() > 0) {
      return "provisioned billing, "
          + capacity.readCapacityUnits()
          + " read and "
          + capacity.writeCapacityUnits()
          + " write units";
    }
    return "on-demand billing";
  }

  private StoreUnavailableException unreachable(String actions, SdkException failed) {
    return new StoreUnavailableException(
        "cannot reach or create checkpoint table "
            + table
            + " ("
            + failed.getMessage()
            + "). Fix: check AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and the credentials (AWS_PROFILE"
            + " or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), and that they allow "
            + actions
            + " on it",
        failed);
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
    return queryRun("the stages of run " + runId, runId, STAGE_PREFIX, null).stream()
        .map(DynamoDbCheckpointStore::toStage)
        .toList();
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
    } else if (transition instanceof StageTransition.Invalidate invalidate) {
      invalidation(invalidate, set, remove, values);
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
      // PENDING is "no item yet", or an item a rerun invalidated.
      fromPending |= from == StageStatus.PENDING;
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

    TransactWriteItem guard = leaseGuard(lease);
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
    for (int attempt = 1; ; attempt++) {
      try {
        dynamo.transactWriteItems(
            r -> r.transactItems(guard, move, tell).clientRequestToken(transition.transitionId()));
        return;
      } catch (TransactionCanceledException cancelled) {
        // Another request wrote the run item at the same moment (the heartbeat renewing the
        // lease): nothing was applied, and the SDK does not retry it. Try again, twice at most.
        if (attempt < 3 && isConflictOnly(cancelled.cancellationReasons())) {
          continue;
        }
        refusedOrUnknown(lease, transition, cancelled);
        return;
      } catch (SdkException unknown) {
        decideByReadBack(lease, transition, unknown);
        return;
      }
    }
  }

  @Override
  public List<String> planChunks(Lease lease, String stage, long generation, List<String> chunks) {
    ChunkPlans.check(stage, chunks);
    String what = "freezing the chunk plan of stage " + stage + " of run " + lease.runId();
    TransactWriteItem plan =
        TransactWriteItem.builder()
            .update(
                Update.builder()
                    .tableName(table)
                    .key(stageKey(lease.runId(), stage))
                    .updateExpression("SET chunkPlan = :plan")
                    .conditionExpression(
                        "#status = :running AND txnVersion = :gen AND attribute_not_exists(chunkPlan)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(
                        Map.of(
                            ":plan",
                            AttributeValue.fromL(
                                chunks.stream().map(DynamoDbCheckpointStore::s).toList()),
                            ":running",
                            s(StageStatus.RUNNING.name()),
                            ":gen",
                            n(generation)))
                    .build())
            .build();
    String token = UUID.randomUUID().toString();
    for (int attempt = 1; ; attempt++) {
      try {
        dynamo.transactWriteItems(
            r -> r.transactItems(leaseGuard(lease), plan).clientRequestToken(token));
        return List.copyOf(chunks);
      } catch (TransactionCanceledException cancelled) {
        if (attempt < 3 && isConflictOnly(cancelled.cancellationReasons())) {
          continue;
        }
        if (isConditionFailure(cancelled.cancellationReasons(), 0)) {
          throw fenced(lease, what);
        }
        StageRecord current = readBack(what, cancelled, () -> stage(lease.runId(), stage));
        if (current != null && current.txnVersion() == generation && current.chunked()) {
          return current.chunkPlan(); // planned before: that plan stands
        }
        if (isConditionFailure(cancelled.cancellationReasons(), 1)) {
          throw IllegalTransitionException.notPlannable(lease.runId(), stage, generation, current);
        }
        throw notLanded(what, cancelled);
      } catch (SdkException unknown) {
        StageRecord after = readBack(what, unknown, () -> stage(lease.runId(), stage));
        if (after != null && after.txnVersion() == generation && after.chunked()) {
          return after.chunkPlan();
        }
        throw notLanded(what, unknown);
      }
    }
  }

  @Override
  public List<ChunkRecord> chunks(String runId, String stage, long generation) {
    return queryRun(
            "the chunks of stage " + stage + " of run " + runId,
            runId,
            chunkPrefix(stage, generation),
            null)
        .stream()
        .map(DynamoDbCheckpointStore::toChunk)
        .sorted(java.util.Comparator.comparingInt(ChunkRecord::index))
        .toList();
  }

  @Override
  public void transition(Lease lease, ChunkTransition transition) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#status", "status");
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
    String remove = "";
    String condition;
    if (transition instanceof ChunkTransition.Start) {
      values.put(":one", n(1));
      set.add("executions = if_not_exists(executions, :zero) + :one");
      set.add("startedAt = :at");
      remove = " REMOVE finishedAt";
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
    TransactWriteItem move =
        TransactWriteItem.builder()
            .update(
                Update.builder()
                    .tableName(table)
                    .key(chunkKey(lease.runId(), transition))
                    .updateExpression("SET " + String.join(", ", set) + remove)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .build())
            .build();
    String what = transition.describe(lease.runId());
    for (int attempt = 1; ; attempt++) {
      try {
        dynamo.transactWriteItems(
            r ->
                r.transactItems(leaseGuard(lease), move)
                    .clientRequestToken(transition.transitionId()));
        return;
      } catch (TransactionCanceledException cancelled) {
        if (attempt < 3 && isConflictOnly(cancelled.cancellationReasons())) {
          continue;
        }
        if (isConditionFailure(cancelled.cancellationReasons(), 0)) {
          throw fenced(lease, what);
        }
        Optional<ChunkRecord> current =
            Optional.ofNullable(readBack(what, cancelled, () -> chunk(lease.runId(), transition)));
        if (landed(current, transition)) {
          return;
        }
        if (isConditionFailure(cancelled.cancellationReasons(), 1)) {
          throw IllegalTransitionException.refused(
              lease.runId(), transition, current.map(c -> c.status().name()).orElse("not started"));
        }
        throw notLanded(what, cancelled);
      } catch (SdkException unknown) {
        Optional<ChunkRecord> after =
            Optional.ofNullable(readBack(what, unknown, () -> chunk(lease.runId(), transition)));
        if (!landed(after, transition)) {
          throw notLanded(what, unknown);
        }
        return;
      }
    }
  }

  private static boolean landed(Optional<ChunkRecord> chunk, ChunkTransition transition) {
    return chunk.isPresent()
        && chunk.get().transitionId().equals(transition.transitionId())
        && chunk.get().status() == transition.to();
  }

  private Optional<ChunkRecord> chunk(String runId, ChunkTransition transition) {
    Map<String, AttributeValue> item =
        dynamo
            .getItem(r -> r.tableName(table).key(chunkKey(runId, transition)).consistentRead(true))
            .item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toChunk(item));
  }

  /** The condition every fenced write carries: the run is still at the lease's epoch and holder. */
  private TransactWriteItem leaseGuard(Lease lease) {
    return TransactWriteItem.builder()
        .conditionCheck(
            ConditionCheck.builder()
                .tableName(table)
                .key(runKey(lease.runId()))
                .conditionExpression("epoch = :epoch AND leaseOwner = :me")
                .expressionAttributeValues(
                    Map.of(":epoch", n(lease.epoch()), ":me", s(lease.holder().id())))
                .build())
        .build();
  }

  private static String chunkPrefix(String stage, long generation) {
    return CHUNK_PREFIX + stage + "#g" + generation + "#";
  }

  private Map<String, AttributeValue> chunkKey(String runId, ChunkTransition transition) {
    return Map.of(
        "pk",
        s(pk(runId)),
        "sk",
        s(
            chunkPrefix(transition.stage(), transition.generation())
                + String.format(java.util.Locale.ROOT, "%05d", transition.index())));
  }

  private static ChunkRecord toChunk(Map<String, AttributeValue> item) {
    return new ChunkRecord(
        str(item, "runId"),
        str(item, "stage"),
        num(item, "generation"),
        (int) num(item, "chunkIndex"),
        str(item, "chunk"),
        ChunkRecord.ChunkStatus.valueOf(str(item, "status")),
        (int) numOr(item, "executions", 0),
        numOr(item, "outputVersion", -1),
        numOr(item, "rowsWritten", -1),
        bool(item, "recovered"),
        num(item, "epoch"),
        str(item, "transitionId"),
        instant(item, "startedAt"),
        instant(item, "finishedAt"));
  }

  private static boolean isConflictOnly(List<CancellationReason> reasons) {
    return reasons != null
        && reasons.stream().anyMatch(r -> "TransactionConflict".equals(r.code()))
        && reasons.stream().noneMatch(r -> "ConditionalCheckFailed".equals(r.code()));
  }

  /** A cancelled transition: fenced, refused by the state machine, or decided by reading back. */
  private void refusedOrUnknown(
      Lease lease, StageTransition transition, TransactionCanceledException cancelled) {
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
    Map<String, AttributeValue> item = new HashMap<>(eventItem(event));
    if (event.type() == RunEvent.Type.RUN_SUCCEEDED) {
      // Written after finishRun gave the run's other items their expiry: expire with them.
      item.put(TTL, n(event.at().plus(retention).getEpochSecond()));
    }
    try {
      dynamo.putItem(r -> r.tableName(table).item(item));
    } catch (SdkException failed) {
      // A put of the same item is idempotent: the SDK's retries cannot duplicate it.
      throw notLanded("recording event " + event.type() + " of run " + event.runId(), failed);
    }
  }

  @Override
  public List<RunEvent> events(String runId) {
    return queryRun("the events of run " + runId, runId, EVENT_PREFIX, null).stream()
        .map(DynamoDbCheckpointStore::toEvent)
        .toList();
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
    if (status == RunStatus.SUCCEEDED) {
      finishSucceeded(lease, reason, now);
      return;
    }
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

  /** The run item's final update and the expiry of every other item of the run, atomically. */
  private void finishSucceeded(Lease lease, String reason, Instant now) {
    String runId = lease.runId();
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":status", s(RunStatus.SUCCEEDED.name()));
    values.put(":reason", s(reason == null ? "" : truncate(reason, 4000)));
    values.put(":now", n(now.toEpochMilli()));
    values.put(":expires", n(now.plus(retention).getEpochSecond()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":me", s(lease.holder().id()));
    Update run =
        Update.builder()
            .tableName(table)
            .key(runKey(runId))
            .updateExpression(
                "SET #status = :status, reason = :reason, updatedAt = :now, leaseExpiresAt = :now,"
                    + " "
                    + TTL
                    + " = :expires"
                    + " REMOVE leaseOwner, leaseHost, leasePid, leaseProcessStart, leaseSince")
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
        run,
        items,
        after ->
            after.epoch() == lease.epoch()
                && after.status() == RunStatus.SUCCEEDED
                && after.holder().isEmpty());
  }

  @Override
  public void recordRerun(
      Lease lease,
      Rerun rerun,
      Map<String, String> parameters,
      List<StageTransition.Invalidate> invalidations) {
    if (invalidations.size() > MAX_RERUN_STAGES) {
      throw new IllegalArgumentException(
          "a rerun invalidates at most "
              + MAX_RERUN_STAGES
              + " stages, not "
              + invalidations.size());
    }
    String runId = lease.runId();
    Map<String, AttributeValue> values = new HashMap<>();
    Map<String, AttributeValue> params = new HashMap<>();
    parameters.forEach((k, v) -> params.put(k, s(v)));
    values.put(":params", AttributeValue.fromM(params));
    values.put(":entry", AttributeValue.fromL(List.of(rerunItem(rerun))));
    values.put(":none", AttributeValue.fromL(List.of()));
    values.put(":now", n(rerun.at().toEpochMilli()));
    values.put(":epoch", n(lease.epoch()));
    values.put(":me", s(lease.holder().id()));
    Update run =
        Update.builder()
            .tableName(table)
            .key(runKey(runId))
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
    invalidations.forEach(i -> invalidated.add(STAGE_PREFIX + i.stage()));
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
    for (StageTransition.Invalidate invalidate : invalidations) {
      Map<String, String> names = new HashMap<>();
      Map<String, AttributeValue> stageValues = new HashMap<>();
      List<String> set = new ArrayList<>();
      List<String> remove = new ArrayList<>();
      names.put("#status", "status");
      stageValues.put(":to", s(invalidate.to().name()));
      stageValues.put(":epoch", n(lease.epoch()));
      stageValues.put(":tid", s(invalidate.transitionId()));
      stageValues.put(":at", n(invalidate.at().toEpochMilli()));
      stageValues.put(":runId", s(runId));
      stageValues.put(":stage", s(invalidate.stage()));
      set.addAll(
          List.of(
              "#status = :to",
              "epoch = :epoch",
              "transitionId = :tid",
              "runId = :runId",
              "stage = :stage"));
      invalidation(invalidate, set, remove, stageValues);
      items.add(
          Update.builder()
              .tableName(table)
              .key(stageKey(runId, invalidate.stage()))
              .updateExpression(
                  "SET " + String.join(", ", set) + " REMOVE " + String.join(", ", remove))
              .expressionAttributeNames(names)
              .expressionAttributeValues(stageValues)
              .build());
    }
    writeWithRunItem(
        lease,
        "recording the rerun of run " + runId + " from stage " + rerun.from(),
        run,
        items,
        after -> after.reruns().stream().anyMatch(r -> r.id().equals(rerun.id())));
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
            TTL));
  }

  /**
   * Writes {@code run} (an update of the run item conditional on the lease) and {@code items}
   * atomically. A run with more items than one transaction holds has the first ones written in
   * earlier transactions, each fenced by a condition check on the run item; the run item and the
   * last items go together in the final one. An outcome not known is decided by reading the run
   * back and asking {@code landed}.
   */
  private void writeWithRunItem(
      Lease lease, String what, Update run, List<Update> items, Predicate<RunRecord> landed) {
    int last = Math.max(0, items.size() - (TRANSACTION_ITEMS - 1));
    for (int from = 0; from < last; from += TRANSACTION_ITEMS - 1) {
      List<TransactWriteItem> batch = new ArrayList<>();
      batch.add(leaseGuard(lease));
      items
          .subList(from, Math.min(last, from + TRANSACTION_ITEMS - 1))
          .forEach(u -> batch.add(TransactWriteItem.builder().update(u).build()));
      transact(lease, what, batch, unknownForAnEarlierBatch -> false);
    }
    List<TransactWriteItem> batch = new ArrayList<>();
    batch.add(TransactWriteItem.builder().update(run).build());
    items
        .subList(last, items.size())
        .forEach(u -> batch.add(TransactWriteItem.builder().update(u).build()));
    transact(lease, what, batch, landed);
  }

  /**
   * One transaction whose first item is conditional on the lease. A transaction cancelled because
   * another request touched one of its items at the same moment (the heartbeat renewing the lease
   * on the run item) did not land and is tried again, twice at most.
   */
  private void transact(
      Lease lease, String what, List<TransactWriteItem> batch, Predicate<RunRecord> landed) {
    String token = UUID.randomUUID().toString();
    for (int attempt = 1; ; attempt++) {
      try {
        dynamo.transactWriteItems(r -> r.transactItems(batch).clientRequestToken(token));
        return;
      } catch (TransactionCanceledException cancelled) {
        // A retry of a request that landed fails its condition: the lease moved on with it.
        RunRecord after = readBack(what, cancelled, () -> findRun(lease.runId()));
        if (after != null && landed.test(after)) {
          return;
        }
        if (isConditionFailure(cancelled.cancellationReasons(), 0)) {
          throw fenced(lease, what);
        }
        if (!isConflictOnly(cancelled.cancellationReasons()) || attempt == 3) {
          throw notLanded(what, cancelled);
        }
        pause(Duration.ofMillis(50L * attempt));
      } catch (SdkException unknown) {
        RunRecord after = readBack(what, unknown, () -> findRun(lease.runId()));
        if (after == null || !landed.test(after)) {
          throw notLanded(what, unknown);
        }
        return;
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The keys (and expiry) of every item of a run but the run item: stages, and any others. */
  private List<Map<String, AttributeValue>> otherItems(String runId) {
    return queryRun("the items of run " + runId, runId, "", "pk, sk, " + TTL).stream()
        .filter(i -> !RUN_SK.equals(i.get("sk").s()))
        .toList();
  }

  /**
   * Every item of the run whose sort key starts with {@code prefix} (all of them for ""), read
   * consistently, page after page; only the {@code projection}'s attributes when it is not null.
   */
  private List<Map<String, AttributeValue>> queryRun(
      String what, String runId, String prefix, String projection) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryRequest.Builder request =
          QueryRequest.builder()
              .tableName(table)
              .consistentRead(true)
              .exclusiveStartKey(start)
              .projectionExpression(projection);
      if (prefix.isEmpty()) {
        request
            .keyConditionExpression("pk = :pk")
            .expressionAttributeValues(Map.of(":pk", s(pk(runId))));
      } else {
        request
            .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
            .expressionAttributeValues(Map.of(":pk", s(pk(runId)), ":prefix", s(prefix)));
      }
      QueryResponse page = read(what, () -> dynamo.query(request.build()));
      items.addAll(page.items());
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty());
    return items;
  }

  private static AttributeValue rerunItem(Rerun rerun) {
    Map<String, AttributeValue> changes = new HashMap<>();
    rerun
        .parameterChanges()
        .forEach(
            (name, change) ->
                changes.put(
                    name,
                    AttributeValue.fromM(
                        Map.of("before", s(change.before()), "after", s(change.after())))));
    return AttributeValue.fromM(
        Map.of(
            "id", s(rerun.id()),
            "at", n(rerun.at().toEpochMilli()),
            "from", s(rerun.from()),
            "stages", AttributeValue.fromL(rerun.stages().stream().map(v -> s(v)).toList()),
            "parameterChanges", AttributeValue.fromM(changes),
            "by", s(rerun.by())));
  }

  private static Rerun toRerun(Map<String, AttributeValue> item) {
    Map<String, Rerun.ParameterChange> changes = new LinkedHashMap<>();
    AttributeValue c = item.get("parameterChanges");
    if (c != null && c.hasM()) {
      new TreeMap<>(c.m())
          .forEach(
              (name, change) ->
                  changes.put(
                      name,
                      new Rerun.ParameterChange(
                          str(change.m(), "before"), str(change.m(), "after"))));
    }
    AttributeValue stages = item.get("stages");
    return new Rerun(
        str(item, "id"),
        Instant.ofEpochMilli(num(item, "at")),
        str(item, "from"),
        stages != null && stages.hasL()
            ? stages.l().stream().map(AttributeValue::s).toList()
            : List.of(),
        changes,
        str(item, "by"));
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
        str(item, "reason"),
        item.containsKey(TTL)
            ? Optional.of(Instant.ofEpochSecond(num(item, TTL)))
            : Optional.empty(),
        item.containsKey("reruns") && item.get("reruns").hasL()
            ? item.get("reruns").l().stream().map(r -> toRerun(r.m())).toList()
            : List.of());
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
        metrics(item.get("metrics")),
        item.containsKey("chunkPlan") && item.get("chunkPlan").hasL()
            ? item.get("chunkPlan").l().stream().map(AttributeValue::s).toList()
            : List.of());
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

  /**
   * One item per plan, {@code sk = plan#<stage>#<name>#<generation>}, put with {@code
   * attribute_not_exists(sk)} in one transaction with a condition check of the lease on the run
   * item. The first plan recorded wins; a refused put reads back the winner. Its expiry follows the
   * run's (a succeeded run's items all expire together).
   */
  @Override
  public InputPlan recordPlan(Lease lease, InputPlan plan) {
    String what =
        "recording the input plan of "
            + plan.name()
            + " for stage "
            + plan.stage()
            + " of run "
            + lease.runId();
    List<AttributeValue> files = new ArrayList<>();
    for (InputPlan.PlannedFile f : plan.files()) {
      files.add(
          AttributeValue.fromM(
              Map.of("path", s(f.path()), "size", n(f.size()), "version", s(f.version()))));
    }
    Map<String, AttributeValue> item = new HashMap<>(planKey(lease.runId(), plan));
    item.put("stage", s(plan.stage()));
    item.put("name", s(plan.name()));
    item.put("generation", n(plan.generation()));
    item.put("location", s(plan.location()));
    item.put("files", AttributeValue.fromL(files));
    item.put("plannedAt", s(plan.plannedAt().toString()));
    List<TransactWriteItem> batch =
        List.of(
            leaseGuard(lease),
            TransactWriteItem.builder()
                .put(
                    Put.builder()
                        .tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(sk)")
                        .build())
                .build());
    try {
      dynamo.transactWriteItems(r -> r.transactItems(batch));
      return plan;
    } catch (TransactionCanceledException cancelled) {
      if (isConditionFailure(cancelled.cancellationReasons(), 0)) {
        throw fenced(lease, what);
      }
      return recordedPlan(lease, plan, what, cancelled);
    } catch (SdkException unknown) {
      return recordedPlan(lease, plan, what, unknown);
    }
  }

  /**
   * The plan a write of unknown outcome left, read back: ours or an earlier one; else not landed.
   */
  private InputPlan recordedPlan(Lease lease, InputPlan plan, String what, SdkException failure) {
    InputPlan recorded =
        readBack(
            what,
            failure,
            () -> findPlan(lease.runId(), plan.stage(), plan.name(), plan.generation()));
    if (recorded == null) {
      throw notLanded(what, failure);
    }
    return recorded;
  }

  @Override
  public Optional<InputPlan> findPlan(String runId, String stage, String name, long generation) {
    Map<String, AttributeValue> key =
        planKey(runId, new InputPlan(runId, stage, name, generation, "", List.of(), Instant.EPOCH));
    Map<String, AttributeValue> item =
        read(
            "the input plan of " + name + " for stage " + stage + " of run " + runId,
            () -> dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item());
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    List<InputPlan.PlannedFile> files = new ArrayList<>();
    for (AttributeValue f : item.get("files").l()) {
      Map<String, AttributeValue> m = f.m();
      files.add(
          new InputPlan.PlannedFile(
              m.get("path").s(), Long.parseLong(m.get("size").n()), m.get("version").s()));
    }
    return Optional.of(
        new InputPlan(
            runId,
            stage,
            name,
            generation,
            str(item, "location"),
            files,
            Instant.parse(str(item, "plannedAt"))));
  }

  private static Map<String, AttributeValue> planKey(String runId, InputPlan plan) {
    return Map.of(
        "pk",
        s(pk(runId)),
        "sk",
        s("plan#" + plan.stage() + "#" + plan.name() + "#" + plan.generation()));
  }
}
