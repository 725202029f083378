package dev.cairn.internal.store;

import static dev.cairn.internal.store.Items.TTL;
import static dev.cairn.internal.store.Items.n;
import static dev.cairn.internal.store.Items.s;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.internal.errors.StoreErrors;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The checkpoint store in one DynamoDB table (single-table design).
 *
 * <p>Every item of a run has {@code pk = run#<runId>}; its sort key tells the kind:
 *
 * <ul>
 *   <li>the run: {@code sk = run}, with {@code gpk = run} and {@code updatedAt} for the global
 *       secondary index {@code runs-by-update}, which lists runs newest first. The run item also
 *       holds the lease, the effective parameters and the list of the operator's {@code reruns};
 *   <li>each stage: {@code sk = stage#<name>}; a chunked stage's frozen chunk plan is its {@code
 *       chunkPlan}, and a rerun's invalidation is an update of it;
 *   <li>each chunk of a chunked stage: {@code sk = chunk#<stage>#g<generation>#<index, 5 digits>};
 *   <li>each frozen input plan: {@code sk = plan#<stage>#<input name>#<generation>};
 *   <li>each event of the run's history: {@code sk = event#<13-digit epoch millis>#<event id>}.
 * </ul>
 *
 * (Layout in {@link Items}; table creation and checks in {@link DynamoDbTableAdmin}.)
 *
 * <p>A run that succeeds gets {@code expiresAt} (epoch seconds: finish + retention) on every item
 * of it, in the same transaction that marks it SUCCEEDED, so DynamoDB's TTL deletes all of it and a
 * run item never outlives its stages or the other way round; a rerun removes it again, atomically
 * with the invalidation. FAILED and INTERRUPTED runs never expire: they are work still to do.
 *
 * <p>Every write made with a lease is fenced and decided by {@link FencedWrites}: a stage
 * transition is one TransactWriteItems holding a ConditionCheck that the run is still at the
 * writer's epoch and held by it, the conditional update of the stage item, and the put of the event
 * that tells it in the run's history. The transition's id is the request's ClientRequestToken, so
 * the SDK's own retries are idempotent, and it is written on the item, so a write whose outcome is
 * unknown is read back and decided. Thread-safe.
 */
public final class DynamoDbCheckpointStore implements CheckpointStore {
  static final String RUNS_INDEX = "runs-by-update";

  private final DynamoDbClient dynamo;
  private final String table;
  private final Duration retention;
  private final TableReads reads;
  private final FencedWrites fences;
  private final LeaseWrites leases;
  private final RunWrites runWrites;

  /** A store keeping succeeded runs for 90 days. */
  public DynamoDbCheckpointStore(DynamoDbClient dynamo, String table) {
    this(dynamo, table, Duration.ofDays(90));
  }

  /**
   * @param retention how long after it succeeds a run's items are kept before DynamoDB's TTL may
   *     delete them
   */
  public DynamoDbCheckpointStore(DynamoDbClient dynamo, String table, Duration retention) {
    this(dynamo, table, retention, FencedWrites.Pause.system());
  }

  /** With {@code pause} waiting between the tries of a write cancelled by a conflict. */
  DynamoDbCheckpointStore(
      DynamoDbClient dynamo, String table, Duration retention, FencedWrites.Pause pause) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention " + retention + " must be positive");
    }
    this.dynamo = dynamo;
    this.table = table;
    this.retention = retention;
    this.reads = new TableReads(dynamo, table);
    this.fences = new FencedWrites(dynamo, table, reads, pause);
    this.leases = new LeaseWrites(dynamo, table, reads, fences);
    this.runWrites = new RunWrites(table, retention, reads, fences);
  }

  /**
   * Creates the checkpoint table if it does not exist (on-demand billing, the runs index, TTL on
   * {@code expiresAt}) and waits until it is active. What every driver does first; an existing
   * table is only described, so a driver needs no permission beyond DescribeTable. Safe to call
   * from several processes at once.
   */
  public void createTableIfAbsent() {
    new DynamoDbTableAdmin(dynamo, table, retention).createTableIfAbsent();
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
    return new DynamoDbTableAdmin(dynamo, table, retention).initialize();
  }

  @Override
  public RunRecord openRun(NewRun run) {
    try {
      dynamo.putItem(
          r ->
              r.tableName(table)
                  .item(Items.runItem(run))
                  .conditionExpression("attribute_not_exists(pk)"));
    } catch (ConditionalCheckFailedException exists) {
      // the run exists: resume it
    } catch (SdkException unknown) {
      // whether it landed or not, reading it back below decides
    }
    return findRun(run.runId())
        .orElseThrow(
            () ->
                new StoreUnavailableException(
                    StoreErrors.runNotCreatedMessage(run.runId(), table), null));
  }

  @Override
  public Optional<RunRecord> findRun(String runId) {
    return reads.read("run " + runId, () -> reads.item(Items.runKey(runId))).map(Items::toRun);
  }

  @Override
  public List<RunRecord> listRuns(int limit) {
    List<RunRecord> runs = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          reads.read(
              "the list of runs",
              () ->
                  dynamo.query(
                      QueryRequest.builder()
                          .tableName(table)
                          .indexName(RUNS_INDEX)
                          .keyConditionExpression("gpk = :run")
                          .expressionAttributeValues(Map.of(":run", s(Items.RUN_SK)))
                          .scanIndexForward(false)
                          .limit(Math.min(limit, 100))
                          .exclusiveStartKey(from)
                          .build()));
      page.items().forEach(item -> runs.add(Items.toRun(item)));
      start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
    } while (start != null && !start.isEmpty() && runs.size() < limit);
    return runs.size() > limit ? runs.subList(0, limit) : runs;
  }

  @Override
  public List<StageRecord> stages(String runId) {
    return reads.queryRun("the stages of run " + runId, runId, Items.STAGE_PREFIX, null).stream()
        .map(Items::toStage)
        .toList();
  }

  @Override
  public Optional<Lease> tryAcquireLease(
      String runId, LeaseHolder holder, Instant now, Duration ttl, String deadHolderId) {
    return leases.tryAcquire(runId, holder, now, ttl, deadHolderId);
  }

  @Override
  public Instant renewLease(Lease lease, Instant now, Duration ttl) {
    return leases.renew(lease, now, ttl);
  }

  @Override
  public boolean breakLease(
      String runId, long expectedEpoch, BreakMode mode, Instant now, String reason) {
    return leases.breakLease(runId, expectedEpoch, mode, now, reason);
  }

  @Override
  public void transition(Lease lease, StageTransition transition) {
    TransactWriteItem move =
        TransactWriteItem.builder()
            .update(TransitionUpdates.stage(table, lease, transition))
            .build();
    TransactWriteItem tell =
        TransactWriteItem.builder()
            .put(
                Put.builder()
                    .tableName(table)
                    .item(Items.eventItem(RunEvent.of(lease, transition)))
                    .build())
            .build();
    fences.transact(
        lease,
        transition.describe(lease.runId()),
        "moving stage " + transition.stage() + " to " + transition.to(),
        List.of(fences.leaseGuard(lease), move, tell),
        transition.transitionId(),
        Boolean.TRUE,
        FencedWrites.Outcome.<StageRecord, Boolean>landedWhen(
                () -> stageNow(lease.runId(), transition.stage()),
                now ->
                    now != null
                            && now.transitionId().equals(transition.transitionId())
                            && now.status() == transition.to()
                        ? Optional.of(Boolean.TRUE)
                        : Optional.empty())
            .refusedBy(
                now -> {
                  throw IllegalTransitionException.refused(
                      lease.runId(), transition, now == null ? StageStatus.PENDING : now.status());
                }));
  }

  @Override
  public ChunkPlan planChunks(Lease lease, String stage, long generation, ChunkPlan chunks) {
    ChunkPlans.check(stage, chunks);
    String what = "freezing the chunk plan of stage " + stage + " of run " + lease.runId();
    Map<String, AttributeValue> values = new HashMap<>();
    StringBuilder set = new StringBuilder();
    Items.chunkPlanValues(chunks)
        .forEach(
            (name, value) -> {
              set.append(set.isEmpty() ? "SET " : ", ").append(name).append(" = :").append(name);
              values.put(":" + name, value);
            });
    values.put(":running", s(StageStatus.RUNNING.name()));
    values.put(":gen", n(generation));
    Update plan =
        Update.builder()
            .tableName(table)
            .key(Items.stageKey(lease.runId(), stage))
            .updateExpression(set.toString())
            .conditionExpression(
                "#status = :running AND txnVersion = :gen AND attribute_not_exists(chunkPlan)")
            .expressionAttributeNames(Map.of("#status", "status"))
            .expressionAttributeValues(values)
            .build();
    return fences.transact(
        lease,
        what,
        what,
        List.of(fences.leaseGuard(lease), TransactWriteItem.builder().update(plan).build()),
        UUID.randomUUID().toString(),
        chunks,
        FencedWrites.Outcome.<StageRecord, ChunkPlan>firstWins(
                () -> stageNow(lease.runId(), stage),
                now ->
                    now != null && now.txnVersion() == generation && now.chunked()
                        ? Optional.of(now.chunkPlan()) // planned before: that plan stands
                        : Optional.empty())
            .refusedBy(
                now -> {
                  throw IllegalTransitionException.notPlannable(
                      lease.runId(), stage, generation, now);
                }));
  }

  @Override
  public List<ChunkRecord> chunks(String runId, String stage, long generation) {
    return reads
        .queryRun(
            "the chunks of stage " + stage + " of run " + runId,
            runId,
            Items.chunkPrefix(stage, generation),
            null)
        .stream()
        .map(Items::toChunk)
        .sorted(Comparator.comparingInt(ChunkRecord::index))
        .toList();
  }

  @Override
  public void transition(Lease lease, ChunkTransition transition) {
    String what = transition.describe(lease.runId());
    TransactWriteItem move =
        TransactWriteItem.builder()
            .update(TransitionUpdates.chunk(table, lease, transition))
            .build();
    fences.transact(
        lease,
        what,
        what,
        List.of(fences.leaseGuard(lease), move),
        transition.transitionId(),
        Boolean.TRUE,
        FencedWrites.Outcome.<ChunkRecord, Boolean>landedWhen(
                () ->
                    reads
                        .item(Items.chunkKey(lease.runId(), transition))
                        .map(Items::toChunk)
                        .orElse(null),
                now ->
                    now != null
                            && now.transitionId().equals(transition.transitionId())
                            && now.status() == transition.to()
                        ? Optional.of(Boolean.TRUE)
                        : Optional.empty())
            .refusedBy(
                now -> {
                  throw IllegalTransitionException.refused(
                      lease.runId(), transition, now == null ? "not started" : now.status().name());
                }));
  }

  @Override
  public void recordEvent(RunEvent event) {
    Map<String, AttributeValue> item = new HashMap<>(Items.eventItem(event));
    if (event.type() == RunEvent.Type.RUN_SUCCEEDED) {
      // Written after finishRun gave the run's other items their expiry: expire with them.
      item.put(TTL, n(event.at().plus(retention).getEpochSecond()));
    }
    try {
      dynamo.putItem(r -> r.tableName(table).item(item));
    } catch (SdkException failed) {
      // A put of the same item is idempotent: the SDK's retries cannot duplicate it.
      throw fences.notLanded(
          "recording event " + event.type() + " of run " + event.runId(), failed);
    }
  }

  @Override
  public List<RunEvent> events(String runId) {
    return reads.queryRun("the events of run " + runId, runId, Items.EVENT_PREFIX, null).stream()
        .map(Items::toEvent)
        .toList();
  }

  @Override
  public void finishRun(
      Lease lease,
      RunStatus status,
      String reason,
      Optional<FailureClass> reasonClass,
      Instant now) {
    runWrites.finishRun(lease, status, reason, reasonClass, now);
  }

  @Override
  public void recordRerun(
      Lease lease,
      Rerun rerun,
      Map<String, String> parameters,
      List<StageTransition.Invalidate> invalidations) {
    runWrites.recordRerun(lease, rerun, parameters, invalidations);
  }

  /** The stage item, read consistently for a read-back (SDK failures pass through); or null. */
  private StageRecord stageNow(String runId, String stage) {
    return reads.item(Items.stageKey(runId, stage)).map(Items::toStage).orElse(null);
  }

  /**
   * Put with {@code attribute_not_exists(sk)} in one transaction with the lease's condition check.
   * The first plan recorded wins; a refused put reads back the winner. Its expiry follows the run's
   * (a succeeded run's items all expire together).
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
    TransactWriteItem put =
        TransactWriteItem.builder()
            .put(
                Put.builder()
                    .tableName(table)
                    .item(Items.planItem(lease.runId(), plan))
                    .conditionExpression("attribute_not_exists(sk)")
                    .build())
            .build();
    return fences.transact(
        lease,
        what,
        what,
        List.of(fences.leaseGuard(lease), put),
        UUID.randomUUID().toString(),
        plan,
        FencedWrites.Outcome.<InputPlan, InputPlan>firstWins(
            () -> planNow(lease.runId(), plan.stage(), plan.name(), plan.generation()),
            Optional::ofNullable));
  }

  @Override
  public Optional<InputPlan> findPlan(String runId, String stage, String name, long generation) {
    return Optional.ofNullable(
        reads.read(
            "the input plan of " + name + " for stage " + stage + " of run " + runId,
            () -> planNow(runId, stage, name, generation)));
  }

  @Override
  public List<InputPlan> plans(String runId) {
    return reads
        .queryRun("the input plans of run " + runId, runId, Items.PLAN_PREFIX, null)
        .stream()
        .map(item -> Items.toPlan(runId, item))
        .sorted(InputPlan.STATUS_ORDER)
        .toList();
  }

  private InputPlan planNow(String runId, String stage, String name, long generation) {
    return reads
        .item(Items.planKey(runId, stage, name, generation))
        .map(item -> Items.toPlan(runId, stage, name, generation, item))
        .orElse(null);
  }

  @Override
  public void close() {
    dynamo.close();
  }
}
