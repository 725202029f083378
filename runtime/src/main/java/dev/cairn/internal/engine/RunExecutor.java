package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.CairnJob;
import dev.cairn.Parameters;
import dev.cairn.RetryPolicy;
import dev.cairn.RunHeldException;
import dev.cairn.RunInterruptedException;
import dev.cairn.Stage;
import dev.cairn.StageFailedException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.interrupt.Interruption;
import dev.cairn.internal.interrupt.Notice;
import dev.cairn.internal.metrics.EmbeddedMetrics;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.CloseableThreadContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
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
  private final Sleeper sleeper;
  private final StageObserver observer;
  private final Interruption interruption;
  private final RunServices services;
  private final EventIds ids;
  private final LeaseTakeover takeover;
  private final StageWriter writer = new StageWriter();

  /** The job group of the stage attempt computing now, or null. */
  private volatile String inFlight;

  /**
   * Lease timing.
   *
   * @param leaseTtl how long a lease lasts unless renewed
   * @param heartbeat how often it is renewed; zero renews never (tests)
   * @param localHost this host's name, to tell a dead local holder whose lease can be taken over
   */
  public record Settings(
      Duration leaseTtl,
      Duration heartbeat,
      String localHost,
      String codeVersion,
      Duration interruptMargin) {
    public Settings {
      if (!heartbeat.isZero() && heartbeat.compareTo(leaseTtl) >= 0) {
        throw new IllegalArgumentException(
            "heartbeat " + heartbeat + " must be shorter than the lease TTL " + leaseTtl);
      }
    }

    /** With the default interruption margin: 10 s to record the stop and exit. */
    public Settings(Duration leaseTtl, Duration heartbeat, String localHost, String codeVersion) {
      this(leaseTtl, heartbeat, localHost, codeVersion, Duration.ofSeconds(10));
    }
  }

  public RunExecutor(RunServices services) {
    this.services = services;
    this.store = services.store();
    this.tables = services.tables();
    this.spark = services.spark();
    this.clock = services.clock();
    this.holder = services.holder();
    this.settings = services.settings();
    this.faults = services.faults();
    this.cancelWork = services.cancelWork();
    this.sleeper = services.sleeper();
    this.observer = services.observer();
    this.interruption = services.interruption();
    this.ids = new EventIds(clock);
    this.takeover = new LeaseTakeover(services);
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
      throw EngineErrors.parametersCollide(run);
    }
    if (!run.parameters().equals(parameters.asMap())) {
      // A rerun changed them; the run keeps its id, and its recorded parameters are its own.
      return resume(job, run);
    }
    if (run.status() == RunStatus.SUCCEEDED) {
      return alreadySucceeded(run);
    }
    return execute(run, graph, parameters, job.retryPolicy());
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
    return execute(run, graph, parameters, job.retryPolicy());
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
    Instant begun = clock.instant();
    RunRecord before = planned.run();
    Lease lease = takeover.acquire(before);
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
    recordQuietly(
        RunEvent.ofRun(
            plan.run().runId(),
            clock.instant(),
            ids.next(),
            RunEvent.Type.OPERATOR,
            lease.epoch(),
            "rerun from "
                + plan.from()
                + " by "
                + by
                + ": invalidated "
                + plan.stageNames()
                + (plan.parameterChanges().isEmpty()
                    ? ""
                    : "; parameter changes " + plan.parameterChanges())));
    recorded.accept(plan);
    Parameters parameters = Parameters.of(plan.parameters());
    return executeWithLease(
        plan.run(),
        lease,
        StageGraph.of(job.name(), job.stages(parameters)),
        parameters,
        job.retryPolicy(),
        begun);
  }

  private static RunOutcome alreadySucceeded(RunRecord run) {
    LOG.info("Run {} already succeeded; nothing to do", run.runId());
    return new RunOutcome(
        run.runId(), RunStatus.SUCCEEDED, run.epoch(), true, List.of(), List.of(), List.of());
  }

  private RunOutcome execute(
      RunRecord run, StageGraph graph, Parameters parameters, RetryPolicy jobRetry) {
    Instant begun = clock.instant();
    return executeWithLease(run, takeover.acquire(run), graph, parameters, jobRetry, begun);
  }

  private RunOutcome executeWithLease(
      RunRecord run,
      Lease lease,
      StageGraph graph,
      Parameters parameters,
      RetryPolicy jobRetry,
      Instant begun) {
    ScheduledExecutorService cancelTimer = daemonTimer(run.runId());
    Consumer<Notice> onNotice = notice -> scheduleCancel(cancelTimer, notice);
    interruption.onRequest(onNotice);
    try {
      return execute(run, graph, parameters, jobRetry, begun, lease);
    } finally {
      interruption.remove(onNotice);
      cancelTimer.shutdownNow();
    }
  }

  private RunOutcome execute(
      RunRecord run,
      StageGraph graph,
      Parameters parameters,
      RetryPolicy jobRetry,
      Instant begun,
      Lease lease) {
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
      recordAttemptStarted(run, lease, records);
      Map<String, StageRecord> committed = new HashMap<>();
      for (Stage stage : graph.order()) {
        keeper.check();
        stopIfInterrupted(run, lease, stage.name(), begun);
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
            Attempts attempts =
                new Attempts(stage.retryPolicy().orElse(jobRetry), stage.name(), record);
            done = null;
            while (done == null) {
              stopIfInterrupted(run, lease, stage.name(), begun);
              Optional<StageRecord> found = recover(lease, run, stage, attempts.record);
              if (found.isPresent()) {
                recovered.add(stage.name());
                done = found.get();
              } else {
                keeper.check();
                done =
                    attemptWithRetry(
                        lease, run, stage, attempts, parameters, committed, keeper, begun);
                if (done != null) {
                  executed.add(stage.name());
                }
              }
            }
          }
          committed.put(stage.name(), done);
        }
      }
      keeper.check();
      store.finishRun(lease, RunStatus.SUCCEEDED, "", clock.instant());
      recordQuietly(
          RunEvent.ofRun(
              run.runId(),
              clock.instant(),
              ids.next(),
              RunEvent.Type.RUN_SUCCEEDED,
              lease.epoch(),
              executed.size()
                  + " executed, "
                  + skipped.size()
                  + " skipped, "
                  + recovered.size()
                  + " recovered"));
      EmbeddedMetrics.runEnded(
          clock.instant(),
          run.job(),
          run.runId(),
          RunStatus.SUCCEEDED.name(),
          Duration.between(begun, clock.instant()).toMillis());
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
      EmbeddedMetrics.runEnded(
          clock.instant(),
          run.job(),
          run.runId(),
          RunStatus.FAILED.name(),
          Duration.between(begun, clock.instant()).toMillis());
      recordQuietly(
          RunEvent.ofRun(
              run.runId(),
              clock.instant(),
              ids.next(),
              RunEvent.Type.RUN_FAILED,
              lease.epoch(),
              failed.getMessage()));
      throw failed;
    } catch (RunHeldException lost) {
      recordQuietly(
          RunEvent.ofRun(
              run.runId(),
              clock.instant(),
              ids.next(),
              RunEvent.Type.LEASE_LOST,
              lease.epoch(),
              lost.getMessage()));
      throw lost;
    }
  }

  /**
   * Stops before starting {@code nextStage} if a stop was requested: records the run INTERRUPTED,
   * releases its lease so the next driver starts at once, and throws.
   */
  private void stopIfInterrupted(RunRecord run, Lease lease, String nextStage, Instant begun) {
    Optional<Notice> notice = interruption.requested();
    if (notice.isPresent()) {
      throw interrupted(run, lease, nextStage, notice.get(), begun);
    }
  }

  private RunInterruptedException interrupted(
      RunRecord run, Lease lease, String stage, Notice notice, Instant begun) {
    String reason = notice.reason() + "; stopped at stage " + stage;
    RunInterruptedException stop = EngineErrors.runInterrupted(run.runId(), reason, stage);
    try {
      store.finishRun(lease, RunStatus.INTERRUPTED, reason, clock.instant());
    } catch (RuntimeException notRecorded) {
      stop.addSuppressed(notRecorded);
    }
    recordQuietly(
        RunEvent.ofRun(
            run.runId(),
            clock.instant(),
            ids.next(),
            RunEvent.Type.RUN_INTERRUPTED,
            lease.epoch(),
            reason));
    EmbeddedMetrics.runEnded(
        clock.instant(),
        run.job(),
        run.runId(),
        RunStatus.INTERRUPTED.name(),
        Duration.between(begun, clock.instant()).toMillis());
    LOG.warn("Run {} interrupted: {}", run.runId(), reason);
    return stop;
  }

  /**
   * On a notice, lets the stage in flight finish if it can: at {@code deadline - margin} its Spark
   * jobs are cancelled if it is still computing, so the stop is recorded before the machine goes.
   */
  private void scheduleCancel(ScheduledExecutorService timer, Notice notice) {
    Duration left =
        Duration.between(clock.instant(), notice.deadline()).minus(settings.interruptMargin());
    LOG.warn(
        "Stop requested ({}): no new stage will start; the stage in flight has {} s to commit",
        notice.reason(),
        Math.max(0, left.toSeconds()));
    Runnable cancel =
        () -> {
          String group = inFlight;
          if (group != null) {
            LOG.warn("Cancelling the stage in flight ({}) to stop before the deadline", group);
            observer.cancel(group);
          }
        };
    try {
      timer.schedule(cancel, Math.max(0, left.toMillis()), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException runEnded) {
      // the run ended meanwhile: nothing to cancel
    }
  }

  private static ScheduledExecutorService daemonTimer(String runId) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "cairn-stop-" + runId);
          t.setDaemon(true);
          return t;
        });
  }

  /** The attempts of one stage in this driver, and its latest checkpoint. */
  private static final class Attempts {
    final RetryPolicy policy;
    final Retry.AsyncContext<Void> retry;
    StageRecord record;

    Attempts(RetryPolicy policy, String stage, StageRecord record) {
      this.policy = policy;
      this.record = record;
      this.retry =
          Retry.of(
                  "stage-" + stage,
                  RetryConfig.custom()
                      .maxAttempts(policy.maxAttempts())
                      .intervalFunction(
                          IntervalFunction.ofExponentialRandomBackoff(
                              policy.initialBackoff().toMillis(),
                              policy.multiplier(),
                              policy.randomization(),
                              policy.maxBackoff().toMillis()))
                      .retryOnException(t -> FailureClassifier.classify(t).retryable())
                      .build())
              .asyncContext();
    }
  }

  /**
   * One attempt of a stage. Returns the committed record, or null when the attempt failed with a
   * transient failure and should be tried again (after the backoff, already waited). Throws {@link
   * StageFailedException} when it failed for good.
   */
  private StageRecord attemptWithRetry(
      Lease lease,
      RunRecord run,
      Stage stage,
      Attempts attempts,
      Parameters parameters,
      Map<String, StageRecord> committed,
      LeaseKeeper keeper,
      Instant begun) {
    try {
      return attempt(lease, run, stage, attempts.record, parameters, committed);
    } catch (AttemptFailed failed) {
      // A driver that lost its lease (its Spark jobs were cancelled) says so, not "failed".
      keeper.check();
      Optional<Notice> notice = interruption.requested();
      if (notice.isPresent()) {
        // Cancelled (or failed) while stopping: not the stage's fault, and not worth a retry.
        store.transition(
            lease,
            new StageTransition.Fail(
                stage.name(),
                failed.attempt,
                FailureClass.INTERRUPTED.name(),
                "stopped: " + notice.get().reason(),
                Optional.empty(),
                List.of(),
                ids.next(),
                clock.instant()));
        throw interrupted(run, lease, stage.name(), notice.get(), begun);
      }
      FailureClass failureClass = FailureClassifier.classify(failed.getCause());
      long delayMillis = attempts.retry.onError(failed.getCause());
      String summary = EngineErrors.summary(failed.getCause(), failureClass);
      if (delayMillis < 0) {
        throw failStage(lease, run, stage, failed, failureClass, summary, attempts.policy);
      }
      Duration delay = Duration.ofMillis(delayMillis);
      store.transition(
          lease,
          new StageTransition.Fail(
              stage.name(),
              failed.attempt,
              failureClass.name(),
              summary,
              Optional.of(delay),
              List.of(),
              ids.next(),
              clock.instant()));
      EmbeddedMetrics.stageRetried(
          clock.instant(),
          run.job(),
          run.runId(),
          stage.name(),
          failed.attempt,
          failureClass.name());
      LOG.warn(
          "Stage {} attempt {} failed ({}), retrying in {} ms ({} attempts per driver): {}",
          stage.name(),
          failed.attempt,
          failureClass,
          delayMillis,
          attempts.policy.maxAttempts(),
          summary);
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw EngineErrors.interruptedWhileWaiting(stage.name(), run.runId(), interrupted);
      }
      keeper.check();
      attempts.record = currentRecord(run, stage, attempts.record);
      return null;
    }
  }

  private StageRecord currentRecord(RunRecord run, Stage stage, StageRecord fallback) {
    return store.stages(run.runId()).stream()
        .filter(r -> r.stage().equals(stage.name()))
        .findFirst()
        .orElse(fallback);
  }

  private void recordAttemptStarted(RunRecord run, Lease lease, Map<String, StageRecord> records) {
    List<String> done =
        records.values().stream()
            .filter(r -> r.status() == StageStatus.COMMITTED)
            .map(StageRecord::stage)
            .sorted()
            .toList();
    recordQuietly(
        RunEvent.ofRun(
            run.runId(),
            clock.instant(),
            ids.next(),
            RunEvent.Type.ATTEMPT_STARTED,
            lease.epoch(),
            "epoch "
                + lease.epoch()
                + " by "
                + holder.describe()
                + " (code "
                + settings.codeVersion()
                + ")"
                + (done.isEmpty() ? "" : "; already committed: " + String.join(", ", done))));
  }

  /** History is for people: a failure to record it must not fail the run. */
  private void recordQuietly(RunEvent event) {
    try {
      store.recordEvent(event);
    } catch (RuntimeException notRecorded) {
      LOG.warn("Could not record event {}: {}", event.type(), notRecorded.getMessage());
    }
  }

  /** A stage attempt failed before its Delta commit; nothing was published. */
  private static final class AttemptFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int attempt;

    AttemptFailed(int attempt, Exception cause) {
      super(cause);
      this.attempt = attempt;
    }
  }

  /** Crash window 3→4: the Delta log holds the stage's txn but the checkpoint does not. */
  private Optional<StageRecord> recover(
      Lease lease, RunRecord run, Stage stage, StageRecord record) {
    if (record.status() == StageStatus.PENDING || stage.chunks().isPresent()) {
      // A chunked stage reconciles chunk by chunk in its attempt (runChunks).
      return Optional.empty();
    }
    String location = tables.location(stage.output().table());
    String appId = DeltaTxn.appId(run.runId(), stage.name());
    long txnVersion = DeltaTxn.txnVersion(record);
    if (tables.committedTxnVersion(location, appId) < txnVersion) {
      return Optional.empty();
    }
    TableStore.Commit commit =
        DeltaTxn.loggedCommit(
            tables,
            location,
            appId,
            txnVersion,
            record.baseVersion() + 1,
            "",
            run.runId(),
            stage.name());
    StageTransition.Commit transition =
        commitTransition(
            stage, location, appId, txnVersion, commit, true, List.of(), StageMetrics.NONE);
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
    String appId = DeltaTxn.appId(run.runId(), stage.name());
    long txnVersion = DeltaTxn.txnVersion(record);
    long base = tables.currentVersion(location);
    int attempt = record.attempts() + 1;
    store.transition(
        lease,
        new StageTransition.Start(
            stage.name(), attempt, location, appId, txnVersion, base, ids.next(), clock.instant()));
    TableStore.Commit commit;
    List<CheckResult> checks = List.of();
    StageMetrics metrics;
    try (CloseableThreadContext.Instance a =
        CloseableThreadContext.put("attempt", Integer.toString(attempt))) {
      LOG.info("Stage {} attempt {} started (output {})", stage.name(), attempt, stage.output());
      faults.reached(stage.name(), FaultPoints.Window.AFTER_START);
      String group = appId + ":" + attempt;
      Instant started = clock.instant();
      observer.begin(
          group, "cairn " + run.runId() + " stage " + stage.name() + " attempt " + attempt);
      inFlight = group;
      try {
        RunStageContext context =
            new RunStageContext(services, stage, parameters, committed, lease, txnVersion);
        if (stage.chunks().isPresent()) {
          ChunksResult chunks =
              new ChunkLoop(services, ids, writer, run.runId(), lease)
                  .run(stage, record, context, location, base);
          if (chunks instanceof ChunksResult.Stopped stopped) {
            throw new ChunksStopped(stage.name(), stopped.next(), stopped.chunks());
          }
          ChunksResult.Completed completed = (ChunksResult.Completed) chunks;
          commit = completed.commit();
          checks = completed.checks();
        } else {
          StageWriter.Written written =
              writer.write(
                  stage,
                  context,
                  rows -> tables.write(rows, stage.output(), location, appId, txnVersion, base));
          commit = written.commit();
          checks = written.checks();
        }
      } catch (Exception failure) {
        // Exception, not RuntimeException: Spark's AnalysisException is checked in Java but
        // thrown undeclared from Scala.
        throw new AttemptFailed(attempt, failure);
      } finally {
        inFlight = null;
        metrics = observer.end(group, Duration.between(started, clock.instant()).toMillis());
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
        commitTransition(stage, location, appId, txnVersion, commit, false, checks, metrics);
    store.transition(lease, transition);
    LOG.info(
        "Stage {} committed: version {} of {}, {} rows in {} ms",
        stage.name(),
        commit.version(),
        location,
        commit.rowsWritten(),
        metrics.durationMs());
    EmbeddedMetrics.stageCommitted(
        clock.instant(), run.job(), run.runId(), stage.name(), attempt, metrics);
    faults.reached(stage.name(), FaultPoints.Window.AFTER_CHECKPOINT);
    return committedRecord(record, transition, lease);
  }

  /** What a chunked stage's attempt committed: its last chunk's version and all chunks' rows. */
  private record Chunked(TableStore.Commit commit, List<CheckResult> checks) {}

  /** A stop was requested between two chunks: the chunks committed so far stay committed. */
  private static final class ChunksStopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChunksStopped(String stage, int next, int total) {
      super("stop requested before chunk " + next + " of " + total + " of stage " + stage);
    }
  }

  private StageTransition.Commit commitTransition(
      Stage stage,
      String location,
      String appId,
      long txnVersion,
      TableStore.Commit commit,
      boolean recovered,
      List<CheckResult> checks,
      StageMetrics metrics) {
    return new StageTransition.Commit(
        stage.name(),
        location,
        appId,
        txnVersion,
        commit.version(),
        commit.rowsWritten(),
        recovered,
        commit.skippedDuplicate(),
        checks,
        metrics,
        ids.next(),
        clock.instant());
  }

  private StageFailedException failStage(
      Lease lease,
      RunRecord run,
      Stage stage,
      AttemptFailed failed,
      FailureClass failureClass,
      String summary,
      RetryPolicy policy) {
    StageFailedException failure =
        EngineErrors.stageFailed(
            stage.name(), run.runId(), failureClass, summary, policy, failed.getCause());
    try {
      store.transition(
          lease,
          new StageTransition.Fail(
              stage.name(),
              failed.attempt,
              failureClass.name(),
              summary,
              Optional.empty(),
              checksOf(failed.getCause()),
              ids.next(),
              clock.instant()));
    } catch (RuntimeException notRecorded) {
      failure.addSuppressed(notRecorded);
    }
    LOG.error("Stage {} failed ({}): {}", stage.name(), failureClass, summary);
    EmbeddedMetrics.stageFailed(
        clock.instant(), run.job(), run.runId(), stage.name(), failed.attempt, failureClass.name());
    return failure;
  }

  private static List<CheckResult> checksOf(Throwable failure) {
    for (Throwable t : FailureClassifier.chain(failure)) {
      if (t instanceof DataQualityException quality) {
        return quality.results();
      }
    }
    return List.of();
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
        Optional.empty(),
        commit.checks(),
        commit.metrics(),
        before.chunkPlan());
  }
}
