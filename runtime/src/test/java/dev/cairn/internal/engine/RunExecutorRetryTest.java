package dev.cairn.internal.engine;

import static dev.cairn.internal.engine.ThreeStageJob.CLEAN;
import static dev.cairn.internal.engine.ThreeStageJob.INGEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.BadInputException;
import dev.cairn.RetryPolicy;
import dev.cairn.StageFailedException;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transient failures are retried on the driver with backoff; nothing else is. */
class RunExecutorRetryTest {
  private final Harness h = new Harness();
  private final LeaseHolder driver = Harness.remote("driver", 101);

  private static RuntimeException transientFailure() {
    return new RuntimeException(
        "Job aborted due to stage failure",
        new RuntimeException(
            "Unable to execute HTTP request", new SocketTimeoutException("Read timed out")));
  }

  @Test
  void transientComputeFailure_isRetriedWithBackoff_andTheStageCommitsOnce() {
    h.job.onNextCompute(
        CLEAN,
        c -> {
          throw transientFailure();
        });
    h.job.onNextCompute(
        CLEAN,
        c -> {
          throw transientFailure();
        });

    h.run(driver);

    StageRecord clean = h.stage(CLEAN);
    assertThat(clean.status()).isEqualTo(StageStatus.COMMITTED);
    assertThat(clean.attempts()).isEqualTo(3);
    assertThat(h.tables.commits(h.location("clean_flights"))).hasSize(1);
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(3);
    // Default policy: about 2 s then about 4 s, each +-50 %.
    assertThat(h.sleeps).hasSize(2);
    assertThat(h.sleeps.get(0)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(3000));
    assertThat(h.sleeps.get(1)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(6000));
    assertThat(h.run().status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void everyRetry_isRecordedAsAnEvent_withItsClassAndCause() {
    h.job.onNextCompute(
        CLEAN,
        c -> {
          throw transientFailure();
        });

    h.run(driver);

    List<RunEvent> retries =
        h.store.events(h.runId).stream()
            .filter(e -> e.type() == RunEvent.Type.STAGE_RETRY)
            .toList();
    assertThat(retries).hasSize(1);
    RunEvent retry = retries.get(0);
    assertThat(retry.stage()).contains(CLEAN);
    assertThat(retry.attempt()).isEqualTo(1);
    assertThat(retry.errorClass()).contains("TRANSIENT");
    assertThat(retry.message())
        .startsWith("SocketTimeoutException: Read timed out; retrying in ")
        .endsWith(" s");
  }

  @Test
  void history_ofACleanRun_tellsStartEachStageAndTheEnd_inOrder() {
    h.run(driver);

    assertThat(h.store.events(h.runId))
        .extracting(e -> e.type() + e.stage().map(s -> " " + s).orElse(""))
        .containsExactly(
            "ATTEMPT_STARTED",
            "STAGE_STARTED ingest",
            "STAGE_COMMITTED ingest",
            "STAGE_STARTED clean",
            "STAGE_COMMITTED clean",
            "STAGE_STARTED report",
            "STAGE_COMMITTED report",
            "RUN_SUCCEEDED");
  }

  @Test
  void transientFailureThatOutlastsThePolicy_failsTheStage_sayingHowManyAttempts() {
    h.job.retryWith(RetryPolicy.ofDefaults().withMaxAttempts(2));
    for (int i = 0; i < 2; i++) {
      h.job.onNextCompute(
          CLEAN,
          c -> {
            throw transientFailure();
          });
    }

    assertThatThrownBy(() -> h.run(driver))
        .isInstanceOf(StageFailedException.class)
        .hasMessageStartingWith(
            "stage 'clean' of run "
                + h.runId
                + " failed after 2 attempts (TRANSIENT): SocketTimeoutException: Read timed out."
                + " Nothing from it was published. Fix: check the service named above is healthy");

    StageRecord clean = h.stage(CLEAN);
    assertThat(clean.status()).isEqualTo(StageStatus.FAILED);
    assertThat(clean.errorClass()).contains("TRANSIENT");
    assertThat(clean.attempts()).isEqualTo(2);
    assertThat(h.sleeps).hasSize(1);
    assertThat(h.run().status()).isEqualTo(RunStatus.FAILED);
    assertThat(h.store.events(h.runId))
        .extracting(RunEvent::type)
        .contains(RunEvent.Type.STAGE_RETRY, RunEvent.Type.STAGE_FAILED, RunEvent.Type.RUN_FAILED);
  }

  @Test
  void stagePolicy_overridesTheJobs() {
    h.job.retryStageWith(CLEAN, RetryPolicy.none());
    h.job.onNextCompute(
        CLEAN,
        c -> {
          throw transientFailure();
        });

    assertThatThrownBy(() -> h.run(driver))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining("failed (TRANSIENT): SocketTimeoutException: Read timed out");
    assertThat(h.sleeps).isEmpty();
    assertThat(h.stage(CLEAN).attempts()).isEqualTo(1);
  }

  @Test
  void permanentFailure_isNotRetried() {
    h.job.onNextCompute(
        CLEAN,
        c -> {
          throw new IllegalArgumentException("cannot cast 'N/A' to INT");
        });

    assertThatThrownBy(() -> h.run(driver))
        .isInstanceOf(StageFailedException.class)
        .hasMessageContaining(
            "failed (PERMANENT): IllegalArgumentException: cannot cast 'N/A' to INT");
    assertThat(h.sleeps).isEmpty();
    assertThat(h.job.computeCalls(CLEAN)).isEqualTo(1);
  }

  @Test
  void badInput_isNotRetried_andItsMessageIsTheJobs() {
    h.job.onNextCompute(
        INGEST,
        c -> {
          throw new BadInputException(
              "input /data/flights.parquet (parameter 'flights') has no column 'delay'",
              "give -p flights=<a file with columns date, delay, distance, origin, destination>");
        });

    assertThatThrownBy(() -> h.run(driver))
        .isInstanceOf(StageFailedException.class)
        .hasMessage(
            "stage 'ingest' of run "
                + h.runId
                + " failed (BAD_INPUT): input /data/flights.parquet (parameter 'flights') has no"
                + " column 'delay'. Fix: give -p flights=<a file with columns date, delay, distance,"
                + " origin, destination>. Nothing from it was published. Fix: correct the input"
                + " named above, then `cairn resume "
                + h.runId
                + "`; `cairn runbook "
                + h.runId
                + "` shows the recovery commands");
    assertThat(h.stage(INGEST).errorClass()).contains("BAD_INPUT");
    assertThat(h.sleeps).isEmpty();
    assertThat(h.tables.commits(h.location("raw_flights"))).isEmpty();
  }

  @Test
  void transientWriteFailure_isRetried_andPublishesOnce() {
    h.tables.failNextWrite(
        new IllegalStateException("S3 SlowDown: Please reduce your request rate"));

    h.run(driver);

    assertThat(h.tables.writes(h.location("raw_flights"))).isEqualTo(2);
    assertThat(h.tables.commits(h.location("raw_flights"))).hasSize(1);
    assertThat(h.stage(INGEST).attempts()).isEqualTo(2);
    assertThat(h.sleeps).hasSize(1);
  }
}
