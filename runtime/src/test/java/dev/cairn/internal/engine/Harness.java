package dev.cairn.internal.engine;

import dev.cairn.Parameters;
import dev.cairn.internal.chunking.SizingSettings;
import dev.cairn.internal.interrupt.Interruption;
import dev.cairn.internal.metrics.StageObserver;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.testing.InMemoryCheckpointStore;
import dev.cairn.testing.InMemoryTableStore;
import dev.cairn.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** One run of {@link ThreeStageJob} against in-memory fakes, and the drivers that run it. */
final class Harness {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration TTL = Duration.ofMinutes(2);
  static final String HOST = "driver-host";
  static final RunExecutor.Settings SETTINGS =
      new RunExecutor.Settings(TTL, Duration.ZERO, HOST, "test-code");

  /** Above Linux's pid_max, so never a live process. */
  static final long DEAD_PID = 999_999_999L;

  final MutableClock clock = new MutableClock(T0);
  final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  final InMemoryTableStore tables = new InMemoryTableStore("memory://warehouse");
  final ThreeStageJob job = new ThreeStageJob();
  final Parameters parameters = Parameters.of(Map.of("date", "2024-01-31"));
  final String runId = RunIdentity.of(job.name(), parameters).runId();
  final AtomicInteger cancellations = new AtomicInteger();

  /** What the drivers built from now on are told; replace it to model another process. */
  Interruption interruption = new Interruption();

  /** Backoff waits the executor asked for, in order; none is slept for real. */
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  RunExecutor driver(LeaseHolder holder) {
    return driver(holder, FaultPoints.NONE);
  }

  RunExecutor driver(LeaseHolder holder, FaultPoints faults) {
    return driver(holder, faults, StageObserver.NONE);
  }

  /** How the drivers built from now on read a recorded run's parameters on their host. */
  HostParameters hostParameters = HostParameters.RECORDED;

  /** What the drivers are told of their Spark application: nothing unless a test sets it. */
  SparkStarts sparkStarts = SparkStarts.NONE;

  RunExecutor driver(LeaseHolder holder, FaultPoints faults, StageObserver observer) {
    return driver(holder, faults, observer, SizingSettings.DEFAULTS);
  }

  RunExecutor driver(
      LeaseHolder holder, FaultPoints faults, StageObserver observer, SizingSettings sizing) {
    return new RunExecutor(
        RunServices.builder(store, tables, () -> null, clock, holder, SETTINGS)
            .sparkStarts(sparkStarts)
            .faults(faults)
            .cancelWork(cancellations::incrementAndGet)
            .sleeper(sleeps::add)
            .observer(observer)
            .interruption(interruption)
            .sizing(sizing)
            .hostParameters(hostParameters)
            .build());
  }

  RunOutcome run(LeaseHolder holder) {
    return driver(holder).run(job, parameters);
  }

  /** A driver process on another host: it cannot be checked, so its lease must expire. */
  static LeaseHolder remote(String name, long pid) {
    return new LeaseHolder(name + ":" + pid, "ip-10-0-0-" + pid % 250, pid, T0);
  }

  /** A driver process on this host that is alive: this JVM, under another holder id. */
  static LeaseHolder liveLocal(String name) {
    ProcessHandle self = ProcessHandle.current();
    return new LeaseHolder(
        name,
        HOST,
        self.pid(),
        self.info().startInstant().orElse(Instant.EPOCH),
        LeaseHolder.thisMachine());
  }

  /** A driver process on this host that no longer exists. */
  static LeaseHolder deadLocal(String name) {
    return new LeaseHolder(name, HOST, DEAD_PID, T0, LeaseHolder.thisMachine());
  }

  String location(String table) {
    return tables.location(table);
  }

  String appId(String stage) {
    return "cairn:" + runId + ":" + stage;
  }

  StageRecord stage(String name) {
    return store.stages(runId).stream()
        .filter(s -> s.stage().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no checkpoint for stage " + name));
  }

  RunRecord run() {
    return store.findRun(runId).orElseThrow();
  }

  void expireLease() {
    clock.advance(TTL.plusSeconds(1));
  }
}
