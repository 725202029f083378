package dev.cairn.internal.engine;

import dev.cairn.CairnJob;
import dev.cairn.Parameters;
import dev.cairn.RetryPolicy;
import dev.cairn.RunHeldException;
import dev.cairn.StageFailedException;
import dev.cairn.StateUnknownException;
import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.NewRun;
import dev.cairn.internal.store.Rerun;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs, resumes or reruns one run of a job, stage by stage, with the commit protocol of
 * docs/ARCHITECTURE.md: each entry point takes the run's lease (at the next epoch) and hands the
 * run to a {@link RunAttempt}, which runs the stages not committed yet.
 *
 * <p>On resume: a COMMITTED stage is skipped; a RUNNING or FAILED stage whose transaction the Delta
 * log already holds (a crash between its Delta commit and its checkpoint) is marked COMMITTED with
 * that version without recomputing ("recovered"); any other stage runs again, and Delta's txn id
 * makes a duplicate write impossible.
 *
 * <p>Not thread-safe: one executor runs one run at a time.
 */
public final class RunExecutor {
  private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

  private final RunServices services;
  private final EventIds ids;
  private final LeaseTakeover takeover;

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
    this.ids = new EventIds(services.clock());
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
    return run(job, ParameterResolver.Resolved.asSpelled(parameters));
  }

  /** As {@link #run(CairnJob, Parameters)}, the run identified by {@code resolved.identity()}. */
  public RunOutcome run(CairnJob job, ParameterResolver.Resolved resolved) {
    Parameters parameters = resolved.values();
    RunIdentity identity = RunIdentity.of(job.name(), resolved.identity());
    StageGraph graph = StageGraph.of(job.name(), job.stages(parameters));
    RunRecord run =
        services
            .store()
            .openRun(
                new NewRun(
                    identity.runId(),
                    job.name(),
                    identity.runKey(),
                    parameters.asMap(),
                    identity.parametersHash(),
                    services.settings().codeVersion(),
                    services.clock().instant()));
    if (!run.parametersHash().equals(identity.parametersHash())) {
      throw RunErrors.parametersCollide(run.runId(), run.runKey());
    }
    if (!onThisHost(job, run, run.parameters(), Set.of()).equals(parameters)) {
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
    Parameters parameters = onThisHost(job, run, run.parameters(), Set.of());
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
    var store = services.store();
    var clock = services.clock();
    Instant begun = clock.instant();
    RunRecord before = planned.run();
    Lease lease = takeover.acquire(before);
    RerunPlan plan;
    Rerun rerun;
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
                  return services.tables().location(table);
                }

                @Override
                public long committedTxnVersion(String location, String appId) {
                  return services.tables().committedTxnVersion(location, appId);
                }
              });
      rerun = plan.record(clock.instant(), by);
      store.recordRerun(lease, rerun, plan.parameters(), plan.invalidations(clock.instant()));
    } catch (StateUnknownException unknown) {
      throw unknown; // whether the rerun landed or not, `cairn resume` continues consistently
    } catch (RuntimeException notRecorded) {
      // Nothing was invalidated: give the run back as it was (taking the lease made it RUNNING).
      try {
        store.finishRun(
            lease, before.status(), before.reason(), before.reasonClass(), clock.instant());
      } catch (RuntimeException alsoFailed) {
        notRecorded.addSuppressed(alsoFailed);
      }
      throw notRecorded;
    }
    RunAttempt.listener(services, ids, plan.run(), lease, begun).rerunRecorded(plan, by);
    recorded.accept(plan);
    Parameters parameters =
        onThisHost(job, plan.run(), plan.parameters(), plan.parameterChanges().keySet());
    return executeWithLease(
        plan.run().withRerun(rerun), // its input plans: this rerun's stages re-plan theirs
        lease,
        StageGraph.of(job.name(), job.stages(parameters)),
        parameters,
        job.retryPolicy(),
        begun);
  }

  /** The recorded parameters of {@code run} as a driver on this host reads them. */
  private Parameters onThisHost(
      CairnJob job, RunRecord run, Map<String, String> recorded, Set<String> changedNow) {
    Set<String> setByRerun = new HashSet<>(changedNow);
    run.reruns().forEach(r -> setByRerun.addAll(r.parameterChanges().keySet()));
    return services
        .hostParameters()
        .onThisHost(job, RunIdentity.values(run.runKey()), recorded, setByRerun);
  }

  private static RunOutcome alreadySucceeded(RunRecord run) {
    LOG.info("Run {} already succeeded; nothing to do", run.runId());
    return new RunOutcome(
        run.runId(), RunStatus.SUCCEEDED, run.epoch(), true, List.of(), List.of(), List.of());
  }

  private RunOutcome execute(
      RunRecord run, StageGraph graph, Parameters parameters, RetryPolicy jobRetry) {
    Instant begun = services.clock().instant();
    return executeWithLease(run, takeover.acquire(run), graph, parameters, jobRetry, begun);
  }

  /** Works the run while a stop notice may cancel the stage in flight before its deadline. */
  private RunOutcome executeWithLease(
      RunRecord run,
      Lease lease,
      StageGraph graph,
      Parameters parameters,
      RetryPolicy jobRetry,
      Instant begun) {
    try (CancelTimer cancel = CancelTimer.start(run.runId(), services)) {
      return new RunAttempt(services, ids, cancel, run, lease, graph, parameters, jobRetry, begun)
          .run();
    }
  }
}
