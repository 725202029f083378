package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.Parameters;
import dev.cairn.RunHeldException;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.StageFailedException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.CloseableThreadContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs or resumes one run of a job, stage by stage, with the commit protocol of DESIGN.md:
 *
 * <ol>
 *   <li>mark the stage RUNNING at this driver's epoch (recording the output table's version);
 *   <li>compute its rows, reading upstream stages at the Delta versions they committed;
 *   <li>write them in one Delta commit carrying {@code txnAppId = cairn:<runId>:<stage>} and a
 *       {@code txnVersion} stable across attempts;
 *   <li>record the commit's version and mark the stage COMMITTED at this driver's epoch.
 * </ol>
 *
 * <p>On resume: a COMMITTED stage is skipped; a RUNNING or FAILED stage whose transaction the Delta
 * log already holds (a crash between 3 and 4) is marked COMMITTED with that version without
 * recomputing ("recovered"); any other stage runs again, and Delta's txn id makes a duplicate write
 * impossible.
 *
 * <p>Not thread-safe: one executor runs one run at a time.
 */
public final class RunExecutor {
  private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

  private final CheckpointStore store;
  private final TableStore tables;
  private final Supplier<SparkSession> spark;
  private final Clock clock;
  private final LeaseHolder holder;
  private final Settings settings;
  private final FaultPoints faults;
  private final Runnable cancelWork;

  /**
   * Lease timing.
   *
   * @param leaseTtl how long a lease lasts unless renewed
   * @param heartbeat how often it is renewed; zero renews never (tests)
   * @param localHost this host's name, to tell a dead local holder whose lease can be taken over
   */
  public record Settings(
      Duration leaseTtl, Duration heartbeat, String localHost, String codeVersion) {
    public Settings {
      if (!heartbeat.isZero() && heartbeat.compareTo(leaseTtl) >= 0) {
        throw new IllegalArgumentException(
            "heartbeat " + heartbeat + " must be shorter than the lease TTL " + leaseTtl);
      }
    }
  }

  public RunExecutor(
      CheckpointStore store,
      TableStore tables,
      Supplier<SparkSession> spark,
      Clock clock,
      LeaseHolder holder,
      Settings settings,
      FaultPoints faults,
      Runnable cancelWork) {
    this.store = store;
    this.tables = tables;
    this.spark = spark;
    this.clock = clock;
    this.holder = holder;
    this.settings = settings;
    this.faults = faults;
    this.cancelWork = cancelWork;
  }

  /**
   * Starts the run of {@code job} for these effective parameters, or resumes it if it exists.
   *
   * @throws RunHeldException another driver holds the run
   * @throws StageFailedException a stage failed; it is recorded FAILED and the run FAILED
   * @throws dev.cairn.StateUnknownException a checkpoint write's outcome could not be decided
   */
  public RunOutcome run(CairnJob job, Parameters parameters) {
    RunIdentity identity = RunIdentity.of(job.name(), parameters);
    StageGraph graph = StageGraph.of(job.name(), job.stages(parameters));
    RunRecord run =
        store.openRun(
            new NewRun(
                identity.runId(),
                job.name(),
                identity.runKey(),
                parameters.asMap(),
                identity.parametersHash(),
                settings.codeVersion(),
                clock.instant()));
    if (!run.parametersHash().equals(identity.parametersHash())) {
      throw new InvalidParameterException(
          "run " + run.runId() + " exists with other parameters (" + run.runKey() + ")",
          "this is a run id collision; change any parameter value to get a new run");
    }
    if (!run.parameters().equals(parameters.asMap())) {
      // A rerun changed them; the run keeps its id, and its recorded parameters are its own.
      return resume(job, run);
    }
    if (run.status() == RunStatus.SUCCEEDED) {
      return alreadySucceeded(run);
    }
    return execute(run, graph, parameters);
  }

  /**
   * Continues an existing run from its first incomplete stage, with the parameters it has now
   * (those it was started with, or those a rerun changed them to).
   *
   * @throws RunHeldException another driver holds the run
   * @throws StageFailedException a stage failed; it is recorded FAILED and the run FAILED
   */
  public RunOutcome resume(CairnJob job, RunRecord run) {
    Parameters parameters = Parameters.of(run.parameters());
    StageGraph graph = StageGraph.of(job.name(), job.stages(parameters));
    if (run.status() == RunStatus.SUCCEEDED) {
      return alreadySucceeded(run);
    }
    if (!run.reruns().isEmpty()) {
      LOG.info("Run {} continues with its parameters as last rerun: {}", run.runId(), parameters);
    }
    return execute(run, graph, parameters);
  }

  /**
   * Reruns {@code planned.from()} and everything downstream of it: takes the run's lease, plans
   * again from the checkpoints as they are now (and the transaction versions the tables hold),
   * records the rerun atomically (each planned stage invalidated at its next transaction version,
   * the new parameters, the rerun on the run item), tells {@code recorded}, then continues the run
   * as a resume would: committed upstream stages are skipped and read at their recorded versions.
   *
   * @param planned the plan made without the lease, to check the request before taking it
   * @param by who asked, {@code user@host}
   * @throws RunHeldException another driver holds the run; nothing was changed
   * @throws StageFailedException a stage failed; it is recorded FAILED and the run FAILED
   */
  public RunOutcome rerun(
      CairnJob job,
      RerunPlan planned,
      Map<String, String> changes,
      String by,
      Consumer<RerunPlan> recorded) {
    RunRecord before = planned.run();
    Lease lease = acquire(before);
    RerunPlan plan;
    try {
      RunRecord run = store.findRun(before.runId()).orElse(before);
      plan =
          RerunPlan.of(
              job,
              run,
              store.stages(run.runId()),
              planned.from(),
              changes,
              new RerunPlan.Tables() {
                @Override
                public String location(String table) {
                  return tables.location(table);
                }

                @Override
                public long committedTxnVersion(String location, String appId) {
                  return tables.committedTxnVersion(location, appId);
                }
              });
      store.recordRerun(
          lease,
          plan.record(clock.instant(), by),
          plan.parameters(),
          plan.invalidations(clock.instant()));
    } catch (StateUnknownException unknown) {
      throw unknown; // whether the rerun landed or not, `cairn resume` continues consistently
    } catch (RuntimeException notRecorded) {
      // Nothing was invalidated: give the run back as it was (taking the lease made it RUNNING).
      try {
        store.finishRun(lease, before.status(), before.reason(), clock.instant());
      } catch (RuntimeException alsoFailed) {
        notRecorded.addSuppressed(alsoFailed);
      }
      throw notRecorded;
    }
    LOG.info(
        "Run {} rerun from stage {} by {}: invalidated {}; parameter changes {}",
        plan.run().runId(),
        plan.from(),
        by,
        plan.stageNames(),
        plan.parameterChanges());
    recorded.accept(plan);
    Parameters parameters = Parameters.of(plan.parameters());
    return execute(
        plan.run(), lease, StageGraph.of(job.name(), job.stages(parameters)), parameters);
  }

  private static RunOutcome alreadySucceeded(RunRecord run) {
    LOG.info("Run {} already succeeded; nothing to do", run.runId());
    return new RunOutcome(
        run.runId(), RunStatus.SUCCEEDED, run.epoch(), true, List.of(), List.of(), List.of());
  }

  private RunOutcome execute(RunRecord run, StageGraph graph, Parameters parameters) {
    return execute(run, acquire(run), graph, parameters);
  }

  private RunOutcome execute(RunRecord run, Lease lease, StageGraph graph, Parameters parameters) {
    List<String> executed = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> recovered = new ArrayList<>();
    try (CloseableThreadContext.Instance ctx =
            CloseableThreadContext.put("runId", run.runId())
                .put("job", run.job())
                .put("epoch", Long.toString(lease.epoch()));
        LeaseKeeper keeper =
            new LeaseKeeper(
                store, lease, clock, settings.leaseTtl(), settings.heartbeat(), cancelWork)) {
      LOG.info(
          "Run {} ({}) started at epoch {} by {}",
          run.runId(),
          run.runKey(),
          lease.epoch(),
          holder.describe());
      Map<String, StageRecord> records = new HashMap<>();
      store.stages(run.runId()).forEach(r -> records.put(r.stage(), r));
      Map<String, StageRecord> committed = new HashMap<>();
      for (Stage stage : graph.order()) {
        keeper.check();
        StageRecord record =
            records.getOrDefault(
                stage.name(),
                StageRecord.pending(
                    run.runId(), stage.name(), tables.location(stage.output().table())));
        try (CloseableThreadContext.Instance s =
            CloseableThreadContext.put("stage", stage.name())) {
          StageRecord done;
          if (record.status() == StageStatus.COMMITTED) {
            LOG.info(
                "Stage {} skipped: committed at version {} of {}",
                stage.name(),
                record.outputVersion(),
                record.outputTable());
            skipped.add(stage.name());
            done = record;
          } else {
            Optional<StageRecord> found = recover(lease, run, stage, record);
            if (found.isPresent()) {
              recovered.add(stage.name());
              done = found.get();
            } else {
              keeper.check();
              done = attempt(lease, run, stage, record, parameters, committed);
              executed.add(stage.name());
            }
          }
          committed.put(stage.name(), done);
        }
      }
      keeper.check();
      store.finishRun(lease, RunStatus.SUCCEEDED, "", clock.instant());
      LOG.info(
          "Run {} succeeded: {} executed, {} skipped, {} recovered",
          run.runId(),
          executed.size(),
          skipped.size(),
          recovered.size());
      return new RunOutcome(
          run.runId(),
          RunStatus.SUCCEEDED,
          lease.epoch(),
          false,
          List.copyOf(executed),
          List.copyOf(skipped),
          List.copyOf(recovered));
    } catch (StageFailedException failed) {
      finishQuietly(lease, RunStatus.FAILED, failed.getMessage(), failed);
      throw failed;
    }
  }

  private Lease acquire(RunRecord run) {
    Instant now = clock.instant();
    Optional<Lease> lease =
        store.tryAcquireLease(run.runId(), holder, now, settings.leaseTtl(), null);
    if (lease.isPresent()) {
      return lease.get();
    }
    RunRecord current = store.findRun(run.runId()).orElse(run);
    Optional<LeaseHolder> other = current.holder();
    if (other.isPresent() && other.get().isDeadProcessOn(settings.localHost())) {
      LOG.info(
          "Run {} was held by {}, which is no longer running; taking over",
          run.runId(),
          other.get().describe());
      lease =
          store.tryAcquireLease(run.runId(), holder, now, settings.leaseTtl(), other.get().id());
      if (lease.isPresent()) {
        return lease.get();
      }
      current = store.findRun(run.runId()).orElse(current);
    }
    String who = current.holder().map(LeaseHolder::describe).orElse("another driver");
    throw new RunHeldException(
        "run "
            + run.runId()
            + " is held by "
            + who
            + " since "
            + current.leaseSince()
            + " (lease expires "
            + current.leaseExpiresAt()
            + "). Fix: wait for it to finish and check `cairn status "
            + run.runId()
            + "`; if that driver is dead on another host, run `cairn resume "
            + run.runId()
            + "` after the lease expires");
  }

  /** Crash window 3→4: the Delta log holds the stage's txn but the checkpoint does not. */
  private Optional<StageRecord> recover(
      Lease lease, RunRecord run, Stage stage, StageRecord record) {
    if (record.status() == StageStatus.PENDING) {
      return Optional.empty();
    }
    String location = tables.location(stage.output().table());
    String appId = appId(run.runId(), stage.name());
    long txnVersion = txnVersion(record);
    if (tables.committedTxnVersion(location, appId) < txnVersion) {
      return Optional.empty();
    }
    TableStore.Commit commit =
        tables
            .findCommit(location, appId, txnVersion, record.baseVersion() + 1)
            .or(() -> tables.findCommit(location, appId, txnVersion, 0))
            .orElseThrow(
                () ->
                    new CairnException(
                        "table "
                            + location
                            + " holds transaction ("
                            + appId
                            + ", "
                            + txnVersion
                            + ") but its log no longer has the commit (log retention cleaned"
                            + " it). Fix: `cairn rerun "
                            + run.runId()
                            + " --from "
                            + stage.name()
                            + "` to write it again"));
    StageTransition.Commit transition =
        commitTransition(stage, location, appId, txnVersion, commit, true);
    store.transition(lease, transition);
    LOG.info(
        "Stage {} recovered: its Delta commit (version {} of {}) was made before the driver"
            + " stopped; recorded without recomputing",
        stage.name(),
        commit.version(),
        location);
    return Optional.of(committedRecord(record, transition, lease));
  }

  private StageRecord attempt(
      Lease lease,
      RunRecord run,
      Stage stage,
      StageRecord record,
      Parameters parameters,
      Map<String, StageRecord> committed) {
    String location = tables.location(stage.output().table());
    String appId = appId(run.runId(), stage.name());
    long txnVersion = txnVersion(record);
    long base = tables.currentVersion(location);
    store.transition(
        lease,
        new StageTransition.Start(
            stage.name(),
            location,
            appId,
            txnVersion,
            base,
            UUID.randomUUID().toString(),
            clock.instant()));
    int attempt = record.attempts() + 1;
    TableStore.Commit commit;
    try (CloseableThreadContext.Instance a =
        CloseableThreadContext.put("attempt", Integer.toString(attempt))) {
      LOG.info("Stage {} attempt {} started (output {})", stage.name(), attempt, stage.output());
      faults.reached(stage.name(), FaultPoints.Window.AFTER_START);
      try {
        Dataset<Row> rows = stage.compute().rows(new Context(stage, parameters, committed));
        commit = tables.write(rows, stage.output(), location, appId, txnVersion, base);
      } catch (Exception failure) {
        // Exception, not RuntimeException: Spark's AnalysisException is checked in Java but
        // thrown undeclared from Scala.
        throw failStage(lease, run, stage, failure);
      }
    }
    if (commit.skippedDuplicate()) {
      LOG.warn(
          "Stage {}: Delta skipped the write as a duplicate of version {}; recorded as"
              + " skippedDuplicate",
          stage.name(),
          commit.version());
    }
    faults.reached(stage.name(), FaultPoints.Window.AFTER_DELTA_COMMIT);
    StageTransition.Commit transition =
        commitTransition(stage, location, appId, txnVersion, commit, false);
    store.transition(lease, transition);
    LOG.info(
        "Stage {} committed: version {} of {}, {} rows",
        stage.name(),
        commit.version(),
        location,
        commit.rowsWritten());
    faults.reached(stage.name(), FaultPoints.Window.AFTER_CHECKPOINT);
    return committedRecord(record, transition, lease);
  }

  private StageTransition.Commit commitTransition(
      Stage stage,
      String location,
      String appId,
      long txnVersion,
      TableStore.Commit commit,
      boolean recovered) {
    return new StageTransition.Commit(
        stage.name(),
        location,
        appId,
        txnVersion,
        commit.version(),
        commit.rowsWritten(),
        recovered,
        commit.skippedDuplicate(),
        UUID.randomUUID().toString(),
        clock.instant());
  }

  private StageFailedException failStage(
      Lease lease, RunRecord run, Stage stage, Exception failure) {
    Throwable root = rootCause(failure);
    String summary =
        root.getClass().getSimpleName() + ": " + String.valueOf(root.getMessage()).strip();
    StageFailedException failed =
        new StageFailedException(
            stage.name(),
            "stage '"
                + stage.name()
                + "' of run "
                + run.runId()
                + " failed: "
                + summary
                + ". Nothing from it was published. Fix the cause, then `cairn resume "
                + run.runId()
                + "`",
            failure);
    try {
      store.transition(
          lease,
          new StageTransition.Fail(
              stage.name(), "PERMANENT", summary, UUID.randomUUID().toString(), clock.instant()));
    } catch (RuntimeException notRecorded) {
      failed.addSuppressed(notRecorded);
    }
    LOG.error("Stage {} failed: {}", stage.name(), summary);
    return failed;
  }

  private void finishQuietly(Lease lease, RunStatus status, String reason, CairnException cause) {
    try {
      store.finishRun(lease, status, reason, clock.instant());
    } catch (RuntimeException notRecorded) {
      cause.addSuppressed(notRecorded);
    }
  }

  private static StageRecord committedRecord(
      StageRecord before, StageTransition.Commit commit, Lease lease) {
    return new StageRecord(
        before.runId(),
        before.stage(),
        StageStatus.COMMITTED,
        before.attempts(),
        commit.outputTable(),
        commit.txnAppId(),
        commit.txnVersion(),
        before.baseVersion(),
        commit.outputVersion(),
        commit.rowsWritten(),
        commit.recovered(),
        commit.skippedDuplicate(),
        lease.epoch(),
        commit.transitionId(),
        before.startedAt(),
        Optional.of(commit.at()),
        Optional.empty(),
        Optional.empty());
  }

  static String appId(String runId, String stage) {
    return "cairn:" + runId + ":" + stage;
  }

  private static long txnVersion(StageRecord record) {
    return record.txnVersion() > 0 ? record.txnVersion() : 1;
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private final class Context implements StageContext {
    private final Stage stage;
    private final Parameters parameters;
    private final Map<String, StageRecord> committed;

    Context(Stage stage, Parameters parameters, Map<String, StageRecord> committed) {
      this.stage = stage;
      this.parameters = parameters;
      this.committed = committed;
    }

    @Override
    public SparkSession spark() {
      return spark.get();
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public Dataset<Row> input(String upstream) {
      if (!stage.dependencies().contains(upstream)) {
        throw new IllegalArgumentException(
            "stage '"
                + stage.name()
                + "' reads stage '"
                + upstream
                + "' but does not depend on it. Fix: add .dependsOn(\""
                + upstream
                + "\") to its definition");
      }
      StageRecord record = committed.get(upstream);
      return tables.read(record.outputTable(), record.outputVersion());
    }
  }
}
