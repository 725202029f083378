package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.store.IllegalTransitionException;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import dev.cairn.internal.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake keeps the DynamoDB store's contract (see DynamoDbCheckpointStoreTest). */
class InMemoryCheckpointStoreTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  private final LeaseHolder driverA = new LeaseHolder("hostA:1:a", "hostA", 1, T0);
  private final LeaseHolder driverB = new LeaseHolder("hostB:2:b", "hostB", 2, T0);
  private final String runId = "job-1";

  @BeforeEach
  void openRun() {
    store.openRun(new NewRun(runId, "job", "k=v", Map.of("k", "v"), "hash", "dev", T0));
  }

  @Test
  void openRun_twice_returnsTheExistingRunUnchanged() {
    RunRecord again =
        store.openRun(new NewRun(runId, "job", "k=w", Map.of(), "other", "dev", T0.plusSeconds(9)));

    assertThat(again.createdAt()).isEqualTo(T0);
    assertThat(again.parametersHash()).isEqualTo("hash");
    assertThat(again.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(again.epoch()).isZero();
    assertThat(again.holder()).isEmpty();
  }

  @Test
  void lease_isTakenWhenFreeExpiredMineOrHeldByANamedDeadHolder_eachTimeAtTheNextEpoch() {
    assertThat(store.tryAcquireLease(runId, driverA, T0, TTL, null)).map(Lease::epoch).contains(1L);
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(30), TTL, null)).isEmpty();
    assertThat(store.tryAcquireLease(runId, driverA, T0.plusSeconds(1), TTL, null))
        .map(Lease::epoch)
        .contains(2L);
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(2), TTL, driverA.id()))
        .map(Lease::epoch)
        .contains(3L);
    assertThat(store.tryAcquireLease(runId, driverA, T0.plusSeconds(33), TTL, null))
        .map(Lease::epoch)
        .contains(4L);
    assertThat(store.tryAcquireLease("no-such-run", driverA, T0, TTL, null)).isEmpty();

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.holder()).contains(driverA);
    assertThat(run.leaseSince()).isEqualTo(T0.plusSeconds(33));
    assertThat(run.leaseExpiresAt()).isEqualTo(T0.plusSeconds(63));
  }

  @Test
  void transitions_followTheStateMachine_countingAttemptsOnStart() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    store.transition(lease, start("clean", 4));
    store.transition(
        lease,
        new StageTransition.Fail(
            "clean", 1, "PERMANENT", "boom", Optional.empty(), List.of(), id(), T0));
    store.transition(lease, start("clean", 4));
    store.transition(lease, commit("clean", 5, false));

    StageRecord clean = store.stages(runId).get(0);
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.attempts()).isEqualTo(2);
    assertThat(clean.baseVersion()).isEqualTo(4);
    assertThat(clean.outputVersion()).isEqualTo(5);
    assertThat(clean.rowsWritten()).isEqualTo(100);
    assertThat(clean.errorMessage()).isEmpty();
    assertThat(clean.epoch()).isEqualTo(1);
  }

  @Test
  void transition_fromAStateNotAllowed_isRefusedNamingTheState() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.transition(lease, commit("clean", 0, false)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage(
            "stage 'clean' of run job-1 is PENDING and cannot move to COMMITTED (allowed from"
                + " [RUNNING]). Fix: check `cairn status job-1`; another driver may have moved"
                + " it");
    store.transition(lease, commit("clean", 0, true));
    assertThatThrownBy(() -> store.transition(lease, start("clean", 0)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("is COMMITTED and cannot move to RUNNING");
    assertThat(store.stages(runId).get(0).recovered()).isTrue();
  }

  @Test
  void staleEpoch_isRefusedEverywhere_andChangesNothing() {
    Lease zombie = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(zombie, start("clean", -1));
    store.tryAcquireLease(runId, driverB, T0.plus(TTL).plusSeconds(1), TTL, null).orElseThrow();
    RunRecord before = store.findRun(runId).orElseThrow();

    assertThatThrownBy(() -> store.transition(zombie, commit("clean", 0, false)))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(
            "this driver lost run job-1 while moving stage clean to COMMITTED: the run is now"
                + " held by host hostB, pid 2 at epoch 2, so this driver's writes are refused"
                + " (epoch fencing). Fix: nothing to do if the other driver is working; otherwise"
                + " `cairn resume job-1`");
    assertThatThrownBy(() -> store.renewLease(zombie, T0, TTL))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("while renewing its lease");
    assertThatThrownBy(() -> store.finishRun(zombie, RunStatus.SUCCEEDED, "", T0))
        .isInstanceOf(RunHeldException.class)
        .hasMessageContaining("while finishing the run as SUCCEEDED");

    assertThat(store.findRun(runId)).contains(before);
    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(store.stages(runId).get(0).epoch()).isEqualTo(1);
  }

  @Test
  void finishRun_releasesTheLease() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    store.finishRun(a, RunStatus.INTERRUPTED, "spot notice", T0.plusSeconds(1));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(run.reason()).isEqualTo("spot notice");
    assertThat(run.holder()).isEmpty();
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(2), TTL, null)).isPresent();
    assertThat(store.findRun(runId).orElseThrow().reason()).isEmpty();
  }

  @Test
  void failedWrites_doNotLand() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.failNextWrites(2);

    assertThatThrownBy(() -> store.transition(lease, start("clean", -1)))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith(
            "moving stage clean of run job-1 to RUNNING failed after the client's retries and did"
                + " not land");
    assertThatThrownBy(() -> store.finishRun(lease, RunStatus.SUCCEEDED, "", T0))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageStartingWith("finishing run job-1 as SUCCEEDED failed");
    store.transition(lease, start("clean", -1));

    assertThat(store.stages(runId).get(0).attempts()).isEqualTo(1);
    assertThat(store.findRun(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void writesWithLostOutcomes_landAndThrowStateUnknown() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.loseNextWriteOutcomes(1);

    assertThatThrownBy(() -> store.transition(lease, start("clean", -1)))
        .isInstanceOf(StateUnknownException.class)
        .hasMessageStartingWith("the outcome of moving stage clean of run job-1 to RUNNING")
        .hasMessageContaining("Nothing was guessed");

    assertThat(store.stages(runId).get(0).status()).isEqualTo(StageStatus.RUNNING);
    assertThat(store.stages(runId).get(0).attempts()).isEqualTo(1);
  }

  @Test
  void listRuns_returnsTheMostRecentlyUpdatedFirst() {
    store.openRun(new NewRun("job-2", "job", "k=2", Map.of(), "h2", "dev", T0.plusSeconds(1)));
    store.openRun(new NewRun("job-3", "job", "k=3", Map.of(), "h3", "dev", T0.plusSeconds(2)));
    Lease first = store.tryAcquireLease(runId, driverA, T0.plusSeconds(3), TTL, null).orElseThrow();
    store.finishRun(first, RunStatus.SUCCEEDED, "", T0.plusSeconds(4));

    assertThat(store.listRuns(10))
        .extracting(RunRecord::runId)
        .containsExactly("job-1", "job-3", "job-2");
    assertThat(store.listRuns(2)).extracting(RunRecord::runId).containsExactly("job-1", "job-3");
  }

  @Test
  void counters_countRequests() {
    int writes = store.writes();
    int reads = store.reads();

    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.renewLease(lease, T0, TTL);
    store.stages(runId);
    store.findRun(runId);

    assertThat(store.writes() - writes).isEqualTo(2);
    assertThat(store.reads() - reads).isEqualTo(2);
  }

  private static StageTransition.Start start(String stage, long base) {
    return new StageTransition.Start(
        stage, 1, "memory://w/" + stage, "cairn:job-1:" + stage, 1, base, id(), T0);
  }

  private static StageTransition.Commit commit(String stage, long version, boolean recovered) {
    return new StageTransition.Commit(
        stage,
        "memory://w/" + stage,
        "cairn:job-1:" + stage,
        1,
        version,
        100,
        recovered,
        false,
        List.of(),
        StageMetrics.NONE,
        id(),
        T0);
  }

  private static String id() {
    return UUID.randomUUID().toString();
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
