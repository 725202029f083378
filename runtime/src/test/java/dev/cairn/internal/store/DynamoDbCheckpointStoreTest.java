package dev.cairn.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The DynamoDB store against DynamoDB Local, a real server on 127.0.0.1 in its own process (one per
 * test class): the {@link CheckpointStoreContract}, and what only this store does: SDK faults and
 * read-back, requests sent twice, transaction conflicts, table administration.
 */
class DynamoDbCheckpointStoreTest extends CheckpointStoreContract<DynamoDbCheckpointStore> {
  private static Path home;
  private static URI endpoint;

  private FaultyDynamoDbClient client;

  @BeforeAll
  static void startDynamoDbLocal() throws Exception {
    home = Files.createTempDirectory("cairn-store-test");
    endpoint =
        EmbeddedDynamoDb.ensureRunning(
            home, Optional.of(Path.of(System.getProperty("cairn.dynamodbLocal.lib"))));
  }

  @AfterAll
  static void stopDynamoDbLocal() {
    EmbeddedDynamoDb.stop(home);
  }

  /** A store on the shared table (tests use fresh run ids), its conflict back-off not waiting. */
  @Override
  DynamoDbCheckpointStore newStore() {
    client =
        new FaultyDynamoDbClient(
            DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build());
    DynamoDbCheckpointStore store =
        new DynamoDbCheckpointStore(client, "checkpoints_test", Duration.ofDays(90), noPause -> {});
    store.createTableIfAbsent();
    return store;
  }

  @Override
  Optional<Instant> stageExpiry(String runId, String stage) {
    return Optional.ofNullable(rawItem("stage#" + stage).get("expiresAt"))
        .map(v -> Instant.ofEpochSecond(Long.parseLong(v.n())));
  }

  @Test
  void createTableIfAbsent_isSafeToCallTwice() {
    store.createTableIfAbsent();
    assertThat(store.findRun(runId)).isPresent();
  }

  @Test
  void transition_cancelledByAConcurrentHeartbeat_isTriedAgain() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.conflictNextTransactions(2);

    store.transition(lease, start("clean", -1));

    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(store.stages(runId).get(0).attempts()).isEqualTo(1);
  }

  @Test
  void transition_whoseResponseIsLostAfterLanding_isReadBackAndSucceeds() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.loseNextWriteResponses(1);

    store.transition(lease, start("clean", -1));

    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(store.stages(runId).get(0).attempts()).isEqualTo(1);
  }

  @Test
  void transition_thatNeverLanded_isReadBackAndReportedAsNotLanded() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.dropNextWrites(1);

    assertThatThrownBy(() -> store.transition(lease, start("clean", -1)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("moving stage clean of run " + runId + " to RUNNING")
        .hasMessageContaining("did not land")
        .hasMessageContaining("resume the run");
    assertThat(store.stages(runId)).isEmpty();
  }

  @Test
  void transition_whoseOutcomeCannotBeReadBack_isStateUnknown() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.loseNextWriteResponses(1);
    client.failNextReads(1);

    assertThatThrownBy(() -> store.transition(lease, start("clean", -1)))
        .isInstanceOf(StateUnknownException.class)
        .hasMessageContaining("is unknown")
        .hasMessageContaining("Nothing was guessed")
        .hasMessageContaining("cairn resume");
  }

  @Test
  void acquire_whoseResponseIsLost_isReadBackAndHoldsTheLease() {
    client.loseNextWriteResponses(1);

    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThat(lease.epoch()).isEqualTo(1);
    store.transition(lease, start("clean", -1));
  }

  @Test
  void acquire_thatNeverLanded_isAStoreFailure_notAHeldRun() {
    client.dropNextWrites(1);

    assertThatThrownBy(() -> store.tryAcquireLease(runId, driverA, T0, TTL, null))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("taking the lease of run " + runId)
        .hasMessageContaining("did not land");
    assertThat(store.findRun(runId).orElseThrow().holder()).isEmpty();
  }

  // A write whose connection dropped after it landed is sent again by the SDK's own retry, with
  // the same request; the store must see its own earlier write, not another driver's.

  @Test
  void createTable_resentAfterItLanded_isReadyToUse() {
    DynamoDbCheckpointStore fresh =
        new DynamoDbCheckpointStore(client, "checkpoints_" + UUID.randomUUID());
    client.repeatNextWrites(1);

    fresh.createTableIfAbsent();

    fresh.openRun(new NewRun("r", "job", "k=v", Map.of(), "hash", "dev", T0));
    assertThat(fresh.findRun("r")).isPresent();
  }

  @Test
  void openRun_resentAfterItLanded_returnsTheNewRun() {
    String other = "job-" + UUID.randomUUID();
    client.repeatNextWrites(1);

    RunRecord run = store.openRun(new NewRun(other, "job", "k=w", Map.of(), "h", "dev", T0));

    assertThat(run.runId()).isEqualTo(other);
    assertThat(run.createdAt()).isEqualTo(T0);
  }

  @Test
  void acquire_resentAfterItLanded_holdsTheLease() {
    client.repeatNextWrites(1);

    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThat(store.findRun(runId).orElseThrow().epoch()).isEqualTo(lease.epoch());
    store.transition(lease, start("clean", -1));
  }

  @Test
  void renew_resentAfterItLanded_keepsTheLease() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.repeatNextWrites(1);

    store.renewLease(lease, T0.plusSeconds(10), TTL);

    assertThat(store.findRun(runId).orElseThrow().leaseExpiresAt()).isEqualTo(T0.plusSeconds(40));
  }

  // Issue 18, item 4: a renewal whose outcome was unknown extended the fence although the stored
  // expiry had not moved.
  @Test
  void renew_whoseOutcomeIsUnknown_saysTheExpiryTheStoreHolds() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.dropNextWrites(1);

    Instant notLanded = store.renewLease(lease, T0.plusSeconds(10), TTL);
    client.loseNextWriteResponses(1);
    Instant landed = store.renewLease(lease, T0.plusSeconds(20), TTL);

    assertThat(notLanded).as("the acquisition's expiry").isEqualTo(T0.plusSeconds(30));
    assertThat(landed).isEqualTo(T0.plusSeconds(50));
    assertThat(store.findRun(runId).orElseThrow().leaseExpiresAt()).isEqualTo(landed);
  }

  @Test
  void start_resentAfterItLanded_countsOneAttempt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.repeatNextWrites(1);

    store.transition(lease, start("clean", -1));

    StageRecord clean = store.stages(runId).get(0);
    assertThat(clean.status()).isEqualTo(StageStatus.RUNNING);
    assertThat(clean.attempts()).isEqualTo(1);
  }

  @Test
  void commit_resentAfterItLanded_isNotRefusedAsAnIllegalTransition() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("clean", -1));
    client.repeatNextWrites(1);

    store.transition(lease, commit("clean", 0, false));

    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.COMMITTED);
  }

  @Test
  void fail_resentAfterItLanded_isNotRefusedAsAnIllegalTransition() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("clean", -1));
    client.repeatNextWrites(1);

    store.transition(
        lease,
        new StageTransition.Fail(
            "clean",
            1,
            "PERMANENT",
            "bad",
            Optional.empty(),
            List.of(),
            UUID.randomUUID().toString(),
            T0));

    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.FAILED);
  }

  @Test
  void finishRun_resentAfterItLanded_isNotMistakenForAnotherDriver() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.repeatNextWrites(1);

    store.finishRun(lease, RunStatus.SUCCEEDED, "", T0.plusSeconds(1));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.holder()).isEmpty();
  }

  @Test
  void initialize_createsTheTableOnDemandWithTtl_andASecondCallFindsItComplete() {
    String table = "init_" + UUID.randomUUID();
    DynamoDbCheckpointStore fresh = new DynamoDbCheckpointStore(client, table, Duration.ofDays(30));

    TableSetup created = fresh.initialize();
    TableSetup again = fresh.initialize();

    assertThat(created)
        .isEqualTo(
            new TableSetup(table, true, "on-demand billing", true, true, Duration.ofDays(30)));
    assertThat(created.describe())
        .isEqualTo(
            "Checkpoint table "
                + table
                + " created (on-demand billing, index runs-by-update, TTL on expiresAt);"
                + " succeeded runs are deleted 30 days after they finish (CAIRN_RETENTION_DAYS)");
    assertThat(again.created()).isFalse();
    assertThat(again.ttlEnabled()).isFalse();
    assertThat(again.indexCreated()).isFalse();
    assertThat(again.describe())
        .startsWith(
            "Checkpoint table "
                + table
                + " exists (on-demand billing, index runs-by-update, TTL on expiresAt)");
    var ttl = client.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
    assertThat(ttl.attributeName()).isEqualTo("expiresAt");
    assertThat(ttl.timeToLiveStatusAsString()).isIn("ENABLED", "ENABLING");
    var description = client.describeTable(r -> r.tableName(table)).table();
    assertThat(description.billingModeSummary().billingModeAsString()).isEqualTo("PAY_PER_REQUEST");
  }

  @Test
  void initialize_completesATableMadeElsewhere_addingTheRunsIndexAndTtl() {
    String table = "bare_" + UUID.randomUUID();
    client.createTable(
        r ->
            r.tableName(table)
                .billingMode(BillingMode.PROVISIONED)
                .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(4L))
                .attributeDefinitions(
                    a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                    a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                .keySchema(
                    k -> k.attributeName("pk").keyType(KeyType.HASH),
                    k -> k.attributeName("sk").keyType(KeyType.RANGE)));
    DynamoDbCheckpointStore existing = new DynamoDbCheckpointStore(client, table);

    TableSetup setup = existing.initialize();

    assertThat(setup.created()).isFalse();
    assertThat(setup.indexCreated()).isTrue();
    assertThat(setup.ttlEnabled()).isTrue();
    assertThat(setup.describe())
        .startsWith(
            "Checkpoint table "
                + table
                + " exists (provisioned billing, 5 read and 4 write units, index runs-by-update"
                + " added now, TTL on expiresAt enabled now)");
    existing.openRun(new NewRun("r-1", "job", "", Map.of(), "h", "dev", T0));
    assertThat(existing.listRuns(10)).extracting(RunRecord::runId).containsExactly("r-1");
  }

  @Test
  void initialize_refusesATableWithAnotherKey_orTtlOnAnotherAttribute() {
    String other = "other_" + UUID.randomUUID();
    client.createTable(
        r ->
            r.tableName(other)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
    assertThatThrownBy(() -> new DynamoDbCheckpointStore(client, other).initialize())
        .hasMessage(
            "table "
                + other
                + " exists but is not a Cairn checkpoint table: its key is {id=HASH}, expected"
                + " {pk=HASH, sk=RANGE}. Fix: set CAIRN_CHECKPOINT_TABLE to another name and run"
                + " `cairn init` to create it");

    String ttl = "ttl_" + UUID.randomUUID();
    new DynamoDbCheckpointStore(client, ttl).createTableIfAbsent();
    client.updateTimeToLive(
        r ->
            r.tableName(ttl)
                .timeToLiveSpecification(s -> s.enabled(false).attributeName("expiresAt")));
    client.updateTimeToLive(
        r -> r.tableName(ttl).timeToLiveSpecification(s -> s.enabled(true).attributeName("ttl")));
    assertThatThrownBy(() -> new DynamoDbCheckpointStore(client, ttl).initialize())
        .hasMessageStartingWith(
            "checkpoint table "
                + ttl
                + " has TTL on attribute 'ttl', but Cairn expires finished"
                + " runs with 'expiresAt'")
        .hasMessageContaining("Fix: give Cairn a table of its own (CAIRN_CHECKPOINT_TABLE)");
  }

  @Test
  void recordRerun_whoseResponseIsLostAfterLanding_isReadBackAndSucceeds() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.loseNextWriteResponses(1);

    store.recordRerun(
        lease,
        new Rerun("lost", T0, "clean", List.of("clean"), Map.of(), "ops@host"),
        Map.of("k", "v"),
        List.of(invalidate("clean", 1)));

    assertThat(store.findRun(runId).orElseThrow().reruns())
        .extracting(Rerun::id)
        .containsExactly("lost");
    assertThat(stage("clean").status()).isEqualTo(StageStatus.PENDING);
  }

  @Test
  void chunkTransitionWhoseResponseIsLost_isDecidedByReadingItBack() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, chunkStart(0));
    client.repeatNextWrites(1);

    store.transition(lease, chunkCommit(0, 3, false));

    assertThat(store.chunks(runId, "load", 1))
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo(ChunkRecord.ChunkStatus.COMMITTED));
  }

  private Map<String, AttributeValue> rawItem(String sk) {
    return client
        .getItem(
            r ->
                r.tableName("checkpoints_test")
                    .key(
                        Map.of(
                            "pk",
                            AttributeValue.fromS("run#" + runId),
                            "sk",
                            AttributeValue.fromS(sk)))
                    .consistentRead(true))
        .item();
  }

  @Test
  void recordPlan_cancelledByAConcurrentHeartbeat_isTriedAgainAndRecorded() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    InputPlan plan =
        new InputPlan(
            runId,
            "clean",
            "flights",
            1,
            "/in",
            List.of(new InputPlan.PlannedFile("/in/a", 1, "mtime:1")),
            T0);
    client.conflictNextTransactions(1);

    assertThat(store.recordPlan(lease, plan)).isEqualTo(plan);

    assertThat(store.findPlan(runId, "clean", "flights", 1)).contains(plan);
  }

  @Test
  void transition_cancelledByConflictsOnEveryTry_pausesBetweenThem_andDidNotLand() {
    List<Duration> pauses = new java.util.ArrayList<>();
    DynamoDbCheckpointStore pausing =
        new DynamoDbCheckpointStore(client, "checkpoints_test", Duration.ofDays(90), pauses::add);
    Lease lease = pausing.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.conflictNextTransactions(3);

    assertThatThrownBy(() -> pausing.transition(lease, start("clean", -1)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith(
            "moving stage clean of run "
                + runId
                + " to RUNNING failed after the client's retries and did not land in checkpoint"
                + " table checkpoints_test (Transaction cancelled");
    assertThat(pauses).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(pausing.stages(runId)).isEmpty();
  }

  @Test
  void planChunks_cancelledByAConcurrentHeartbeat_isTriedAgain() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("load", -1));
    client.conflictNextTransactions(2);

    assertThat(
            store
                .planChunks(lease, "load", 1, ChunkPlan.oneChunkPerUnit(List.of("a", "b")))
                .units())
        .containsExactly("a", "b");
    assertThat(stage("load").chunkPlan().units()).containsExactly("a", "b");
  }

  @Test
  void recordPlan_whoseResponseIsLostAfterLanding_isReadBackAndReturnsIt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.loseNextWriteResponses(1);

    assertThat(store.recordPlan(lease, plan("/in/a"))).isEqualTo(plan("/in/a"));
  }

  @Test
  void recordPlan_whoseOutcomeCannotBeReadBack_isStateUnknown() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.loseNextWriteResponses(1);
    client.failNextReads(1);

    assertThatThrownBy(() -> store.recordPlan(lease, plan("/in/a")))
        .isInstanceOf(StateUnknownException.class)
        .hasMessageStartingWith(
            "the outcome of recording the input plan of flights for stage clean of run "
                + runId
                + " in checkpoint table checkpoints_test is unknown")
        .hasMessageContaining("Nothing was guessed");
  }

  @Test
  void recordPlan_refusedByTheLease_isFencedWithoutAReadBack_evenWhenReadsFail() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();
    client.failNextReads(1);

    assertThatThrownBy(() -> store.recordPlan(a, plan("/in/a")))
        .isInstanceOf(RunHeldException.class)
        .hasMessageStartingWith(
            "this driver lost run "
                + runId
                + " while recording the input plan of flights for stage clean of run "
                + runId);
  }

  @Test
  void finishRun_interruptedWhoseResponseIsLostAfterLanding_isReadBackAndSucceeds() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    client.repeatNextWrites(1);

    store.finishRun(lease, RunStatus.INTERRUPTED, "spot notice", T0.plusSeconds(1));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(run.holder()).isEmpty();
  }
}
