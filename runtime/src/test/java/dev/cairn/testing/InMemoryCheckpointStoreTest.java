package dev.cairn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.StateUnknownException;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import dev.cairn.internal.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the fake does: injected faults and request counters. The behaviour it shares with the
 * DynamoDB store is {@code CheckpointStoreContract}, run on it by {@code
 * InMemoryCheckpointStoreContractTest}.
 */
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

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
