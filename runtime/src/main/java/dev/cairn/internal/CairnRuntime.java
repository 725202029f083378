package dev.cairn.internal;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.internal.config.CairnConfig;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.config.Spark;
import dev.cairn.internal.delta.DeltaTableStore;
import dev.cairn.internal.engine.FaultPoints;
import dev.cairn.internal.engine.ParameterResolver;
import dev.cairn.internal.engine.PauseAtFaultPoint;
import dev.cairn.internal.engine.RunExecutor;
import dev.cairn.internal.engine.RunOutcome;
import dev.cairn.internal.engine.StageGraph;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.DynamoDbCheckpointStore;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

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
    Parameters parameters =
        ParameterResolver.resolve(job, given, new JobEnvironment(config.dataCache()));
    return executor(job).run(job, parameters);
  }

  /** Continues an existing run from its first incomplete stage. */
  public RunOutcome resume(String runId) {
    RunRecord run =
        store()
            .findRun(runId)
            .orElseThrow(
                () ->
                    new InvalidParameterException(
                        "no run '" + runId + "' in checkpoint table " + config.tableName(),
                        "list runs with `cairn runs`"));
    CairnJob job = jobs.job(run.job());
    return executor(job).run(job, Parameters.of(run.parameters()));
  }

  /** The run and a view of every stage: its checkpoint, or PENDING if it has none yet. */
  public Optional<RunView> status(String runId) {
    Optional<RunRecord> run = store().findRun(runId);
    if (run.isEmpty()) {
      return Optional.empty();
    }
    Map<String, StageRecord> records = new HashMap<>();
    store().stages(runId).forEach(r -> records.put(r.stage(), r));
    List<StageRecord> stages = new ArrayList<>();
    Optional<List<Stage>> declared = declaredStages(run.get());
    if (declared.isPresent()) {
      for (Stage stage : declared.get()) {
        stages.add(
            records.getOrDefault(
                stage.name(),
                StageRecord.pending(
                    runId,
                    stage.name(),
                    DeltaTableStore.location(config.warehouse(), stage.output().table()))));
        records.remove(stage.name());
      }
    }
    stages.addAll(records.values());
    return Optional.of(new RunView(run.get(), stages, leaseState(run.get())));
  }

  /** Whether a run's lease is free, held, expired, or held by a process gone from this host. */
  public enum LeaseState {
    FREE,
    HELD,
    EXPIRED,
    HOLDER_GONE
  }

  private LeaseState leaseState(RunRecord run) {
    if (run.holder().isEmpty()) {
      return LeaseState.FREE;
    }
    if (run.holder().get().isDeadProcessOn(hostName())) {
      return LeaseState.HOLDER_GONE;
    }
    return run.isHeldAt(clock.instant()) ? LeaseState.HELD : LeaseState.EXPIRED;
  }

  /** The most recently updated runs. */
  public List<RunRecord> runs(int limit) {
    return store().listRuns(limit);
  }

  /** A run with its stages in execution order and the state of its lease now. */
  public record RunView(RunRecord run, List<StageRecord> stages, LeaseState leaseState) {}

  private Optional<List<Stage>> declaredStages(RunRecord run) {
    try {
      CairnJob job = jobs.job(run.job());
      return Optional.of(
          StageGraph.of(job.name(), job.stages(Parameters.of(run.parameters()))).order());
    } catch (RuntimeException unknownJob) {
      return Optional.empty();
    }
  }

  private RunExecutor executor(CairnJob job) {
    CheckpointStore checkpoints = store();
    Supplier<SparkSession> session = () -> spark(job);
    return new RunExecutor(
        checkpoints,
        new DeltaTableStore(session, config.warehouse()),
        session,
        clock,
        LeaseHolder.thisProcess(hostName()),
        new RunExecutor.Settings(
            config.leaseTtl(), config.leaseTtl().dividedBy(3), hostName(), codeVersion(job)),
        faultPoints(),
        this::cancelSparkJobs);
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
    }
    return spark;
  }

  /** The checkpoint store, created on first use (and its table if absent). */
  public synchronized CheckpointStore store() {
    if (store == null) {
      DynamoDbClient client;
      if (config.embeddedStore()) {
        client =
            DynamoDbClient.builder()
                .endpointOverride(
                    EmbeddedDynamoDb.ensureRunning(config.home(), config.dynamoDbLocalLib()))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("cairn", "cairn")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
      } else {
        // Region, credentials and endpoint come from the SDK's standard settings.
        client = DynamoDbClient.builder().httpClientBuilder(ApacheHttpClient.builder()).build();
      }
      DynamoDbCheckpointStore dynamo = new DynamoDbCheckpointStore(client, config.tableName());
      dynamo.createTableIfAbsent();
      store = dynamo;
    }
    return store;
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
