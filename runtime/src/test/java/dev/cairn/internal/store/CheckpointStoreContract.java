package dev.cairn.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cairn.Chunk;
import dev.cairn.Expectation;
import dev.cairn.FailureClass;
import dev.cairn.RunHeldException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CheckpointStore} does, run against each: the DynamoDB store on DynamoDB Local
 * ({@code DynamoDbCheckpointStoreTest}) and the in-memory fake the engine's tests use ({@code
 * InMemoryCheckpointStoreContractTest}), so the fake cannot drift from the real store unseen.
 * Implementation-specific behaviour (SDK faults, read-back, table administration, injected faults)
 * is tested in each implementation's own class.
 *
 * <p>Each test opens its own run with a fresh id, so tests are independent on a shared table.
 */
abstract class CheckpointStoreContract<S extends CheckpointStore> {
  static final Duration TTL = Duration.ofSeconds(30);
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final LeaseHolder driverA = new LeaseHolder("hostA:1:a", "hostA", 1, T0);
  final LeaseHolder driverB = new LeaseHolder("hostB:2:b", "hostB", 2, T0);
  S store;
  String runId;

  /** The store under test; called before each test. */
  abstract S newStore();

  /** The expiry of a stage's item as stored (the TTL attribute), which no record shows. */
  abstract Optional<Instant> stageExpiry(String runId, String stage);

  @BeforeEach
  void openRun() {
    store = newStore();
    runId = "job-" + UUID.randomUUID();
    store.openRun(new NewRun(runId, "job", "k=v", Map.of("k", "v"), "hash", "dev", T0));
  }

  @Test
  void openRun_twice_returnsTheExistingRunUnchanged() {
    RunRecord again =
        store.openRun(
            new NewRun(runId, "job", "k=w", Map.of("k", "w"), "other", "dev", T0.plusSeconds(9)));

    assertThat(again.createdAt()).isEqualTo(T0);
    assertThat(again.parameters()).containsExactly(Map.entry("k", "v"));
    assertThat(again.parametersHash()).isEqualTo("hash");
    assertThat(again.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(again.epoch()).isZero();
    assertThat(again.holder()).isEmpty();
    assertThat(again.expiresAt()).isEmpty();
    assertThat(again.reruns()).isEmpty();
  }

  @Test
  void findRun_ofAnUnknownRun_isEmpty() {
    assertThat(store.findRun("job-" + UUID.randomUUID())).isEmpty();
    assertThat(store.stages("job-" + UUID.randomUUID())).isEmpty();
  }

  @Test
  void lease_isTakenWhenFreeExpiredMineOrHeldByANamedDeadHolder_eachTimeAtTheNextEpoch() {
    assertThat(store.tryAcquireLease(runId, driverA, T0, TTL, null)).map(Lease::epoch).contains(1L);
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(30), TTL, null))
        .as("held until it expires")
        .isEmpty();
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
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.leaseSince()).isEqualTo(T0.plusSeconds(33));
    assertThat(run.leaseExpiresAt()).isEqualTo(T0.plusSeconds(63));
    assertThat(run.updatedAt()).isEqualTo(T0.plusSeconds(33));
  }

  @Test
  void renewLease_extendsIt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    store.renewLease(lease, T0.plusSeconds(20), TTL);

    assertThat(store.findRun(runId).orElseThrow().leaseExpiresAt()).isEqualTo(T0.plusSeconds(50));
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(40), TTL, null)).isEmpty();
  }

  @Test
  void breakLease_ifExpired_refusesALiveLease_andForceFencesItsHolder() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThat(store.breakLease(runId, 1, CheckpointStore.BreakMode.IF_EXPIRED, T0, "x")).isFalse();
    assertThat(store.breakLease(runId, 7, CheckpointStore.BreakMode.FORCE, T0, "x"))
        .as("at another epoch")
        .isFalse();
    assertThat(
            store.breakLease(
                runId, 1, CheckpointStore.BreakMode.FORCE, T0.plusSeconds(5), "ops broke it"))
        .isTrue();

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.epoch()).isEqualTo(2);
    assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(run.reason()).isEqualTo("ops broke it");
    assertThat(run.holder()).isEmpty();
    assertThat(run.leaseExpiresAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(store.breakLease(runId, 2, CheckpointStore.BreakMode.FORCE, T0, "again"))
        .as("nobody holds it")
        .isFalse();
    assertThatThrownBy(() -> store.renewLease(a, T0.plusSeconds(6), TTL))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(fenced("renewing its lease", "no longer held at epoch 1"));
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(6), TTL, null))
        .map(Lease::epoch)
        .contains(3L);
  }

  @Test
  void breakLease_ifExpired_takesAnExpiredLease() {
    store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThat(
            store.breakLease(
                runId, 1, CheckpointStore.BreakMode.IF_EXPIRED, T0.plusSeconds(31), "expired"))
        .isTrue();
    assertThat(store.findRun(runId).orElseThrow().status()).isEqualTo(RunStatus.INTERRUPTED);
  }

  @Test
  void transitions_followTheStateMachine_countingAttemptsOnStart() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    store.transition(lease, start("clean", 4));
    store.transition(
        lease,
        new StageTransition.Fail(
            "clean", 1, "PERMANENT", "boom", Optional.empty(), List.of(), id(), T0));
    assertThat(stage("clean").errorMessage()).contains("boom");
    assertThat(stage("clean").errorClass()).contains("PERMANENT");
    store.transition(lease, start("clean", 4));
    store.transition(lease, commit("clean", 5, false));

    StageRecord clean = stage("clean");
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.attempts()).isEqualTo(2);
    assertThat(clean.baseVersion()).isEqualTo(4);
    assertThat(clean.outputVersion()).isEqualTo(5);
    assertThat(clean.rowsWritten()).isEqualTo(100);
    assertThat(clean.txnAppId()).isEqualTo("cairn:" + runId + ":clean");
    assertThat(clean.txnVersion()).isEqualTo(1);
    assertThat(clean.errorMessage()).isEmpty();
    assertThat(clean.errorClass()).isEmpty();
    assertThat(clean.recovered()).isFalse();
    assertThat(clean.epoch()).isEqualTo(1);
    assertThat(clean.startedAt()).contains(T0);
    assertThat(clean.finishedAt()).contains(T0);
  }

  @Test
  void transition_fromAStateNotAllowed_isRefusedNamingTheState() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.transition(lease, commit("clean", 0, false)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage(
            "stage 'clean' of run "
                + runId
                + " is PENDING and cannot move to COMMITTED (allowed from [RUNNING]). Fix: check"
                + " `cairn status "
                + runId
                + "`; another driver may have moved it");
    store.transition(lease, commit("clean", 0, true));
    assertThat(stage("clean").recovered()).isTrue();
    assertThatThrownBy(() -> store.transition(lease, start("clean", 0)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage(
            "stage 'clean' of run "
                + runId
                + " is COMMITTED and cannot move to RUNNING (allowed from [PENDING, RUNNING,"
                + " FAILED]). Fix: check `cairn status "
                + runId
                + "`; another driver may have moved it");
    assertThat(stage("clean").status()).isEqualTo(StageStatus.COMMITTED);
  }

  @Test
  void staleEpoch_isRefusedEverywhere_andChangesNothing() {
    Lease zombie = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(zombie, start("clean", -1));
    Lease current =
        store.tryAcquireLease(runId, driverB, T0.plus(TTL).plusSeconds(1), TTL, null).orElseThrow();
    RunRecord before = store.findRun(runId).orElseThrow();
    String heldByB = "now held by host hostB, pid 2 at epoch 2";

    assertThatThrownBy(() -> store.transition(zombie, commit("clean", 0, false)))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(fenced("moving stage clean to COMMITTED", heldByB));
    assertThatThrownBy(() -> store.renewLease(zombie, T0, TTL))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(fenced("renewing its lease", heldByB));
    assertThatThrownBy(() -> store.finishRun(zombie, RunStatus.SUCCEEDED, "", T0))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(fenced("finishing the run as SUCCEEDED", heldByB));
    assertThatThrownBy(() -> store.finishRun(zombie, RunStatus.FAILED, "", T0))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(fenced("finishing the run as FAILED", heldByB));

    assertThat(store.findRun(runId)).contains(before);
    assertThat(store.findRun(runId).orElseThrow().expiresAt()).isEmpty();
    assertThat(stageExpiry(runId, "clean")).isEmpty();
    assertThat(stage("clean").status()).isEqualTo(StageStatus.RUNNING);
    assertThat(stage("clean").epoch()).isEqualTo(1);
    store.transition(current, start("clean", -1));
    assertThat(stage("clean").attempts()).isEqualTo(2);
  }

  @Test
  void finishRun_releasesTheLease_soTheNextDriverStartsAtOnce() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    store.finishRun(a, RunStatus.INTERRUPTED, "spot notice", T0.plusSeconds(1));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(run.reason()).isEqualTo("spot notice");
    assertThat(run.holder()).isEmpty();
    assertThat(run.updatedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(run.expiresAt()).isEmpty();
    assertThat(store.tryAcquireLease(runId, driverB, T0.plusSeconds(2), TTL, null)).isPresent();
    assertThat(store.findRun(runId).orElseThrow().reason()).isEmpty();
  }

  @Test
  void finishRun_recordsTheClassOfItsReason_untilTheRunIsTakenAgain() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();

    store.finishRun(
        a,
        RunStatus.FAILED,
        "lost run to another driver",
        Optional.of(FailureClass.LEASE_LOST),
        T0.plusSeconds(1));

    RunRecord failed = store.findRun(runId).orElseThrow();
    assertThat(failed.reason()).isEqualTo("lost run to another driver");
    assertThat(failed.reasonClass()).contains(FailureClass.LEASE_LOST);

    Lease b = store.tryAcquireLease(runId, driverB, T0.plusSeconds(2), TTL, null).orElseThrow();
    assertThat(store.findRun(runId).orElseThrow().reasonClass()).isEmpty();
    store.finishRun(b, RunStatus.FAILED, "no class said", T0.plusSeconds(3));
    assertThat(store.findRun(runId).orElseThrow().reasonClass()).isEmpty();
  }

  @Test
  void finishRun_succeeded_setsTheExpiryOnTheRunAndEveryStage_failedSetsNone() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("clean", -1));
    store.transition(lease, commit("clean", 0, false));
    store.transition(lease, start("report", -1));
    store.finishRun(lease, RunStatus.FAILED, "report failed", T0.plusSeconds(5));
    assertThat(store.findRun(runId).orElseThrow().expiresAt()).isEmpty();
    assertThat(stageExpiry(runId, "clean")).isEmpty();

    Lease again = store.tryAcquireLease(runId, driverA, T0.plusSeconds(6), TTL, null).orElseThrow();
    store.transition(again, commit("report", 1, true));
    store.finishRun(again, RunStatus.SUCCEEDED, "", T0.plusSeconds(10));

    Instant expiry =
        Instant.ofEpochSecond(T0.plusSeconds(10).plus(Duration.ofDays(90)).getEpochSecond());
    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.holder()).isEmpty();
    assertThat(run.expiresAt()).contains(expiry);
    assertThat(stageExpiry(runId, "clean")).contains(expiry);
    assertThat(stageExpiry(runId, "report")).contains(expiry);
  }

  @Test
  void anEventsDetails_areReadBackAsWritten() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    Map<String, String> details =
        Map.of(
            RunEvent.DETAIL_SPARK_APP_ID,
            "local-1733390000000",
            RunEvent.DETAIL_EVENT_LOG_DIR,
            "file:/home/cairn/spark-events");
    store.recordEvent(
        RunEvent.ofRun(
            runId,
            T0,
            "01-spark",
            RunEvent.Type.SPARK_STARTED,
            lease.epoch(),
            "Spark application local-1733390000000",
            details));
    store.recordEvent(
        RunEvent.ofRun(
            runId, T0.plusMillis(1), "02-plain", RunEvent.Type.RUN_SUCCEEDED, 1, "done"));

    List<RunEvent> events = store.events(runId);

    assertThat(events).extracting(RunEvent::details).containsExactly(details, Map.of());
  }

  @Test
  void eachTransition_writesItsEvent_andHistoryReadsThemInOrder() {
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
    assertThat(events.get(0))
        .isEqualTo(
            RunEvent.ofRun(runId, T0, "00-first", RunEvent.Type.ATTEMPT_STARTED, 1, "epoch 1"));
    RunEvent retry = events.get(2);
    assertThat(retry.id()).isEqualTo("t2");
    assertThat(retry.stage()).contains("clean");
    assertThat(retry.attempt()).isEqualTo(1);
    assertThat(retry.epoch()).isEqualTo(1);
    assertThat(retry.errorClass()).contains("TRANSIENT");
    assertThat(retry.message())
        .isEqualTo("SocketTimeoutException: Read timed out; retrying in 2.5 s");
    assertThat(events.get(4).message()).isEqualTo("version 0 of /w/clean, 100 rows");
  }

  @Test
  void recordEvent_isIdempotentOnItsId_andNotFencedByALease() {
    RunEvent lost = RunEvent.ofRun(runId, T0, "e-1", RunEvent.Type.LEASE_LOST, 3, "lost it");

    store.recordEvent(lost);
    store.recordEvent(lost);

    assertThat(store.events(runId)).containsExactly(lost);
  }

  @Test
  void eventMessages_andFailureMessages_areKeptToTheirFirst4000Characters() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    String longText = String.join("", Collections.nCopies(4100, "x"));
    store.recordEvent(RunEvent.ofRun(runId, T0, "e-long", RunEvent.Type.OPERATOR, 1, longText));
    store.transition(lease, start("clean", -1));
    store.transition(
        lease,
        new StageTransition.Fail(
            "clean", 1, "PERMANENT", longText, Optional.empty(), List.of(), id(), T0));

    String kept = longText.substring(0, 4000) + "…";
    assertThat(store.events(runId))
        .filteredOn(e -> e.id().equals("e-long"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo(kept));
    assertThat(stage("clean").errorMessage()).contains(kept);
  }

  @Test
  void checkResults_roundTripOnCommitAndFail_andAStartClearsThem() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    List<CheckResult> checks =
        List.of(
            new CheckResult("not null (origin)", true, "no nulls"),
            new CheckResult("unique key (day, origin)", true, "every key once", true),
            new CheckResult(
                "row count in [1, 2]", false, "3 rows", false, Expectation.Severity.WARN),
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
            id(),
            T0));
    assertThat(stage("clean").checks()).isEqualTo(checks);

    store.transition(lease, start("clean", -1));
    assertThat(stage("clean").checks()).isEmpty();

    StageMetrics metrics = new StageMetrics(10, 1, 2, 3, 4, 5, 6, 7, 8, 9).withCheckMs(11);
    store.transition(
        lease,
        new StageTransition.Commit(
            "clean", "/w/clean", "app", 1, 3, 9, false, true, checks, metrics, id(), T0));
    assertThat(stage("clean").checks()).isEqualTo(checks);
    assertThat(stage("clean").metrics()).isEqualTo(metrics);
    assertThat(stage("clean").skippedDuplicate()).isTrue();
  }

  @Test
  void listRuns_returnsTheMostRecentlyUpdatedFirst() {
    // Later than any other test's runs, so these are the newest in a shared table.
    Instant later = T0.plus(Duration.ofDays(1000));
    String first = "job-" + UUID.randomUUID();
    String second = "job-" + UUID.randomUUID();
    String third = "job-" + UUID.randomUUID();
    store.openRun(new NewRun(first, "job", "k=1", Map.of(), "h1", "dev", later));
    store.openRun(new NewRun(second, "job", "k=2", Map.of(), "h2", "dev", later.plusSeconds(1)));
    store.openRun(new NewRun(third, "job", "k=3", Map.of(), "h3", "dev", later.plusSeconds(2)));
    Lease lease =
        store.tryAcquireLease(first, driverA, later.plusSeconds(3), TTL, null).orElseThrow();
    store.finishRun(lease, RunStatus.SUCCEEDED, "", later.plusSeconds(4));

    assertThat(store.listRuns(3))
        .extracting(RunRecord::runId)
        .containsExactly(first, third, second);
    assertThat(store.listRuns(2)).extracting(RunRecord::runId).containsExactly(first, third);
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
            "ops@host",
            List.of("side"));

    store.recordRerun(rerunLease, rerun, Map.of("k", "w"), List.of(invalidate("report", 2)));

    RunRecord run = store.findRun(runId).orElseThrow();
    assertThat(run.reruns()).containsExactly(rerun);
    assertThat(run.parameters()).containsExactly(Map.entry("k", "w"));
    assertThat(run.parametersHash()).isEqualTo("hash");
    assertThat(run.expiresAt()).isEmpty();
    assertThat(run.updatedAt()).isEqualTo(T0.plusSeconds(3));
    StageRecord report = stage("report");
    assertThat(report.status()).isEqualTo(StageStatus.PENDING);
    assertThat(report.txnVersion()).isEqualTo(2);
    assertThat(report.outputVersion()).isEqualTo(-1);
    assertThat(report.rowsWritten()).isEqualTo(-1);
    assertThat(report.baseVersion()).isEqualTo(-1);
    assertThat(report.startedAt()).isEmpty();
    assertThat(report.finishedAt()).isEmpty();
    assertThat(report.attempts()).as("kept").isEqualTo(1);
    assertThat(report.epoch()).isEqualTo(2);
    assertThat(stage("clean").status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(stageExpiry(runId, "clean")).isEmpty();
    assertThat(stageExpiry(runId, "report")).isEmpty();

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
  void recordRerun_keepsWhatTheInvalidatedStagesLastAttemptChecked_andMeasured() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    List<CheckResult> checks = List.of(new CheckResult("rows > 0", true, "3 rows"));
    StageMetrics metrics = new StageMetrics(10, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    store.transition(lease, start("clean", -1));
    store.transition(
        lease,
        new StageTransition.Commit(
            "clean", "/w/clean", "app", 1, 3, 9, false, false, checks, metrics, id(), T0));

    store.recordRerun(
        lease,
        new Rerun("r", T0, "clean", List.of("clean"), Map.of(), "ops@host"),
        Map.of("k", "v"),
        List.of(invalidate("clean", 2)));

    // An invalidation clears the outcome (version, rows, error) but neither of these.
    assertThat(stage("clean").status()).isEqualTo(StageStatus.PENDING);
    assertThat(stage("clean").checks()).isEqualTo(checks);
    assertThat(stage("clean").metrics()).isEqualTo(metrics);
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
        .hasMessage(
            fenced(
                "recording the rerun of run " + runId + " from stage clean",
                "now held by host hostB, pid 2 at epoch 2"));

    assertThat(stage("clean").status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(store.findRun(runId).orElseThrow().reruns()).isEmpty();
  }

  @Test
  void recordRerun_ofMoreStagesThanOneWriteHolds_isRefused() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    List<StageTransition.Invalidate> tooMany =
        java.util.stream.IntStream.rangeClosed(0, CheckpointStore.MAX_RERUN_STAGES)
            .mapToObj(i -> invalidate("s" + i, 2))
            .toList();

    assertThatThrownBy(
            () ->
                store.recordRerun(
                    lease,
                    new Rerun("r", T0, "s0", List.of(), Map.of(), "ops@host"),
                    Map.of(),
                    tooMany))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a rerun invalidates at most 90 stages, not 91");
  }

  @Test
  void chunkPlan_isFrozenByTheFirstPlan_andAnInvalidationClearsIt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    assertThatThrownBy(
            () -> store.planChunks(lease, "load", 1, ChunkPlan.oneChunkPerUnit(List.of("a"))))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage(
            "cannot freeze the chunk plan of stage 'load' of run "
                + runId
                + " at generation 1: the stage is not started. Fix: check `cairn status "
                + runId
                + "`; another driver may have moved it");
    store.transition(lease, start("load", -1));

    assertThat(
            store
                .planChunks(
                    lease, "load", 1, ChunkPlan.oneChunkPerUnit(List.of("2001-01", "2001-02")))
                .units())
        .containsExactly("2001-01", "2001-02");
    assertThat(
            store.planChunks(lease, "load", 1, ChunkPlan.oneChunkPerUnit(List.of("other"))).units())
        .as("a second plan for the same generation")
        .containsExactly("2001-01", "2001-02");
    assertThat(stage("load").chunkPlan().units()).containsExactly("2001-01", "2001-02");
    assertThat(stage("load").chunked()).isTrue();

    Rerun rerun = new Rerun("r1", T0, "load", List.of("load"), Map.of(), "ops@host");
    store.recordRerun(lease, rerun, Map.of("k", "v"), List.of(invalidate("load", 2)));

    assertThat(stage("load").chunked()).isFalse();
    assertThatThrownBy(
            () -> store.planChunks(lease, "load", 2, ChunkPlan.oneChunkPerUnit(List.of("a"))))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage(
            "cannot freeze the chunk plan of stage 'load' of run "
                + runId
                + " at generation 2: the stage is PENDING at generation 2. Fix: check `cairn"
                + " status "
                + runId
                + "`; another driver may have moved it");
  }

  @Test
  void chunkPlan_withADuplicateKey_isRefusedNamingIt() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("load", -1));

    assertThatThrownBy(
            () ->
                store.planChunks(
                    lease, "load", 1, ChunkPlan.oneChunkPerUnit(List.of("a", "b", "a"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the chunk plan of stage 'load' names unit 'a' twice. Fix: make its planner return"
                + " distinct keys");
    assertThat(stage("load").chunked()).isFalse();
  }

  @Test
  void chunkPlan_keepsItsUnitsGroupedIntoChunks_andTheSizingDecision() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("load", -1));
    ChunkDecision decision =
        new ChunkDecision(
            5,
            2,
            500,
            0.31,
            "this run",
            62.0,
            "upstream stages",
            86_400,
            231.2,
            300,
            "CAIRN_CHUNK_MAX_SECONDS",
            0.02,
            231.2);
    ChunkPlan plan =
        new ChunkPlan(List.of("d1", "d2", "d3", "d4", "d5"), List.of(0, 3), Optional.of(decision));

    store.planChunks(lease, "load", 1, plan);

    ChunkPlan stored = stage("load").chunkPlan();
    assertThat(stored).isEqualTo(plan);
    assertThat(stored.chunks()).extracting(Chunk::key).containsExactly("d1..d3", "d4..d5");
    assertThat(stored.decision().orElseThrow().describe())
        .isEqualTo(
            "5 units in 2 chunks: τ 231 s from C 0.31 s, M 24 h, cap 300 s; expected 62 s"
                + " (upstream stages)");
  }

  @Test
  void chunkPlan_withAnUnknownDuration_keepsItsNaNs() {
    Lease lease = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(lease, start("load", -1));
    ChunkDecision decision =
        new ChunkDecision(
            2,
            2,
            2,
            0.3,
            "default",
            Double.NaN,
            "no earlier run",
            86_400,
            227.5,
            300,
            "default",
            0.02,
            Double.NaN);
    ChunkPlan plan = new ChunkPlan(List.of("a", "b"), List.of(0, 1), Optional.of(decision));

    store.planChunks(lease, "load", 1, plan);

    assertThat(stage("load").chunkPlan().decision().orElseThrow().estimated()).isFalse();
    assertThat(stage("load").chunkPlan()).isEqualTo(plan);
  }

  @Test
  void chunkPlan_ofADriverThatLostTheLease_isFenced() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.transition(a, start("load", -1));
    store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();

    assertThatThrownBy(
            () -> store.planChunks(a, "load", 1, ChunkPlan.oneChunkPerUnit(List.of("x"))))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(
            fenced(
                "freezing the chunk plan of stage load of run " + runId,
                "now held by host hostB, pid 2 at epoch 2"));
    assertThat(stage("load").chunked()).isFalse();
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
            ChunkRecord::key,
            ChunkRecord::status,
            ChunkRecord::executions,
            ChunkRecord::outputVersion,
            ChunkRecord::rowsWritten,
            ChunkRecord::recovered)
        .containsExactly(
            tuple(0, "k0", ChunkRecord.ChunkStatus.COMMITTED, 2, 7L, 10L, false),
            tuple(1, "k1", ChunkRecord.ChunkStatus.COMMITTED, 0, 8L, 10L, true),
            tuple(2, "k2", ChunkRecord.ChunkStatus.RUNNING, 1, -1L, -1L, false));
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
        .hasMessage(
            "chunk 3 (k3) of stage 'load' of run "
                + runId
                + " is not started and cannot move to COMMITTED. Fix: check `cairn status "
                + runId
                + "`; another driver may have moved it");
  }

  @Test
  void chunkTransition_ofADriverThatLostTheLease_isFenced() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.transition(a, chunkStart(0)))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(
            fenced(
                "moving chunk 0 (k0) of stage load of run " + runId + " to RUNNING",
                "now held by host hostB, pid 2 at epoch 2"));
    assertThat(store.chunks(runId, "load", 1)).isEmpty();
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
  void recordPlan_ofTheRunsInputs_keepsAManifestOrAPinnedTableVersion_separateFromStagePlans() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    InputPlan big =
        new InputPlan(runId, InputPlan.RUN_SCOPE, "flights", 0, "s3a://b/in/flights", List.of(), T0)
            .inManifest(
                new InputPlan.Manifest(
                    "s3a://w/_cairn/inputs/" + runId + "/abc.jsonl", "abc", 4000, 123_456_789L));
    InputPlan table =
        new InputPlan(
            runId,
            InputPlan.RUN_SCOPE,
            "customers",
            0,
            "s3a://w/customers",
            List.of(),
            java.util.Optional.empty(),
            42,
            T0);

    assertThat(store.recordPlan(a, big)).isEqualTo(big);
    assertThat(store.recordPlan(a, table)).isEqualTo(table);

    assertThat(store.findPlan(runId, InputPlan.RUN_SCOPE, "flights", 0)).contains(big);
    assertThat(store.findPlan(runId, InputPlan.RUN_SCOPE, "customers", 0))
        .hasValueSatisfying(p -> assertThat(p.tableVersion()).isEqualTo(42))
        .contains(table);
    assertThat(store.findPlan(runId, InputPlan.RUN_SCOPE, "flights", 1)).isEmpty();
    assertThat(store.findPlan(runId, "clean", "flights", 0)).isEmpty();
  }

  @Test
  void plans_listEveryPlanOfTheRun_runScopeFirst_thenByStage_snapshotAndName() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    InputPlan lazy = plan("/in/a");
    InputPlan airports =
        new InputPlan(
            runId,
            InputPlan.RUN_SCOPE,
            "airports",
            0,
            "/in/airports.csv",
            List.of(new InputPlan.PlannedFile("/in/airports.csv", 9, "mtime:1")),
            T0);
    InputPlan flightsAfterRerun =
        new InputPlan(runId, InputPlan.RUN_SCOPE, "flights", 1, "/in/flights", List.of(), T0)
            .inManifest(new InputPlan.Manifest("/w/_cairn/inputs/m.jsonl", "abc", 4000, 77L));
    InputPlan flights =
        new InputPlan(
            runId,
            InputPlan.RUN_SCOPE,
            "flights",
            0,
            "/in/flights",
            List.of(new InputPlan.PlannedFile("/in/flights/part-0", 5, "mtime:2")),
            T0);
    InputPlan airportsAfterRerun =
        new InputPlan(
            runId,
            InputPlan.RUN_SCOPE,
            "airports",
            1,
            "/in/airports.csv",
            List.of(new InputPlan.PlannedFile("/in/airports.csv", 9, "mtime:3")),
            T0);
    InputPlan lazyOfAnotherStage =
        new InputPlan(
            runId,
            "airport_daily",
            "flights",
            2,
            "/in",
            List.of(new InputPlan.PlannedFile("/in/b", 1, "mtime:1")),
            T0);
    // Recorded out of order; the keys' own order (plan#*#airports#0, plan#*#airports#1, ...) is
    // not the order asked for either.
    for (InputPlan p :
        List.of(
            lazy, flightsAfterRerun, airportsAfterRerun, lazyOfAnotherStage, airports, flights)) {
      store.recordPlan(a, p);
    }
    String otherRun = runId + "-other";
    store.openRun(new NewRun(otherRun, "job", "k=v", Map.of("k", "v"), "hash", "dev", T0));
    Lease other = store.tryAcquireLease(otherRun, driverA, T0, TTL, null).orElseThrow();
    store.recordPlan(
        other, new InputPlan(otherRun, InputPlan.RUN_SCOPE, "flights", 0, "/x", List.of(), T0));

    assertThat(store.plans(runId))
        .containsExactly(
            airports, flights, airportsAfterRerun, flightsAfterRerun, lazyOfAnotherStage, lazy);
    assertThat(store.plans("no-such-run")).isEmpty();
  }

  @Test
  void recordPlan_byADriverThatLostTheLease_isRefusedAndWritesNothing() {
    Lease a = store.tryAcquireLease(runId, driverA, T0, TTL, null).orElseThrow();
    store.tryAcquireLease(runId, driverB, T0.plusSeconds(31), TTL, null).orElseThrow();

    assertThatThrownBy(() -> store.recordPlan(a, plan("/in/a")))
        .isInstanceOf(RunHeldException.class)
        .hasMessage(
            fenced(
                "recording the input plan of flights for stage clean of run " + runId,
                "now held by host hostB, pid 2 at epoch 2"));
    assertThat(store.findPlan(runId, "clean", "flights", 1)).isEmpty();
  }

  /** The message of a write refused to a driver that lost run {@link #runId}. */
  String fenced(String what, String state) {
    return "this driver lost run "
        + runId
        + " while "
        + what
        + ": the run is "
        + state
        + ", so this driver's writes are refused (epoch fencing). Fix: nothing to do if the other"
        + " driver is working; otherwise `cairn resume "
        + runId
        + "`";
  }

  StageRecord stage(String name) {
    return store.stages(runId).stream()
        .filter(s -> s.stage().equals(name))
        .findFirst()
        .orElseThrow();
  }

  InputPlan plan(String file) {
    return new InputPlan(
        runId,
        "clean",
        "flights",
        1,
        "/in",
        List.of(new InputPlan.PlannedFile(file, 1, "mtime:1")),
        T0);
  }

  StageTransition.Start start(String stage, long base) {
    return new StageTransition.Start(
        stage, 1, "/w/" + stage, "cairn:" + runId + ":" + stage, 1, base, id(), T0);
  }

  StageTransition.Commit commit(String stage, long version, boolean recovered) {
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
        id(),
        T0);
  }

  StageTransition.Invalidate invalidate(String stage, long txnVersion) {
    return new StageTransition.Invalidate(
        stage, "/w/" + stage, "cairn:" + runId + ":" + stage, txnVersion, id(), T0);
  }

  static ChunkTransition.Start chunkStart(int index) {
    return new ChunkTransition.Start("load", 1, index, "k" + index, id(), T0);
  }

  static ChunkTransition.Commit chunkCommit(int index, long version, boolean recovered) {
    return new ChunkTransition.Commit(
        "load", 1, index, "k" + index, version, 10, recovered, id(), T0);
  }

  static String id() {
    return UUID.randomUUID().toString();
  }
}
