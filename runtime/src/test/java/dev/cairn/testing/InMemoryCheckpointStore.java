package dev.cairn.testing;

import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.RunHeldException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.ChunkPlan;
import dev.cairn.internal.store.ChunkPlans;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.ChunkTransition;
import dev.cairn.internal.store.IllegalTransitionException;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import dev.cairn.internal.store.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A {@link CheckpointStore} in memory with the semantics of the DynamoDB one: the lease is taken
 * conditionally (free, expired, already mine, or held by a named dead holder) and each taking
 * increments the epoch; renewals, stage transitions and {@code finishRun} apply only at the lease's
 * epoch and holder, else throw {@link RunHeldException} ("epoch fencing") and change nothing; a
 * stage moves only from its transition's {@code allowedFrom} states (PENDING meaning "no item
 * yet"), else {@link IllegalTransitionException}.
 *
 * <p>Fault injection, after Iceberg's {@code failCommits(n)}: {@link #failNextWrites(int)} makes
 * writes not land and throw {@link StoreUnavailableException} (as after the SDK's retries with a
 * read-back showing nothing landed); {@link #loseNextWriteOutcomes(int)} makes writes land and then
 * throw {@link StateUnknownException} (as when both the response and the read-back were lost).
 * Every write consumes injected faults in order: openRun, tryAcquireLease, renewLease, transition,
 * finishRun. Like the DynamoDB store, a failed openRun of a run that exists returns the run.
 *
 * <p>{@link #writes()} and {@link #reads()} count the requests the DynamoDB store would make for
 * each call (openRun is a conditional put and a read), for store-cost assertions.
 *
 * <p>Like the DynamoDB store, {@code finishRun(SUCCEEDED)} sets an expiry (finish + retention) on
 * the run and all its stage items ({@link #expiresAt(String, String)}); a rerun removes it. Nothing
 * is ever deleted.
 *
 * <p>{@code CheckpointStoreContract} runs the same behaviour tests on this fake and on the DynamoDB
 * store; where they differ, the DynamoDB store is right and this fake follows it (messages, what a
 * move keeps, text truncated as DynamoDB stores it).
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {
  private static final String TABLE = "in-memory checkpoint table";
  private final Duration retention;

  private final Map<String, RunItem> runs = new LinkedHashMap<>();
  private final Map<String, Map<String, StageItem>> stages = new HashMap<>();
  private final Map<String, Map<String, RunEvent>> events = new HashMap<>();
  private final Map<String, Map<String, ChunkItem>> chunks = new HashMap<>();
  private final Map<String, InputPlan> plans = new HashMap<>();
  private long updates;
  private int failWrites;
  private int passWrites;
  private int loseWriteOutcomes;
  private int writes;
  private int reads;

  /** A store keeping succeeded runs for 90 days, like the DynamoDB store's default. */
  public InMemoryCheckpointStore() {
    this(Duration.ofDays(90));
  }

  public InMemoryCheckpointStore(Duration retention) {
    this.retention = retention;
  }

  /** The expiry of a stage item, if it has one. */
  public synchronized Optional<Instant> expiresAt(String runId, String stage) {
    return Optional.ofNullable(stages.getOrDefault(runId, Map.of()).get(stage))
        .map(item -> item.expiresAt);
  }

  /** The next {@code n} writes do not land and throw {@link StoreUnavailableException}. */
  public synchronized void failNextWrites(int n) {
    failWrites = n;
    passWrites = 0;
  }

  /**
   * After {@code passed} more writes land, the {@code n} next ones fail as {@link #failNextWrites}.
   */
  public synchronized void failWritesAfter(int passed, int n) {
    failWrites = n;
    passWrites = passed;
  }

  /** The next {@code n} writes land, then throw {@link StateUnknownException}. */
  public synchronized void loseNextWriteOutcomes(int n) {
    loseWriteOutcomes = n;
  }

  /** Write requests made so far. */
  public synchronized int writes() {
    return writes;
  }

  /** Read requests made so far. */
  public synchronized int reads() {
    return reads;
  }

  @Override
  public synchronized RunRecord openRun(NewRun run) {
    writes++;
    reads++;
    String what = "creating run " + run.runId();
    if (failing()) {
      // The DynamoDB store reads back: a run that exists is returned, the put did not matter.
      if (runs.containsKey(run.runId())) {
        return runs.get(run.runId()).toRecord();
      }
      throw notLanded(what);
    }
    runs.computeIfAbsent(run.runId(), id -> new RunItem(run, ++updates));
    if (loseWriteOutcomes > 0) {
      loseWriteOutcomes--;
      throw unknown(what);
    }
    return runs.get(run.runId()).toRecord();
  }

  @Override
  public synchronized Optional<RunRecord> findRun(String runId) {
    reads++;
    return Optional.ofNullable(runs.get(runId)).map(RunItem::toRecord);
  }

  @Override
  public synchronized List<RunRecord> listRuns(int limit) {
    reads++;
    return runs.values().stream()
        .sorted(
            Comparator.comparing((RunItem r) -> r.updatedAt)
                .thenComparingLong(r -> r.sequence)
                .reversed())
        .limit(limit)
        .map(RunItem::toRecord)
        .toList();
  }

  /** The stages of a run, ordered by name like the DynamoDB query on {@code stage#<name>}. */
  @Override
  public synchronized List<StageRecord> stages(String runId) {
    reads++;
    return stages.getOrDefault(runId, Map.of()).values().stream().map(StageItem::toRecord).toList();
  }

  @Override
  public synchronized Optional<Lease> tryAcquireLease(
      String runId, LeaseHolder holder, Instant now, Duration ttl, String deadHolderId) {
    return write(
        "taking the lease of run " + runId,
        () -> {
          RunItem run = runs.get(runId);
          if (run == null) {
            return Optional.empty();
          }
          boolean free =
              run.holder == null
                  || run.leaseExpiresAt.isBefore(now)
                  || run.holder.id().equals(holder.id())
                  || run.holder.id().equals(deadHolderId);
          if (!free) {
            return Optional.empty();
          }
          run.epoch++;
          run.holder = holder;
          run.leaseSince = now;
          run.leaseExpiresAt = now.plus(ttl);
          run.status = RunStatus.RUNNING;
          run.reason = "";
          run.reasonClass = null;
          run.touch(now, ++updates);
          return Optional.of(new Lease(runId, run.epoch, holder));
        });
  }

  @Override
  public synchronized Instant renewLease(Lease lease, Instant now, Duration ttl) {
    return write(
        "renewing the lease of run " + lease.runId(),
        () -> {
          guard(lease, "renewing its lease").leaseExpiresAt = now.plus(ttl);
          return now.plus(ttl);
        });
  }

  @Override
  public synchronized void transition(Lease lease, StageTransition transition) {
    String what = transition.describe(lease.runId());
    write(
        what,
        () -> {
          guard(lease, "moving stage " + transition.stage() + " to " + transition.to());
          Map<String, StageItem> ofRun =
              stages.computeIfAbsent(lease.runId(), id -> new TreeMap<>());
          StageItem current = ofRun.get(transition.stage());
          StageStatus from = current == null ? StageStatus.PENDING : current.status;
          if (!transition.allowedFrom().contains(from)) {
            throw IllegalTransitionException.refused(lease.runId(), transition, from);
          }
          StageItem stage =
              current != null ? current : new StageItem(lease.runId(), transition.stage());
          stage.apply(transition, lease.epoch());
          ofRun.put(transition.stage(), stage);
          addEvent(RunEvent.of(lease, transition));
          return null;
        });
  }

  @Override
  public synchronized boolean breakLease(
      String runId, long expectedEpoch, BreakMode mode, Instant now, String reason) {
    return write(
        "breaking the lease of run " + runId,
        () -> {
          RunItem run = runs.get(runId);
          boolean breakable =
              run != null
                  && run.epoch == expectedEpoch
                  && run.holder != null
                  && (mode == BreakMode.FORCE || run.leaseExpiresAt.isBefore(now));
          if (!breakable) {
            return false;
          }
          run.epoch++;
          run.holder = null;
          run.leaseSince = Instant.EPOCH;
          run.leaseExpiresAt = now;
          run.status = RunStatus.INTERRUPTED;
          run.reason = truncate(reason, 4000);
          run.reasonClass = null;
          run.touch(now, ++updates);
          return true;
        });
  }

  @Override
  public synchronized void recordEvent(RunEvent event) {
    write("recording event " + event.type() + " of run " + event.runId(), () -> addEvent(event));
  }

  @Override
  public synchronized List<RunEvent> events(String runId) {
    reads++;
    return List.copyOf(events.getOrDefault(runId, new TreeMap<>()).values());
  }

  private Void addEvent(RunEvent event) {
    RunEvent stored =
        new RunEvent(
            event.runId(),
            event.at(),
            event.id(),
            event.type(),
            event.stage(),
            event.attempt(),
            event.epoch(),
            event.errorClass(),
            truncate(event.message(), 4000),
            event.details());
    events
        .computeIfAbsent(event.runId(), id -> new TreeMap<>())
        .put(String.format("%013d#%s", event.at().toEpochMilli(), event.id()), stored);
    return null;
  }

  /** As the DynamoDB store stores text: at most {@code max} characters and an ellipsis. */
  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  private static List<CheckResult> truncated(List<CheckResult> checks) {
    return checks.stream()
        .map(
            c ->
                new CheckResult(
                    truncate(c.check(), 400),
                    c.passed(),
                    truncate(c.detail(), 1000),
                    c.provenByPlan(),
                    c.severity()))
        .toList();
  }

  @Override
  public synchronized void finishRun(
      Lease lease,
      RunStatus status,
      String reason,
      Optional<FailureClass> reasonClass,
      Instant now) {
    if (status == RunStatus.SUCCEEDED) {
      reads++; // the DynamoDB store queries the run's other items to expire them with it
    }
    write(
        "finishing run " + lease.runId() + " as " + status,
        () -> {
          RunItem run = guard(lease, "finishing the run as " + status);
          if (status == RunStatus.SUCCEEDED) {
            Instant expires = Instant.ofEpochSecond(now.plus(retention).getEpochSecond());
            run.expiresAt = expires;
            stages
                .getOrDefault(lease.runId(), Map.of())
                .values()
                .forEach(i -> i.expiresAt = expires);
          }
          run.status = status;
          run.reason = reason == null ? "" : truncate(reason, 4000);
          run.reasonClass = status == RunStatus.SUCCEEDED ? null : reasonClass.orElse(null);
          run.leaseExpiresAt = now;
          run.holder = null;
          run.leaseSince = Instant.EPOCH;
          run.touch(now, ++updates);
          return null;
        });
  }

  @Override
  public synchronized void recordRerun(
      Lease lease,
      Rerun rerun,
      Map<String, String> parameters,
      List<StageTransition.Invalidate> invalidations) {
    if (invalidations.size() > MAX_RERUN_STAGES) {
      throw new IllegalArgumentException(
          "a rerun invalidates at most "
              + MAX_RERUN_STAGES
              + " stages, not "
              + invalidations.size());
    }
    reads++; // the DynamoDB store queries the run's other items to clear their expiry
    String what = "recording the rerun of run " + lease.runId() + " from stage " + rerun.from();
    write(
        what,
        () -> {
          RunItem run = guard(lease, what);
          Map<String, StageItem> ofRun =
              stages.computeIfAbsent(lease.runId(), id -> new TreeMap<>());
          for (StageTransition.Invalidate invalidate : invalidations) {
            StageItem stage =
                ofRun.computeIfAbsent(
                    invalidate.stage(), name -> new StageItem(lease.runId(), name));
            stage.apply(invalidate, lease.epoch());
          }
          ofRun.values().forEach(item -> item.expiresAt = null);
          run.parameters = Map.copyOf(parameters);
          run.reruns.add(rerun);
          run.expiresAt = null;
          run.touch(rerun.at(), ++updates);
          return null;
        });
  }

  @Override
  public synchronized ChunkPlan planChunks(
      Lease lease, String stage, long generation, ChunkPlan plan) {
    ChunkPlans.check(stage, plan);
    String what = "freezing the chunk plan of stage " + stage + " of run " + lease.runId();
    return write(
        what,
        () -> {
          guard(lease, what);
          StageItem item = stages.getOrDefault(lease.runId(), Map.of()).get(stage);
          if (item != null && item.txnVersion == generation && item.chunkPlan.planned()) {
            return item.chunkPlan; // planned before: that plan stands
          }
          if (item == null || item.status != StageStatus.RUNNING || item.txnVersion != generation) {
            throw IllegalTransitionException.notPlannable(
                lease.runId(), stage, generation, item == null ? null : item.toRecord());
          }
          item.chunkPlan = plan;
          return item.chunkPlan;
        });
  }

  @Override
  public synchronized List<ChunkRecord> chunks(String runId, String stage, long generation) {
    reads++;
    return chunks.getOrDefault(runId, Map.of()).values().stream()
        .filter(c -> c.stage.equals(stage) && c.generation == generation)
        .map(ChunkItem::toRecord)
        .sorted(java.util.Comparator.comparingInt(ChunkRecord::index))
        .toList();
  }

  @Override
  public synchronized void transition(Lease lease, ChunkTransition transition) {
    write(
        transition.describe(lease.runId()),
        () -> {
          guard(lease, transition.describe(lease.runId()));
          Map<String, ChunkItem> ofRun =
              chunks.computeIfAbsent(lease.runId(), id -> new TreeMap<>());
          String id =
              transition.stage() + "#g" + transition.generation() + "#" + transition.index();
          ChunkItem current = ofRun.get(id);
          boolean allowed =
              transition instanceof ChunkTransition.Commit commit && !commit.recovered()
                  ? current != null && current.status == ChunkRecord.ChunkStatus.RUNNING
                  : current == null || current.status == ChunkRecord.ChunkStatus.RUNNING;
          if (!allowed) {
            throw IllegalTransitionException.refused(
                lease.runId(), transition, current == null ? "not started" : current.status.name());
          }
          ChunkItem chunk = current != null ? current : new ChunkItem(lease.runId(), transition);
          chunk.apply(transition, lease.epoch());
          ofRun.put(id, chunk);
          return null;
        });
  }

  @Override
  public void close() {}

  /** Whether this write fails, consuming an injected fault if one is due. */
  private boolean failing() {
    if (failWrites == 0) {
      return false;
    }
    if (passWrites > 0) {
      passWrites--;
      return false;
    }
    failWrites--;
    return true;
  }

  /** Applies a write, consuming an injected fault if one is armed. */
  private <T> T write(String what, Supplier<T> apply) {
    writes++;
    if (failing()) {
      throw notLanded(what);
    }
    if (loseWriteOutcomes > 0) {
      loseWriteOutcomes--;
      try {
        apply.get();
      } catch (CairnException refused) {
        // a refusal is lost with the response, like a success
      }
      throw unknown(what);
    }
    return apply.get();
  }

  /** The run, if {@code lease} still holds it: same epoch and same holder. */
  private RunItem guard(Lease lease, String what) {
    RunItem run = runs.get(lease.runId());
    boolean holds =
        run != null
            && run.epoch == lease.epoch()
            && run.holder != null
            && run.holder.id().equals(lease.holder().id());
    if (holds) {
      return run;
    }
    throw lease.lost(what, Optional.ofNullable(run).map(RunItem::toRecord));
  }

  private static StoreUnavailableException notLanded(String what) {
    return new StoreUnavailableException(
        what
            + " failed after the client's retries and did not land in checkpoint table "
            + TABLE
            + " (injected fault). Fix: check DynamoDB is reachable and not throttled, then resume"
            + " the run",
        new IllegalStateException("injected fault: write did not land"));
  }

  private static StateUnknownException unknown(String what) {
    return new StateUnknownException(
        "the outcome of "
            + what
            + " in checkpoint table "
            + TABLE
            + " is unknown: the write failed and reading it back failed too (injected fault)."
            + " Nothing was guessed. Fix: when DynamoDB is reachable again, run `cairn resume` on"
            + " the run; it reads the state and decides",
        new IllegalStateException("injected fault: write outcome lost"));
  }

  /** The run item, mutable like a DynamoDB item. */
  private static final class RunItem {
    final String runId;
    final String job;
    final String runKey;
    Map<String, String> parameters;
    final List<Rerun> reruns = new ArrayList<>();
    Instant expiresAt;
    final String parametersHash;
    final String codeVersion;
    final Instant createdAt;
    RunStatus status = RunStatus.RUNNING;
    long epoch;
    LeaseHolder holder;
    Instant leaseExpiresAt = Instant.EPOCH;
    Instant leaseSince = Instant.EPOCH;
    Instant updatedAt;
    long sequence;
    String reason = "";
    FailureClass reasonClass;

    RunItem(NewRun run, long sequence) {
      this.runId = run.runId();
      this.job = run.job();
      this.runKey = run.runKey();
      this.parameters = run.parameters();
      this.parametersHash = run.parametersHash();
      this.codeVersion = run.codeVersion();
      this.createdAt = run.createdAt();
      this.updatedAt = run.createdAt();
      this.sequence = sequence;
    }

    void touch(Instant now, long sequence) {
      this.updatedAt = now;
      this.sequence = sequence;
    }

    RunRecord toRecord() {
      return new RunRecord(
          runId,
          job,
          runKey,
          parameters,
          parametersHash,
          codeVersion,
          status,
          epoch,
          Optional.ofNullable(holder),
          leaseExpiresAt,
          leaseSince,
          createdAt,
          updatedAt,
          reason,
          Optional.ofNullable(expiresAt),
          reruns,
          Optional.ofNullable(reasonClass));
    }
  }

  /** A chunk item; fields a transition does not set keep their value, as in DynamoDB. */
  private static final class ChunkItem {
    final String runId;
    final String stage;
    final long generation;
    final int index;
    final String key;
    ChunkRecord.ChunkStatus status;
    int executions;
    long outputVersion = -1;
    long rowsWritten = -1;
    boolean recovered;
    long epoch;
    String transitionId = "";
    Instant startedAt;
    Instant finishedAt;

    ChunkItem(String runId, ChunkTransition first) {
      this.runId = runId;
      this.stage = first.stage();
      this.generation = first.generation();
      this.index = first.index();
      this.key = first.key();
    }

    void apply(ChunkTransition transition, long epoch) {
      this.status = transition.to();
      this.epoch = epoch;
      this.transitionId = transition.transitionId();
      if (transition instanceof ChunkTransition.Start start) {
        executions++;
        startedAt = start.at();
        finishedAt = null;
      } else if (transition instanceof ChunkTransition.Commit commit) {
        outputVersion = commit.outputVersion();
        rowsWritten = commit.rowsWritten();
        recovered = commit.recovered();
        finishedAt = commit.at();
      }
    }

    ChunkRecord toRecord() {
      return new ChunkRecord(
          runId,
          stage,
          generation,
          index,
          key,
          status,
          executions,
          outputVersion,
          rowsWritten,
          recovered,
          epoch,
          transitionId,
          Optional.ofNullable(startedAt),
          Optional.ofNullable(finishedAt));
    }
  }

  /** A stage item; fields a transition does not set keep their value, as in DynamoDB. */
  private static final class StageItem {
    final String runId;
    final String stage;
    StageStatus status = StageStatus.PENDING;
    int attempts;
    String outputTable = "";
    String txnAppId = "";
    long txnVersion;
    long baseVersion = -1;
    long outputVersion = -1;
    long rowsWritten = -1;
    boolean recovered;
    boolean skippedDuplicate;
    long epoch;
    String transitionId = "";
    Instant startedAt;
    Instant finishedAt;
    String errorClass;
    String errorMessage;
    List<CheckResult> checks = List.of();
    StageMetrics metrics = StageMetrics.NONE;
    Instant expiresAt;
    ChunkPlan chunkPlan = ChunkPlan.NONE;

    StageItem(String runId, String stage) {
      this.runId = runId;
      this.stage = stage;
    }

    void apply(StageTransition transition, long epoch) {
      this.status = transition.to();
      this.epoch = epoch;
      this.transitionId = transition.transitionId();
      if (transition instanceof StageTransition.Start start) {
        attempts++;
        outputTable = start.outputTable();
        txnAppId = start.txnAppId();
        txnVersion = start.txnVersion();
        baseVersion = start.baseVersion();
        startedAt = start.at();
        recovered = false;
        skippedDuplicate = false;
        errorClass = null;
        errorMessage = null;
        finishedAt = null;
        checks = List.of();
        metrics = StageMetrics.NONE;
      } else if (transition instanceof StageTransition.Commit commit) {
        outputTable = commit.outputTable();
        txnAppId = commit.txnAppId();
        txnVersion = commit.txnVersion();
        outputVersion = commit.outputVersion();
        rowsWritten = commit.rowsWritten();
        recovered = commit.recovered();
        skippedDuplicate = commit.skippedDuplicate();
        finishedAt = commit.at();
        errorClass = null;
        errorMessage = null;
        checks = truncated(commit.checks());
        metrics = commit.metrics();
      } else if (transition instanceof StageTransition.Invalidate invalidate) {
        outputTable = invalidate.outputTable();
        txnAppId = invalidate.txnAppId();
        txnVersion = invalidate.txnVersion();
        baseVersion = -1;
        outputVersion = -1;
        rowsWritten = -1;
        recovered = false;
        skippedDuplicate = false;
        startedAt = null;
        finishedAt = null;
        errorClass = null;
        errorMessage = null;
        expiresAt = null;
        // checks and metrics stay: the DynamoDB store's invalidation does not remove them
        chunkPlan = ChunkPlan.NONE;
      } else if (transition instanceof StageTransition.Fail fail) {
        errorClass = fail.errorClass();
        errorMessage = truncate(fail.errorMessage(), 4000);
        finishedAt = fail.at();
        checks = truncated(fail.checks());
        metrics = StageMetrics.NONE;
      }
    }

    StageRecord toRecord() {
      return new StageRecord(
          runId,
          stage,
          status,
          attempts,
          outputTable,
          txnAppId,
          txnVersion,
          baseVersion,
          outputVersion,
          rowsWritten,
          recovered,
          skippedDuplicate,
          epoch,
          transitionId,
          Optional.ofNullable(startedAt),
          Optional.ofNullable(finishedAt),
          Optional.ofNullable(errorClass),
          Optional.ofNullable(errorMessage),
          checks,
          metrics,
          chunkPlan);
    }
  }

  @Override
  public synchronized InputPlan recordPlan(Lease lease, InputPlan plan) {
    String what =
        "recording the input plan of "
            + plan.name()
            + " for stage "
            + plan.stage()
            + " of run "
            + lease.runId();
    return write(
        what,
        () -> {
          guard(lease, what);
          return plans.computeIfAbsent(
              planKey(lease.runId(), plan.stage(), plan.name(), plan.generation()), k -> plan);
        });
  }

  @Override
  public synchronized Optional<InputPlan> findPlan(
      String runId, String stage, String name, long generation) {
    reads++;
    return Optional.ofNullable(plans.get(planKey(runId, stage, name, generation)));
  }

  @Override
  public synchronized List<InputPlan> plans(String runId) {
    reads++;
    return plans.values().stream()
        .filter(p -> p.runId().equals(runId))
        .sorted(InputPlan.STATUS_ORDER)
        .toList();
  }

  private static String planKey(String runId, String stage, String name, long generation) {
    return runId + "#plan#" + stage + "#" + name + "#" + generation;
  }
}
