package dev.cairn.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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
import org.junit.jupiter.api.BeforeEach;
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

/** The DynamoDB store against DynamoDB Local, a real server on 127.0.0.1 in its own process. */
class DynamoDbCheckpointStoreTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static Path home;
  private static URI endpoint;

  private FaultyDynamoDbClient client;
  private DynamoDbCheckpointStore store;
  private String runId;
  private final LeaseHolder driverA = new LeaseHolder("hostA:1:a", "hostA", 1, T0);
  private final LeaseHolder driverB = new LeaseHolder("hostB:2:b", "hostB", 2, T0);

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

  @BeforeEach
  void openStore() {
    client =
        new FaultyDynamoDbClient(
            DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build());
    store =
        new DynamoDbCheckpointStore(client, "checkpoints_test", Duration.ofDays(90), noPause -> {});
    store.createTableIfAbsent();
    runId = "job-" + UUID.randomUUID();
    store.openRun(new NewRun(runId, "job", "k=v", Map.of("k", "v"), "hash", "dev", T0));
  }

  @Test
  void createTableIfAbsent_isSafeToCallTwice() {
    store.createTableIfAbsent();
    assertThat(store.findRun(runId)).isPresent();
  }

  @Test
  void openRun_twice_returnsTheExistingRunUnchanged() {
    RunRecord again =
        store.openRun(
            new NewRun(runId, "job", "k=v", Map.of("k", "v"), "hash", "dev", T0.plusSeconds(60)));
    assertThat(again.createdAt()).isEqualTo(T0);
    assertThat(again.parameters()).containsEntry("k", "v");
    assertThat(again.status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void acquire_freeRun_takesEpochOne_andSecondDriverIsRefusedUntilExpiry() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    assertThat(a.epoch()).isEqualTo(1);

    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(10), TTL, null)).isEmpty();

    Lease b = store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();
    assertThat(b.epoch()).isEqualTo(2);
    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.holder()).contains(driverB);
    assertThat(run.leaseExpiresAt()).isEqualTo(T0.plusSeconds(61));
  }

  @Test
  void acquire_heldByNamedDeadHolder_takesOverAtOnce() {
    store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    Lease b =
        store.tryAcquireLease(runId, driverB, T0.plusSeconds(1), TTL, driverA.id()).orElseThrow();

    assertThat(b.epoch()).isEqualTo(2);
  }

  @Test
  void transitions_followTheStateMachine() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("clean", 4));
    store.transition(lease, commit("clean", 5, false));

    StageRecord clean = store.stages(runId).get(0);
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.attempts()).isEqualTo(1);
    assertThat(clean.baseVersion()).isEqualTo(4);
    assertThat(clean.outputVersion()).isEqualTo(5);
    assertThat(clean.rowsWritten()).isEqualTo(100);
    assertThat(clean.txnAppId()).isEqualTo("cairn:" + runId + ":clean");
    assertThat(clean.epoch()).isEqualTo(1);
    assertThat(clean.recovered()).isFalse();
  }

  @Test
  void eachTransition_writesItsEventAtomically_andHistoryReadsThemInOrder() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.recordEvent(
        RunEvent.ofRun(
            runId, T0, "00-first", RunEvent.Type.ATTEMPT_STARTED, lease.epoch(), "epoch 1"));
    String app = "cairn:" + runId + ":clean";
    store.transition(
        lease,
        new StageTransition.Start("clean", 1, "/w/clean", app, 1, -1, "t1", T0.plusMillis(1)));
    store.transition(
        lease,
        new StageTransition.Fail(
            "clean",
            1,
            "TRANSIENT",
            "SocketTimeoutException: Read timed out",
            Optional.of(Duration.ofMillis(2500)),
            List.of(),
            "t2",
            T0.plusMillis(2)));
    store.transition(
        lease,
        new StageTransition.Start("clean", 2, "/w/clean", app, 1, -1, "t3", T0.plusMillis(3)));
    store.transition(
        lease,
        new StageTransition.Commit(
            "clean",
            "/w/clean",
            app,
            1,
            0,
            100,
            false,
            false,
            List.of(),
            StageMetrics.NONE,
            "t4",
            T0.plusMillis(4)));

    List<RunEvent> events = store.events(runId);

    assertThat(events)
        .extracting(RunEvent::type)
        .containsExactly(
            RunEvent.Type.ATTEMPT_STARTED,
            RunEvent.Type.STAGE_STARTED,
            RunEvent.Type.STAGE_RETRY,
            RunEvent.Type.STAGE_STARTED,
            RunEvent.Type.STAGE_COMMITTED);
    RunEvent retry = events.get(2);
    assertThat(retry.stage()).contains("clean");
    assertThat(retry.attempt()).isEqualTo(1);
    assertThat(retry.epoch()).isEqualTo(1);
    assertThat(retry.errorClass()).contains("TRANSIENT");
    assertThat(retry.message())
        .isEqualTo("SocketTimeoutException: Read timed out; retrying in 2.5 s");
    assertThat(events.get(4).message()).isEqualTo("version 0 of /w/clean, 100 rows");
  }

  @Test
  void checkResults_roundTripOnCommitAndFail() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    List<CheckResult> checks =
        List.of(
            new CheckResult("not null (origin)", true, "no nulls"),
            new CheckResult("unique key (day)", false, "1 key(s) occur more than once"));
    store.transition(lease, start("clean", -1));
    store.transition(
        lease,
        new StageTransition.Fail(
            "clean",
            1,
            "DATA_QUALITY",
            "data-quality check(s) of stage 'clean' failed",
            Optional.empty(),
            checks,
            UUID.randomUUID().toString(),
            T0));

    assertThat(store.stages(runId).get(0).checks()).isEqualTo(checks);

    store.transition(lease, start("clean", -1));
    assertThat(store.stages(runId).get(0).checks()).isEmpty();
  }

  @Test
  void start_ofCommittedStage_isRefusedAndNamesTheState() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("clean", -1));
    store.transition(lease, commit("clean", 0, false));

    assertThatThrownBy(() -> store.transition(lease, start("clean", 0)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("stage 'clean' of run " + runId + " is COMMITTED")
        .hasMessageContaining("cannot move to RUNNING");
  }

  @Test
  void commit_withoutStart_isRefusedUnlessRecovered() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.transition(lease, commit("clean", 0, false)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("is PENDING and cannot move to COMMITTED");

    store.transition(lease, commit("clean", 0, true));
    assertThat(store.stages(runId).get(0).recovered()).isTrue();
  }

  @Test
  void staleEpoch_isRefused_andChangesNothing() {
    Lease zombie = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(zombie, start("clean", -1));
    Lease current =
        store.tryAcquireLease(runId, driverB, T0.plus(TTL).plusSeconds(1), TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.transition(zombie, commit("clean", 0, false)))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("epoch fencing")
        .hasMessageContaining("now held by host hostB, pid 2 at epoch 2");
    assertThatThrownBy(() -> store.renewLease(zombie, T0, TTL))
        .isInstanceOf(RunHeldException.class);
    assertThatThrownBy(() -> store.finishRun(zombie, RunStatus.SUCCEEDED, "", T0))
        .isInstanceOf(RunHeldException.class);

    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(store.findRun(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    store.transition(current, start("clean", -1));
    assertThat(store.stages(runId).get(0).attempts()).isEqualTo(2);
  }

  @Test
  void finishRun_releasesTheLease_soTheNextDriverStartsAtOnce() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.finishRun(a, RunStatus.INTERRUPTED, "spot notice", T0.plusSeconds(1));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(run.reason()).isEqualTo("spot notice");
    assertThat(run.holder()).isEmpty();
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(2), TTL, null)).isPresent();
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
  void listRuns_newestUpdatedFirst() {
    String older = runId;
    String newer = "job-" + UUID.randomUUID();
    store.openRun(new NewRun(newer, "job", "k=w", Map.of("k", "w"), "h2", "dev", T0));
    store.tryAcquireLease(older, driverA, T0.plusSeconds(5), TTL, null).orElseThrow();
    store.tryAcquireLease(newer, driverA, T0.plusSeconds(9), TTL, null).orElseThrow();

    List<String> ids = store.listRuns(1000).stream().map(RunRecord::runId).toList();

    assertThat(ids).containsSubsequence(newer, older);
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
  void finishRun_succeeded_setsTheExpiryOnTheRunAndEveryStageItem_failedSetsNone() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("clean", -1));
    store.transition(lease, commit("clean", 0, false));
    store.transition(lease, start("report", -1));
    store.finishRun(lease, RunStatus.FAILED, "report failed", T0.plusSeconds(5));
    assertThat(store.findRun(runId).orElseThrow().expiresAt()).isEmpty();
    assertThat(rawItem("stage#clean")).doesNotContainKey("expiresAt");

    Lease again = store.tryAcquireLease(runId, driverA, T0.plusSeconds(6), TTL, null).orElseThrow();
    store.transition(again, commit("report", 1, true));
    store.finishRun(again, RunStatus.SUCCEEDED, "", T0.plusSeconds(10));

    long expiry = T0.plusSeconds(10).plus(Duration.ofDays(90)).getEpochSecond();
    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.holder()).isEmpty();
    assertThat(run.expiresAt()).contains(Instant.ofEpochSecond(expiry));
    assertThat(rawItem("run").get("expiresAt").n()).isEqualTo(Long.toString(expiry));
    assertThat(rawItem("stage#clean").get("expiresAt").n()).isEqualTo(Long.toString(expiry));
    assertThat(rawItem("stage#report").get("expiresAt").n()).isEqualTo(Long.toString(expiry));
  }

  @Test
  void finishRun_succeededAtAStaleEpoch_isRefused_andExpiresNothing() {
    Lease zombie = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(zombie, start("clean", -1));
    store.tryAcquireLease(runId, driverB, T0.plus(TTL).plusSeconds(1), TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.finishRun(zombie, RunStatus.SUCCEEDED, "", T0))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("epoch fencing");

    assertThat(rawItem("stage#clean")).doesNotContainKey("expiresAt");
    assertThat(store.findRun(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void recordRerun_invalidatesTheStages_recordsTheRerunAndParameters_andRemovesTheExpiry() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    for (String stage : List.of("clean", "report")) {
      store.transition(lease, start(stage, -1));
      store.transition(lease, commit(stage, 3, false));
    }
    store.finishRun(lease, RunStatus.SUCCEEDED, "", T0.plusSeconds(1));
    Lease rerunLease =
        store.tryAcquireLease(runId, driverB, T0.plusSeconds(2), TTL, null).orElseThrow();
    Rerun rerun =
        new Rerun(
            UUID.randomUUID().toString(),
            T0.plusSeconds(3),
            "report",
            List.of("report"),
            Map.of("k", new Rerun.ParameterChange("v", "w")),
            "ops@host");

    store.recordRerun(rerunLease, rerun, Map.of("k", "w"), List.of(invalidate("report", 2)));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.reruns()).containsExactly(rerun);
    assertThat(run.parameters()).containsExactly(Map.entry("k", "w"));
    assertThat(run.parametersHash()).isEqualTo("hash");
    assertThat(run.expiresAt()).isEmpty();
    StageRecord report = stage("report");
    assertThat(report.status()).isEqualTo(StageStatus.PENDING);
    assertThat(report.txnVersion()).isEqualTo(2);
    assertThat(report.outputVersion()).isEqualTo(-1);
    assertThat(report.rowsWritten()).isEqualTo(-1);
    assertThat(report.attempts()).as("kept").isEqualTo(1);
    assertThat(report.epoch()).isEqualTo(2);
    assertThat(stage("clean").status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(rawItem("stage#clean")).doesNotContainKey("expiresAt");
    assertThat(rawItem("stage#report")).doesNotContainKey("expiresAt");

    store.transition(rerunLease, start("report", 3));
    assertThat(stage("report").status())
        .as("an invalidated stage starts")
        .isEqualTo(StageStatus.RUNNING);

    Rerun second =
        new Rerun(
            UUID.randomUUID().toString(),
            T0.plusSeconds(4),
            "clean",
            List.of("clean", "report"),
            Map.of(),
            "ops@host");
    store.recordRerun(
        rerunLease,
        second,
        Map.of("k", "w"),
        List.of(invalidate("clean", 2), invalidate("report", 3)));
    assertThat(store.findRun(runId).orElseThrow().reruns()).containsExactly(rerun, second);
    assertThat(stage("report").status())
        .as("invalidated from RUNNING")
        .isEqualTo(StageStatus.PENDING);
  }

  @Test
  void recordRerun_atAStaleEpoch_isRefused_andChangesNothing() {
    Lease zombie = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(zombie, start("clean", -1));
    store.transition(zombie, commit("clean", 0, false));
    store.tryAcquireLease(runId, driverB, T0.plus(TTL).plusSeconds(1), TTL, null).orElseThrow();

    assertThatThrownBy(
            () ->
                store.recordRerun(
                    zombie,
                    new Rerun("r", T0, "clean", List.of("clean"), Map.of(), "ops@host"),
                    Map.of("k", "v"),
                    List.of(invalidate("clean", 2))))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("recording the rerun of run " + runId + " from stage clean")
        .hasMessageContaining("now held by host hostB, pid 2 at epoch 2");

    assertThat(stage("clean").status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(store.findRun(runId).orElseThrow().reruns()).isEmpty();
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

  private StageRecord stage(String name) {
    return store.stages(runId).stream()
        .filter(s -> s.stage().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void chunkPlan_isFrozenByTheFirstPlan_andAnInvalidationClearsIt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("load", -1));

    assertThat(store.planChunks(lease, "load", 1, List.of("2001-01", "2001-02")))
        .containsExactly("2001-01", "2001-02");
    assertThat(store.planChunks(lease, "load", 1, List.of("other")))
        .as("a second plan for the same generation")
        .containsExactly("2001-01", "2001-02");
    assertThat(store.stages(runId).get(0).chunkPlan()).containsExactly("2001-01", "2001-02");

    Rerun rerun = new Rerun("r1", T0, "load", List.of("load"), Map.of(), "ops@host");
    store.recordRerun(lease, rerun, Map.of("k", "v"), List.of(invalidate("load", 2)));

    assertThat(store.stages(runId).get(0).chunkPlan()).isEmpty();
    assertThatThrownBy(() -> store.planChunks(lease, "load", 2, List.of("a")))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining(
            "cannot freeze the chunk plan of stage 'load' of run "
                + runId
                + " at generation 2: the stage is PENDING at generation 2");
  }

  @Test
  void chunkPlan_withADuplicateKey_isRefusedNamingIt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("load", -1));

    assertThatThrownBy(() -> store.planChunks(lease, "load", 1, List.of("a", "b", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the chunk plan of stage 'load' names chunk 'a' twice. Fix: make its planner return"
                + " distinct keys");
  }

  @Test
  void chunkTransitions_countExecutions_andRefuseToRestartACommittedChunk() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, chunkStart(0));
    store.transition(lease, chunkStart(0));
    store.transition(lease, chunkCommit(0, 7, false));
    store.transition(lease, chunkCommit(1, 8, true));
    store.transition(lease, chunkStart(2));

    assertThat(store.chunks(runId, "load", 1))
        .extracting(
            ChunkRecord::index,
            ChunkRecord::status,
            ChunkRecord::executions,
            ChunkRecord::outputVersion,
            ChunkRecord::recovered)
        .containsExactly(
            tuple(0, ChunkRecord.ChunkStatus.COMMITTED, 2, 7L, false),
            tuple(1, ChunkRecord.ChunkStatus.COMMITTED, 0, 8L, true),
            tuple(2, ChunkRecord.ChunkStatus.RUNNING, 1, -1L, false));
    assertThat(store.chunks(runId, "load", 2)).as("another generation's chunks").isEmpty();
    assertThat(store.stages(runId)).as("chunks are not stages").isEmpty();
    assertThatThrownBy(() -> store.transition(lease, chunkStart(0)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage(
            "chunk 0 (k0) of stage 'load' of run "
                + runId
                + " is COMMITTED and cannot move to RUNNING. Fix: check `cairn status "
                + runId
                + "`; another driver may have moved it");
    assertThatThrownBy(() -> store.transition(lease, chunkCommit(3, 9, false)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("chunk 3 (k3) of stage 'load' of run " + runId + " is not started");
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

  @Test
  void chunkTransition_ofADriverThatLostTheLease_isFenced() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.transition(a, chunkStart(0)))
        .isInstanceOf(RunHeldException.class);
    assertThat(store.chunks(runId, "load", 1)).isEmpty();
  }

  private ChunkTransition.Start chunkStart(int index) {
    return new ChunkTransition.Start(
        "load", 1, index, "k" + index, UUID.randomUUID().toString(), T0);
  }

  private ChunkTransition.Commit chunkCommit(int index, long version, boolean recovered) {
    return new ChunkTransition.Commit(
        "load", 1, index, "k" + index, version, 10, recovered, UUID.randomUUID().toString(), T0);
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

  private StageTransition.Invalidate invalidate(String stage, long txnVersion) {
    return new StageTransition.Invalidate(
        stage,
        "/w/" + stage,
        "cairn:" + runId + ":" + stage,
        txnVersion,
        UUID.randomUUID().toString(),
        T0);
  }

  private StageTransition.Start start(String stage, long base) {
    return new StageTransition.Start(
        stage,
        1,
        "/w/" + stage,
        "cairn:" + runId + ":" + stage,
        1,
        base,
        UUID.randomUUID().toString(),
        T0);
  }

  private StageTransition.Commit commit(String stage, long version, boolean recovered) {
    return new StageTransition.Commit(
        stage,
        "/w/" + stage,
        "cairn:" + runId + ":" + stage,
        1,
        version,
        100,
        recovered,
        false,
        List.of(),
        StageMetrics.NONE,
        UUID.randomUUID().toString(),
        T0);
  }

  @Test
  void recordPlan_firstPlanWins_isReadBackConsistently_andAnotherGenerationIsSeparate() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    InputPlan first =
        new InputPlan(
            runId,
            "clean",
            "flights",
            1,
            "s3a://b/in/flights.parquet",
            List.of(
                new InputPlan.PlannedFile("s3a://b/in/flights.parquet/part-0", 100, "etag:\"e0\""),
                new InputPlan.PlannedFile("s3a://b/in/flights.parquet/part-1", 200, "mtime:7")),
            T0);
    InputPlan later =
        new InputPlan(
            runId,
            "clean",
            "flights",
            1,
            "s3a://b/in/flights.parquet",
            List.of(new InputPlan.PlannedFile("s3a://b/in/other", 1, "mtime:8")),
            T0.plusSeconds(5));

    assertThat(store.recordPlan(a, first)).isEqualTo(first);
    assertThat(store.recordPlan(a, later)).as("the first plan stays").isEqualTo(first);

    assertThat(store.findPlan(runId, "clean", "flights", 1)).contains(first);
    assertThat(store.findPlan(runId, "clean", "flights", 2)).isEmpty();
    assertThat(store.findPlan(runId, "rejects", "flights", 1)).isEmpty();
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
  void recordPlan_byADriverThatLostTheLease_isRefusedAndWritesNothing() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();
    InputPlan plan =
        new InputPlan(
            runId,
            "clean",
            "flights",
            1,
            "/in",
            List.of(new InputPlan.PlannedFile("/in/a", 1, "mtime:1")),
            T0);

    assertThatThrownBy(() -> store.recordPlan(a, plan))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("input plan");
    assertThat(store.findPlan(runId, "clean", "flights", 1)).isEmpty();
  }
}
