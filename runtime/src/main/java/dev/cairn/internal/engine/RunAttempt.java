package dev.cairn.internal.engine;

import dev.cairn.FailureClass;
import dev.cairn.Parameters;
import dev.cairn.RetryPolicy;
import dev.cairn.RunHeldException;
import dev.cairn.RunInterruptedException;
import dev.cairn.Stage;
import dev.cairn.StageFailedException;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.interrupt.Notice;
import dev.cairn.internal.store.CheckResult;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageMetrics;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import dev.cairn.internal.store.StageTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.CloseableThreadContext;

/**
 * One driver's work on one run, from the moment it holds the run's lease: runs the stages in order
 * with the commit protocol of docs/ARCHITECTURE.md, each stage at most once committed:
 *
 * <ol>
 *   <li>mark the stage RUNNING at this driver's epoch (recording the output table's version);
 *   <li>compute its rows, reading upstream stages at the Delta versions they committed;
 *   <li>write them in one Delta commit carrying {@code txnAppId = cairn:<runId>:<stage>} and a
 *       {@code txnVersion} stable across attempts;
 *   <li>record the commit's version and mark the stage COMMITTED at this driver's epoch.
 * </ol>
 *
 * <p>A COMMITTED stage is skipped; a stage whose transaction the Delta log already holds (a crash
 * between 3 and 4) is recorded COMMITTED without recomputing ("recovered"); a transient failure is
 * retried after a backoff; a stop request is honoured between stages (and between chunks). The run
 * ends SUCCEEDED, FAILED or INTERRUPTED in the store, or, when the lease was lost, untouched.
 *
 * <p>Holds the run's state for one {@link #run()}; not thread-safe, used once.
 */
final class RunAttempt {
  private final RunServices services;
  private final EventIds ids;
  private final RunListener listener;
  private final CancelTimer cancel;
  private final StageWriter writer;
  private final RunRecord run;
  private final Lease lease;
  private final StageGraph graph;
  private final Parameters parameters;
  private final RetryPolicy jobRetry;

  /** The stages committed so far, by name: what downstream stages read. */
  private final Map<String, StageRecord> committed = new HashMap<>();

  private final List<String> executed = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<String> recovered = new ArrayList<>();

  /** Renews the lease while {@link #run()} runs. */
  private LeaseKeeper keeper;

  private RunInputs inputs;

  /**
   * @param run the run as recorded, whose lease this driver holds
   * @param cancel cancels the stage in flight before a stop's deadline
   * @param begun when this driver began working the run (before taking the lease)
   */
  RunAttempt(
      RunServices services,
      EventIds ids,
      CancelTimer cancel,
      RunRecord run,
      Lease lease,
      StageGraph graph,
      Parameters parameters,
      RetryPolicy jobRetry,
      Instant begun) {
    this.services = services;
    this.ids = ids;
    this.listener = listener(services, ids, run, lease, begun);
    this.cancel = cancel;
    this.writer = new StageWriter(listener);
    this.run = run;
    this.lease = lease;
    this.graph = graph;
    this.parameters = parameters;
    this.jobRetry = jobRetry;
  }

  /** The run's history, metrics and log, in that order. */
  static RunListener listener(
      RunServices services, EventIds ids, RunRecord run, Lease lease, Instant begun) {
    return RunListener.all(
        List.of(
            new RunHistory(services.store(), services.clock(), ids, run.runId(), lease.epoch()),
            new RunMetrics(services.clock(), run.job(), run.runId(), begun),
            new RunLog(run.runId(), run.runKey(), lease.epoch())));
  }

  /**
   * Runs the stages not committed yet and records the run's end.
   *
   * @throws RunHeldException the lease was lost; nothing more was written
   * @throws StageFailedException a stage failed; it is recorded FAILED and the run FAILED
   * @throws RunInterruptedException a stop was requested; the run is recorded INTERRUPTED
   */
  RunOutcome run() {
    var store = services.store();
    var settings = services.settings();
    try (CloseableThreadContext.Instance ctx =
            CloseableThreadContext.put("runId", run.runId())
                .put("job", run.job())
                .put("epoch", Long.toString(lease.epoch()));
        LeaseKeeper keeper =
            new LeaseKeeper(
                store,
                lease,
                services.clock(),
                settings.leaseTtl(),
                settings.heartbeat(),
                services.cancelWork())) {
      this.keeper = keeper;
      listener.started(services.holder().describe());
      Map<String, StageRecord> records = new HashMap<>();
      store.stages(run.runId()).forEach(r -> records.put(r.stage(), r));
      listener.attemptStarted(
          services.holder(),
          settings.codeVersion(),
          records.values().stream()
              .filter(r -> r.status() == StageStatus.COMMITTED)
              .map(StageRecord::stage)
              .sorted()
              .toList());
      services.sparkStarts().whenStarted(listener::sparkStarted);
      inputs =
          new RunInputs(
              services,
              lease,
              run,
              parameters,
              graph.order().stream()
                  .filter(
                      s ->
                          !records.containsKey(s.name())
                              || records.get(s.name()).status() != StageStatus.COMMITTED)
                  .toList());
      for (Stage stage : graph.order()) {
        keeper.check();
        stopIfInterrupted(stage.name());
        StageRecord record =
            records.getOrDefault(
                stage.name(),
                StageRecord.pending(
                    run.runId(), stage.name(), services.tables().location(stage.output().table())));
        try (CloseableThreadContext.Instance s =
            CloseableThreadContext.put("stage", stage.name())) {
          committed.put(stage.name(), runStage(stage, record));
        }
      }
      keeper.check();
      store.finishRun(lease, RunStatus.SUCCEEDED, "", services.clock().instant());
      listener.runSucceeded(executed.size(), skipped.size(), recovered.size());
      return new RunOutcome(
          run.runId(),
          RunStatus.SUCCEEDED,
          lease.epoch(),
          false,
          List.copyOf(executed),
          List.copyOf(skipped),
          List.copyOf(recovered));
    } catch (StageFailedException failed) {
      finishQuietly(RunStatus.FAILED, failed.getMessage(), failed);
      listener.runFailed(failed.getMessage());
      throw failed;
    } catch (RunHeldException lost) {
      listener.leaseLost(lost.getMessage());
      throw lost;
    }
  }

  /** Skips, recovers or runs one stage, retrying transient failures; its committed record. */
  private StageRecord runStage(Stage stage, StageRecord record) {
    if (record.status() == StageStatus.COMMITTED) {
      listener.stageSkipped(record);
      skipped.add(stage.name());
      return record;
    }
    StageRetry retry = new StageRetry(stage.retryPolicy().orElse(jobRetry), stage.name(), record);
    while (true) {
      stopIfInterrupted(stage.name());
      Optional<StageRecord> found = recover(stage, retry.record());
      if (found.isPresent()) {
        recovered.add(stage.name());
        return found.get();
      }
      keeper.check();
      AttemptResult result = attempt(stage, retry);
      if (result instanceof AttemptResult.Committed done) {
        executed.add(stage.name());
        return done.record();
      } else if (result instanceof AttemptResult.Retry again) {
        waitToRetry(stage, retry, again.delay());
      } else if (result instanceof AttemptResult.Failed failed) {
        throw failed.failure();
      } else if (result instanceof AttemptResult.Stopped stopped) {
        throw stopped.stop();
      } else {
        throw new IllegalStateException("no handling for attempt result " + result);
      }
    }
  }

  private void waitToRetry(Stage stage, StageRetry retry, Duration delay) {
    try {
      services.sleeper().sleep(delay);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw RunErrors.interruptedWhileWaiting(stage.name(), run.runId(), interrupted);
    }
    keeper.check();
    retry.record(currentRecord(stage, retry.record()));
  }

  private StageRecord currentRecord(Stage stage, StageRecord fallback) {
    return services.store().stages(run.runId()).stream()
        .filter(r -> r.stage().equals(stage.name()))
        .findFirst()
        .orElse(fallback);
  }

  /** Crash window 3→4: the Delta log holds the stage's txn but the checkpoint does not. */
  private Optional<StageRecord> recover(Stage stage, StageRecord record) {
    if (record.status() == StageStatus.PENDING || stage.chunks().isPresent()) {
      // A chunked stage reconciles chunk by chunk in its attempt (ChunkLoop).
      return Optional.empty();
    }
    TableStore tables = services.tables();
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
    services.store().transition(lease, transition);
    listener.stageRecovered(stage.name(), commit, location);
    return Optional.of(committedRecord(record, transition));
  }

  /**
   * One attempt of a stage: marks it RUNNING, computes and writes it (chunk by chunk if chunked)
   * under its own Spark job group, and records the commit. A failure before the Delta commit
   * becomes a result; a checkpoint write failing around it is thrown as is.
   */
  private AttemptResult attempt(Stage stage, StageRetry retry) {
    var store = services.store();
    var clock = services.clock();
    StageRecord record = retry.record();
    TableStore tables = services.tables();
    String location = tables.location(stage.output().table());
    String appId = DeltaTxn.appId(run.runId(), stage.name());
    long txnVersion = DeltaTxn.txnVersion(record);
    long base = tables.currentVersion(location);
    int attempt = record.attempts() + 1;
    store.transition(
        lease,
        new StageTransition.Start(
            stage.name(), attempt, location, appId, txnVersion, base, ids.next(), clock.instant()));
    TableStore.Commit commit = null;
    List<CheckResult> checks = List.of();
    long checkMillis = -1;
    StageMetrics metrics;
    Exception failure = null;
    boolean stopped = false;
    try (CloseableThreadContext.Instance a =
        CloseableThreadContext.put("attempt", Integer.toString(attempt))) {
      listener.attemptBegun(stage.name(), attempt, stage.output());
      services.faults().reached(stage.name(), FaultPoints.Window.AFTER_START);
      String group = appId + ":" + attempt;
      Instant started = clock.instant();
      services
          .observer()
          .begin(group, "cairn " + run.runId() + " stage " + stage.name() + " attempt " + attempt);
      try {
        if (!cancel.inFlight(group)) {
          // A stop came with no time left to commit: computing now would outlive the driver.
          stopped = true;
        } else {
          inputs.planDeclared();
          RunStageContext context =
              new RunStageContext(services, stage, parameters, committed, inputs, txnVersion);
          if (stage.chunks().isPresent()) {
            ChunksResult chunks =
                new ChunkLoop(services, ids, listener, writer, run, lease)
                    .run(stage, record, context, location, base);
            if (chunks instanceof ChunksResult.Completed completed) {
              commit = completed.commit();
              checks = completed.checks();
              checkMillis = completed.checkMillis();
            } else {
              stopped = true;
            }
          } else {
            StageWriter.Written written =
                writer.write(
                    stage,
                    context,
                    tables.decidesBeforeCommit(stage.output(), location, txnVersion),
                    (rows, beforeCommit) ->
                        tables.write(
                            rows, stage.output(), location, appId, txnVersion, base, beforeCommit));
            commit = written.commit();
            checks = written.checks();
            checkMillis = written.checkMillis();
          }
        }
      } catch (Exception e) {
        // Exception, not RuntimeException: Spark's AnalysisException is checked in Java but
        // thrown undeclared from Scala.
        failure = e;
      } finally {
        cancel.idle();
        metrics =
            services.observer().end(group, Duration.between(started, clock.instant()).toMillis());
        if (!stage.expectations().isEmpty() && checkMillis >= 0) {
          metrics = metrics.withCheckMs(checkMillis);
        }
      }
    }
    if (failure != null || stopped) {
      return afterFailure(stage, retry, attempt, failure);
    }
    if (commit.skippedDuplicate()) {
      listener.duplicateSkipped(stage.name(), commit);
    }
    services.faults().reached(stage.name(), FaultPoints.Window.AFTER_DELTA_COMMIT);
    StageTransition.Commit transition =
        commitTransition(stage, location, appId, txnVersion, commit, false, checks, metrics);
    store.transition(lease, transition);
    listener.stageCommitted(stage.name(), attempt, commit, location, metrics);
    services.faults().reached(stage.name(), FaultPoints.Window.AFTER_CHECKPOINT);
    return new AttemptResult.Committed(committedRecord(record, transition));
  }

  /**
   * An attempt that published nothing: failed with {@code failure}, or (null) stopped before
   * computing or between chunks. Records it on the stage and says what to do next.
   */
  private AttemptResult afterFailure(
      Stage stage, StageRetry retry, int attempt, Exception failure) {
    // A driver that lost its lease (its Spark jobs were cancelled) says so, not "failed".
    keeper.check();
    Optional<Notice> notice = services.interruption().requested();
    if (notice.isPresent()) {
      // Cancelled (or failed) while stopping: not the stage's fault, and not worth a retry.
      recordFailure(
          stage,
          attempt,
          FailureClass.INTERRUPTED,
          "stopped: " + notice.get().reason(),
          null,
          List.of());
      return new AttemptResult.Stopped(interrupted(stage.name(), notice.get()));
    }
    if (failure == null) {
      // An attempt stops only on a stop request, and a request is never withdrawn.
      throw new IllegalStateException("stage " + stage.name() + " stopped with no stop requested");
    }
    FailureClass failureClass = FailureClassifier.classify(failure);
    if (failureClass == FailureClass.LEASE_LOST) {
      // The store refused a write (its own RunHeldException says why), or the write fence a commit,
      // before the keeper heard the store say the lease was lost: the same stop, not the stage's
      // failure (nothing to record: the store would refuse it, or the run is another driver's).
      for (Throwable t : FailureClassifier.chain(failure)) {
        if (t instanceof RunHeldException held) {
          throw held;
        }
      }
      throw RunErrors.leaseUncertain(
          run.runId(), stage.name(), FailureClassifier.summary(failure, failureClass));
    }
    long delayMillis = retry.onError(failure);
    String summary = FailureClassifier.summary(failure, failureClass);
    if (delayMillis < 0) {
      StageFailedException failed =
          RunErrors.stageFailed(
              stage.name(),
              run.runId(),
              failureClass,
              summary,
              retry.policy().maxAttempts(),
              failure);
      try {
        recordFailure(stage, attempt, failureClass, summary, null, checksOf(failure));
      } catch (RuntimeException notRecorded) {
        failed.addSuppressed(notRecorded);
      }
      listener.stageFailed(stage.name(), attempt, failureClass, summary);
      return new AttemptResult.Failed(failed);
    }
    Duration delay = Duration.ofMillis(delayMillis);
    recordFailure(stage, attempt, failureClass, summary, delay, List.of());
    listener.retryScheduled(
        stage.name(), attempt, failureClass, delayMillis, retry.policy().maxAttempts(), summary);
    return new AttemptResult.Retry(delay);
  }

  /**
   * Records a failed attempt on the stage: retried after {@code retryIn}, or (null) not retried,
   * with the check results of its rows if a gate failed it.
   */
  private void recordFailure(
      Stage stage,
      int attempt,
      FailureClass failureClass,
      String summary,
      Duration retryIn,
      List<CheckResult> checks) {
    services
        .store()
        .transition(
            lease,
            new StageTransition.Fail(
                stage.name(),
                attempt,
                failureClass.name(),
                summary,
                Optional.ofNullable(retryIn),
                checks,
                ids.next(),
                services.clock().instant()));
  }

  /**
   * Stops before starting {@code nextStage} if a stop was requested: records the run INTERRUPTED,
   * releases its lease so the next driver starts at once, and throws.
   */
  private void stopIfInterrupted(String nextStage) {
    Optional<Notice> notice = services.interruption().requested();
    if (notice.isPresent()) {
      throw interrupted(nextStage, notice.get());
    }
  }

  private RunInterruptedException interrupted(String stage, Notice notice) {
    String reason = notice.reason() + "; stopped at stage " + stage;
    RunInterruptedException stop = RunErrors.runInterrupted(run.runId(), reason, stage);
    try {
      services
          .store()
          .finishRun(
              lease,
              RunStatus.INTERRUPTED,
              reason,
              Optional.of(FailureClass.INTERRUPTED),
              services.clock().instant());
    } catch (RuntimeException notRecorded) {
      stop.addSuppressed(notRecorded);
    }
    listener.runInterrupted(reason);
    return stop;
  }

  /** Records the run's end with the class of {@code cause}, which a failure to record joins. */
  private void finishQuietly(RunStatus status, String reason, RuntimeException cause) {
    try {
      services
          .store()
          .finishRun(
              lease,
              status,
              reason,
              Optional.of(FailureClassifier.classify(cause)),
              services.clock().instant());
    } catch (RuntimeException notRecorded) {
      cause.addSuppressed(notRecorded);
    }
  }

  private static List<CheckResult> checksOf(Throwable failure) {
    for (Throwable t : FailureClassifier.chain(failure)) {
      if (t instanceof DataQualityException quality) {
        return quality.results();
      }
    }
    return List.of();
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
        services.clock().instant());
  }

  private StageRecord committedRecord(StageRecord before, StageTransition.Commit commit) {
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
