package dev.cairn.cli;

import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.StageTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Puts runs of {@link DemoJob} into a checkpoint store directly, in the states the CLI tests need,
 * as a driver would have left them (the CLI tests compute nothing: that would need Spark).
 */
final class Checkpoints {
  static final Duration TTL = Duration.ofSeconds(30);
  static final LeaseHolder DRIVER =
      new LeaseHolder("test-host:4242:abc", "test-host", 4242, Instant.EPOCH);

  private final CheckpointStore store;

  Checkpoints(CheckpointStore store) {
    this.store = store;
  }

  /** A new run of the demo job with these parameters; returns its id. */
  String openRun(Instant at, Map<String, String> parameters) {
    String runId = "demo-" + UUID.randomUUID();
    store.openRun(new NewRun(runId, DemoJob.NAME, "k", parameters, "hash", "dev", at));
    return runId;
  }

  Lease lease(String runId, Instant at) {
    return store.tryAcquireLease(runId, DRIVER, at, TTL, null).orElseThrow();
  }

  /** Starts and commits {@code stage} at {@code version} of {@code /w/<table>}. */
  void committed(Lease lease, String stage, String table, long version, Instant at) {
    store.transition(
        lease,
        new StageTransition.Start(
            stage, 1, "/w/" + table, appId(lease, stage), 1, version - 1, id(), at));
    store.transition(
        lease,
        new StageTransition.Commit(
            stage,
            "/w/" + table,
            appId(lease, stage),
            1,
            version,
            100,
            false,
            false,
            java.util.List.of(),
            dev.cairn.internal.store.StageMetrics.NONE,
            id(),
            at));
  }

  /** Starts {@code stage} and fails it with {@code errorClass} and {@code message}. */
  void failed(
      Lease lease, String stage, String table, String errorClass, String message, Instant at) {
    store.transition(
        lease,
        new StageTransition.Start(stage, 1, "/w/" + table, appId(lease, stage), 1, -1, id(), at));
    store.transition(
        lease,
        new StageTransition.Fail(
            stage,
            1,
            errorClass,
            message,
            java.util.Optional.empty(),
            java.util.List.of(),
            id(),
            at));
  }

  private static String appId(Lease lease, String stage) {
    return "cairn:" + lease.runId() + ":" + stage;
  }

  /** Unique, like the runtime's: it is also the write's idempotency token. */
  private static String id() {
    return UUID.randomUUID().toString();
  }
}
