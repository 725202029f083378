package dev.cairn.internal;

import dev.cairn.CairnException;
import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Parameters;
import dev.cairn.RunHeldException;
import dev.cairn.Stage;
import dev.cairn.internal.chunking.SizingSettings;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.config.DynamoDbRetries;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.config.SparkApplication;
import dev.cairn.internal.config.StoreClockSkew;
import dev.cairn.internal.config.Warehouse;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.engine.FaultPoints;
import dev.cairn.internal.engine.ParameterResolver;
import dev.cairn.internal.engine.PauseAtFaultPoint;
import dev.cairn.internal.engine.RerunPlan;
import dev.cairn.internal.engine.RunExecutor;
import dev.cairn.internal.engine.RunOutcome;
import dev.cairn.internal.engine.RunServices;
import dev.cairn.internal.engine.Sleeper;
import dev.cairn.internal.engine.StageGraph;
import dev.cairn.internal.errors.CommandErrors;
import dev.cairn.internal.errors.ConfigErrors;
import dev.cairn.internal.errors.RunErrors;
import dev.cairn.internal.input.Locations.PlainPaths;
import dev.cairn.internal.interrupt.ImdsNoticeSource;
import dev.cairn.internal.interrupt.Interruption;
import dev.cairn.internal.interrupt.InterruptionWatcher;
import dev.cairn.internal.interrupt.NoticeSource;
import dev.cairn.internal.metrics.SparkStageObserver;
import dev.cairn.internal.report.DriverAttempt;
import dev.cairn.internal.report.ReportPage;
import dev.cairn.internal.report.RunReport;
import dev.cairn.internal.runbook.Runbook;
import dev.cairn.internal.runbook.Runbooks;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.ChunkRecord;
import dev.cairn.internal.store.DynamoDbCheckpointStore;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.LeaseState;
import dev.cairn.internal.store.RunEvent;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.RunStatus;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.TableSetup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Wires the runtime for one driver process from its configuration: the checkpoint store (embedded
 * DynamoDB Local or a real table), Spark and Delta (created only when a run needs them), and the
 * executor. What the CLI calls; the CLI itself only parses and prints.
 */
public final class CairnRuntime implements AutoCloseable {
  private final CairnConfig config;
  private final JobCatalog jobs;
  private final Map<String, String> env;
  private final Clock clock;
  private String hostName;
  private CheckpointStore store;
  private SparkSession spark;
  private PlainPaths plainPaths;

  /** Who asked to be told when {@link #spark} starts; told once, then forgotten. */
  private final List<Consumer<SparkApplication>> sparkWaiters = new ArrayList<>();

  public CairnRuntime(CairnConfig config, JobCatalog jobs, Map<String, String> env) {
    this(config, jobs, env, Clock.systemUTC());
  }

  public CairnRuntime(CairnConfig config, JobCatalog jobs, Map<String, String> env, Clock clock) {
    this.config = config;
    this.jobs = jobs;
    this.env = env;
    this.clock = clock;
  }

  public CairnConfig config() {
    return config;
  }

  /**
   * A runtime like this one on the configuration {@code adjust} makes of this one's (what a
   * command's options change, e.g. {@code --master}). Only for a runtime that started nothing yet.
   */
  public synchronized CairnRuntime reconfigured(UnaryOperator<CairnConfig> adjust) {
    if (store != null || spark != null) {
      throw new IllegalStateException("reconfigured after the runtime started its store or Spark");
    }
    return new CairnRuntime(adjust.apply(config), jobs, env, clock);
  }

  public JobCatalog jobs() {
    return jobs;
  }

  /** Starts the run of {@code jobName} for these parameters, or resumes it. */
  public RunOutcome run(String jobName, Map<String, String> given) {
    CairnJob job = jobs.job(jobName);
    ParameterResolver.Resolved parameters =
        ParameterResolver.resolve(job, given, new JobEnvironment(config.dataCache()), plainPaths());
    return watched(job, executor -> executor.run(job, parameters));
  }

  /**
   * Continues an existing run from its first incomplete stage, with its parameters as recorded (a
   * rerun may have changed them).
   */
  public RunOutcome resume(String runId) {
    RunRecord run = existingRun(runId);
    CairnJob job = jobs.job(run.job());
    return watched(job, executor -> executor.resume(job, run));
  }

  /**
   * Runs with the interruption watcher on: Spot notices from IMDS (unless {@code
   * AWS_EC2_METADATA_DISABLED}) and SIGTERM make the driver stop cleanly with exit 75.
   */
  private RunOutcome watched(CairnJob job, Function<RunExecutor, RunOutcome> work) {
    Interruption interruption = new Interruption();
    List<NoticeSource> sources = new ArrayList<>();
    Optional<ImdsNoticeSource> imds = ImdsNoticeSource.fromEnvironment(env, clock);
    imds.ifPresent(sources::add);
    SizingSettings sizing =
        SizingSettings.fromEnvironment(env, () -> imds.map(ImdsNoticeSource::onSpot).orElse(false));
    try (InterruptionWatcher watcher =
        new InterruptionWatcher(
            sources,
            interruption,
            seconds("CAIRN_SPOT_POLL_SECONDS", 5),
            seconds("CAIRN_TERM_GRACE_SECONDS", 10),
            clock)) {
      watcher.handleSigterm();
      return work.apply(executor(job, interruption, sizing));
    }
  }

  private Duration seconds(String name, long byDefault) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return Duration.ofSeconds(byDefault);
    }
    try {
      long n = Long.parseLong(value.strip());
      if (n < 0) {
        throw new NumberFormatException("negative");
      }
      return Duration.ofSeconds(n);
    } catch (NumberFormatException e) {
      throw ConfigErrors.notAWholeNumberOfSeconds(name, value, byDefault);
    }
  }

  /**
   * What {@code cairn rerun} would do, computed from the checkpoints alone: no lease, no Spark, no
   * change. (The rerun itself also asks the Delta logs, so that a table holding a later transaction
   * than its checkpoint, e.g. after the checkpoint expired, still gets a new one.)
   *
   * @throws InvalidParameterException unknown run, stage or parameter
   */
  public RerunPlan planRerun(String runId, String from, Map<String, String> changes) {
    RunRecord run = existingRun(runId);
    CairnJob job = jobs.job(run.job());
    return planRerun(
        run, job, from, ParameterResolver.canonicalChanges(job, changes, plainPaths()));
  }

  private RerunPlan planRerun(
      RunRecord run, CairnJob job, String from, Map<String, String> canonicalChanges) {
    return RerunPlan.of(
        job,
        run,
        store().stages(run.runId()),
        from,
        canonicalChanges,
        RerunPlan.Tables.checkpointsOnly(t -> DeltaTableStore.location(config.warehouse(), t)));
  }

  /**
   * Reruns stage {@code from} of a run and everything downstream of it, with {@code changes} to its
   * parameters; {@code recorded} is told the plan once the rerun is recorded, before the stages
   * run.
   *
   * @throws InvalidParameterException unknown run, stage or parameter (checked before anything
   *     starts)
   * @throws dev.cairn.RunHeldException another driver holds the run
   */
  public RunOutcome rerun(
      String runId, String from, Map<String, String> asGiven, Consumer<RerunPlan> recorded) {
    RunRecord run = existingRun(runId);
    CairnJob job = jobs.job(run.job());
    Map<String, String> changes = ParameterResolver.canonicalChanges(job, asGiven, plainPaths());
    RerunPlan planned = planRerun(run, job, from, changes);
    return watched(job, executor -> executor.rerun(job, planned, changes, operator(), recorded));
  }

  /**
   * {@code cairn init}: creates or completes the checkpoint table, and checks the warehouse can be
   * written. Idempotent.
   */
  public InitReport init() {
    DynamoDbCheckpointStore dynamo = newStore();
    TableSetup table = dynamo.initialize();
    synchronized (this) {
      if (store == null) {
        store = dynamo;
      } else {
        dynamo.close();
      }
    }
    return new InitReport(table, Warehouse.checkWritable(config.warehouse()));
  }

  /** What {@code cairn init} found and did. */
  public record InitReport(TableSetup table, Warehouse.Check warehouse) {}

  /** What failed in a run, its class, and the runbook entry for it filled in for this run. */
  public Optional<Runbook> runbook(String runId) {
    return status(runId)
        .map(
            view ->
                Runbook.of(
                    view.run(),
                    view.stages(),
                    view.leaseState(),
                    graph(view.run()),
                    Runbooks.of(config.runbooks())));
  }

  private RunRecord existingRun(String runId) {
    return store().findRun(runId).orElseThrow(() -> RunErrors.noSuchRun(runId, config.tableName()));
  }

  /** Who asks for a rerun: recorded on the run. */
  private String operator() {
    return System.getProperty("user.name", "unknown") + "@" + hostName();
  }

  /** The run and a view of every stage: its checkpoint, or PENDING if it has none yet. */
  public Optional<RunView> status(String runId) {
    return new RunStatusReader(
            store(), config.warehouse(), clock, this::declaredStages, this::leaseState)
        .status(runId);
  }

  private LeaseState leaseState(RunRecord run) {
    return LeaseState.of(run, clock.instant(), hostName());
  }

  /**
   * An operator's override of a run's lease: the holder loses it (its epoch is superseded, so it
   * can no longer write) and the run becomes INTERRUPTED, so {@code cairn resume} starts at once.
   *
   * @return the run before the break, or empty holder when it held no lease (nothing done)
   * @throws RunHeldException when the holder still renews its lease and {@code mode} is not FORCE
   */
  public RunRecord breakLease(String runId, CheckpointStore.BreakMode mode) {
    RunRecord run =
        store().findRun(runId).orElseThrow(() -> RunErrors.noSuchRun(runId, config.tableName()));
    if (run.holder().isEmpty()) {
      return run;
    }
    LeaseHolder holder = run.holder().get();
    Instant now = clock.instant();
    boolean gone = holder.isDeadProcessOn(hostName());
    if (mode == CheckpointStore.BreakMode.IF_EXPIRED && run.isHeldAt(now) && !gone) {
      throw RunErrors.leaseStillRenewed(
          runId, holder.describe(), run.leaseSince(), run.leaseExpiresAt());
    }
    String reason =
        "lease of "
            + holder.describe()
            + " broken by an operator"
            + (run.isHeldAt(now) && !gone ? " (forced while it was still renewed)" : "");
    boolean broken =
        store()
            .breakLease(
                runId, run.epoch(), gone ? CheckpointStore.BreakMode.FORCE : mode, now, reason);
    if (!broken) {
      throw RunErrors.changedWhileBreakingLease(runId);
    }
    try {
      store()
          .recordEvent(
              RunEvent.ofRun(
                  runId,
                  now,
                  "operator-" + now.toEpochMilli(),
                  RunEvent.Type.OPERATOR,
                  run.epoch() + 1,
                  reason));
    } catch (RuntimeException notRecorded) {
      // the break stands; the history just misses its line
    }
    return run;
  }

  /**
   * Writes the HTML report of {@code runId} ({@link RunReport}, {@link ReportPage}) to {@code out},
   * or to {@code $CAIRN_HOME/reports/<runId>.html}, replacing an older one. Reads the checkpoint
   * table alone: no lease, no Spark.
   *
   * @return the file written, or empty when there is no such run
   * @throws CairnException when the file cannot be written
   */
  public Optional<Path> writeReport(String runId, Optional<Path> out) {
    Optional<RunView> view = status(runId);
    if (view.isEmpty()) {
      return Optional.empty();
    }
    RunRecord run = view.get().run();
    Map<String, List<ChunkRecord>> chunks = new HashMap<>();
    for (StageRecord stage : view.get().stages()) {
      if (stage.chunked()) {
        chunks.put(stage.stage(), store().chunks(runId, stage.stage(), stage.generation()));
      }
    }
    Optional<Runbook> runbook =
        run.status() == RunStatus.SUCCEEDED ? Optional.empty() : runbook(runId);
    RunReport report =
        RunReport.of(
            run, view.get().stages(), chunks, store().events(runId), runbook, clock.instant());
    Path file =
        out.orElse(config.home().resolve("reports").resolve(runId + ".html"))
            .toAbsolutePath()
            .normalize();
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      Files.writeString(partial, ReportPage.render(report), StandardCharsets.UTF_8);
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException notWritten) {
      throw CommandErrors.reportNotWritten(file, notWritten);
    }
    return Optional.of(file);
  }

  /** The drivers that held the run, oldest first, from its history; empty for no such run. */
  public List<DriverAttempt> attempts(String runId) {
    Optional<RunRecord> run = store().findRun(runId);
    if (run.isEmpty()) {
      return List.of();
    }
    return DriverAttempt.of(run.get(), store().events(runId), List.of(), clock.instant());
  }

  /** The run's events, oldest first; empty when there is no such run. */
  public Optional<List<RunEvent>> history(String runId) {
    return store().findRun(runId).map(run -> store().events(runId));
  }

  /** The most recently updated runs. */
  public List<RunRecord> runs(int limit) {
    return store().listRuns(limit);
  }

  /**
   * Up to {@code limit} of the most recently updated runs of {@code job} (any when null) in state
   * {@code status} (any when null). Filters over the newest 1 000 runs.
   */
  public List<RunRecord> runs(int limit, String job, RunStatus status) {
    if (job == null && status == null) {
      return runs(limit);
    }
    return store().listRuns(Math.max(limit, 1000)).stream()
        .filter(r -> job == null || r.job().equals(job))
        .filter(r -> status == null || r.status() == status)
        .limit(limit)
        .toList();
  }

  /**
   * A run with its stages in execution order and the state of its lease now.
   *
   * @param expectedDurations for running stages, their duration in the job's last succeeded run
   * @param chunks for chunked stages with a frozen plan, how far their chunks got
   * @param inputs the run's recorded input plans ({@link InputPlan#STATUS_ORDER})
   */
  public record RunView(
      RunRecord run,
      List<StageRecord> stages,
      LeaseState leaseState,
      Instant now,
      Map<String, Long> expectedDurations,
      Map<String, ChunkProgress> chunks,
      List<InputPlan> inputs) {}

  /**
   * The chunks of a chunked stage's current generation.
   *
   * @param total chunks in its frozen plan
   * @param committed chunks whose commit is recorded
   * @param reexecuted executions beyond the first, summed over its chunks: work done again after
   *     kills or retries
   */
  public record ChunkProgress(int total, int committed, int reexecuted) {}

  private Optional<List<Stage>> declaredStages(RunRecord run) {
    return graph(run).map(StageGraph::order);
  }

  private Optional<StageGraph> graph(RunRecord run) {
    try {
      CairnJob job = jobs.job(run.job());
      return Optional.of(StageGraph.of(job.name(), job.stages(Parameters.of(run.parameters()))));
    } catch (RuntimeException unknownJob) {
      return Optional.empty();
    }
  }

  private RunExecutor executor(CairnJob job, Interruption interruption, SizingSettings sizing) {
    CheckpointStore checkpoints = store();
    Supplier<SparkSession> session = () -> spark(job);
    return new RunExecutor(
        RunServices.builder(
                checkpoints,
                new DeltaTableStore(session, config.warehouse()),
                session,
                clock,
                LeaseHolder.thisProcess(hostName()),
                new RunExecutor.Settings(
                    config.leaseTtl(),
                    config.leaseTtl().dividedBy(3),
                    hostName(),
                    codeVersion(job),
                    seconds("CAIRN_INTERRUPT_MARGIN_SECONDS", 10)))
            .faults(faultPoints())
            .cancelWork(this::cancelSparkJobs)
            .sleeper(Sleeper.system())
            .observer(new SparkStageObserver(session))
            .interruption(interruption)
            .sizing(sizing)
            .sparkStarts(this::whenSparkStarted)
            .hostParameters(
                (declared, identity, recorded, setByRerun) ->
                    ParameterResolver.onThisHost(
                        declared,
                        identity,
                        recorded,
                        setByRerun,
                        new JobEnvironment(config.dataCache()),
                        plainPaths()))
            .build());
  }

  /** Read once per runtime: it parses Hadoop's configuration files. */
  private synchronized PlainPaths plainPaths() {
    if (plainPaths == null) {
      plainPaths = PlainPaths.here();
    }
    return plainPaths;
  }

  private FaultPoints faultPoints() {
    return PauseAtFaultPoint.fromEnvironment(env);
  }

  private synchronized void cancelSparkJobs() {
    if (spark != null) {
      spark.sparkContext().cancelAllJobs();
    }
  }

  private synchronized SparkSession spark(CairnJob job) {
    if (spark == null) {
      spark = Spark.session(config, "cairn " + job.name());
      SparkApplication started = SparkApplication.of(spark);
      List<Consumer<SparkApplication>> waiting = List.copyOf(sparkWaiters);
      sparkWaiters.clear();
      waiting.forEach(then -> then.accept(started));
    }
    return spark;
  }

  /** {@link SparkStarts} of this driver: told when {@link #spark} creates the session. */
  private synchronized void whenSparkStarted(Consumer<SparkApplication> then) {
    if (spark != null) {
      then.accept(SparkApplication.of(spark));
    } else {
      sparkWaiters.add(then);
    }
  }

  /** The checkpoint store, created on first use (and its table if absent). */
  public synchronized CheckpointStore store() {
    if (store == null) {
      DynamoDbCheckpointStore dynamo = newStore();
      dynamo.createTableIfAbsent();
      store = dynamo;
    }
    return store;
  }

  /** A store on the configured table (starting the embedded server if it is the one). */
  private DynamoDbCheckpointStore newStore() {
    int attempts = DynamoDbRetries.maxAttempts(env, System.getProperties());
    DynamoDbClientBuilder builder =
        DynamoDbClient.builder()
            .httpClientBuilder(ApacheHttpClient.builder())
            .overrideConfiguration(
                o ->
                    o.retryStrategy(DynamoDbRetries.configure(attempts))
                        .addExecutionInterceptor(
                            new StoreClockSkew(config.leaseTtl().dividedBy(12))));
    DynamoDbClient client;
    if (config.embeddedStore()) {
      client =
          builder
              .endpointOverride(
                  EmbeddedDynamoDb.ensureRunning(config.home(), config.dynamoDbLocalLib()))
              .region(Region.US_EAST_1)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("cairn", "cairn")))
              .build();
    } else {
      // Region, credentials and endpoint come from the SDK's standard settings.
      client = builder.build();
    }
    return new DynamoDbCheckpointStore(client, config.tableName(), config.retention());
  }

  private static String codeVersion(CairnJob job) {
    String version = job.getClass().getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** Resolved once per runtime: the lookup may go to DNS. */
  private synchronized String hostName() {
    if (hostName == null) {
      try {
        hostName = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        hostName = "localhost";
      }
    }
    return hostName;
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
    }
    if (spark != null) {
      spark.stop();
    }
  }
}
