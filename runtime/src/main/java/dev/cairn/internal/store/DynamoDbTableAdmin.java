package dev.cairn.internal.store;

import dev.cairn.CairnException;
import dev.cairn.internal.errors.StoreErrors;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.BillingModeSummary;
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
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * The checkpoint table's administration: creating it (on-demand billing, key {@code pk}/{@code sk},
 * the index {@code runs-by-update} on {@code gpk}/{@code updatedAt}, TTL on {@code expiresAt}), and
 * checking and completing a table that exists. The data path never calls it but through {@link
 * DynamoDbCheckpointStore#createTableIfAbsent()} and {@link DynamoDbCheckpointStore#initialize()}.
 *
 * <p>Idempotent and safe to run from several processes at once: a table or TTL setting another
 * process made first is accepted. SDK failures are wrapped once, into {@link
 * StoreUnavailableException} naming the permissions needed; a table that cannot be a checkpoint
 * table throws {@link CairnException} saying the fix. Thread-safe (no state but the client's).
 */
final class DynamoDbTableAdmin {
  private static final Duration INDEX_TIMEOUT = Duration.ofMinutes(30);

  private final DynamoDbClient dynamo;
  private final String table;
  private final Duration retention;

  DynamoDbTableAdmin(DynamoDbClient dynamo, String table, Duration retention) {
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
  void createTableIfAbsent() {
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
  TableSetup initialize() {
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
          .noneMatch(i -> i.indexName().equals(DynamoDbCheckpointStore.RUNS_INDEX))) {
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
        .indexName(DynamoDbCheckpointStore.RUNS_INDEX)
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
      if (Items.TTL.equals(attribute)) {
        return false;
      }
      throw StoreErrors.ttlOnOtherAttribute(table, attribute, Items.TTL);
    }
    if (status == TimeToLiveStatus.DISABLING) {
      throw StoreErrors.ttlBeingDisabled(table);
    }
    try {
      dynamo.updateTimeToLive(
          r ->
              r.tableName(table)
                  .timeToLiveSpecification(
                      TimeToLiveSpecification.builder()
                          .enabled(true)
                          .attributeName(Items.TTL)
                          .build()));
    } catch (DynamoDbException refused) {
      // Another process enabling it at the same moment makes this one's request fail.
      TimeToLiveDescription now =
          dynamo.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
      if (now == null || !Items.TTL.equals(now.attributeName())) {
        throw refused;
      }
    }
    return true;
  }

  private void checkKeySchema(TableDescription found) {
    Map<String, KeyType> keys = new HashMap<>();
    found.keySchema().forEach(k -> keys.put(k.attributeName(), k.keyType()));
    if (!keys.equals(Map.of("pk", KeyType.HASH, "sk", KeyType.RANGE))) {
      throw StoreErrors.notACheckpointTable(table, keys);
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
                  i ->
                      i.indexName().equals(DynamoDbCheckpointStore.RUNS_INDEX)
                          && i.indexStatus() == IndexStatus.ACTIVE);
      if (active) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw StoreErrors.indexStillBuilding(
            DynamoDbCheckpointStore.RUNS_INDEX, table, INDEX_TIMEOUT.toMinutes());
      }
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw StoreErrors.interruptedWaitingForIndex(
            DynamoDbCheckpointStore.RUNS_INDEX, table, interrupted);
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
        StoreErrors.tableUnreachableMessage(table, failed.getMessage(), actions), failed);
  }

  private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }
}
