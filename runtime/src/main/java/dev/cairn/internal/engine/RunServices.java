package dev.cairn.internal.engine;

import dev.cairn.internal.chunking.SizingSettings;
import dev.cairn.internal.delta.TableStore;
import dev.cairn.internal.interrupt.Interruption;
import dev.cairn.internal.metrics.StageObserver;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.LeaseHolder;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Everything a {@link RunExecutor} works through, as one immutable value: every side effect (the
 * checkpoint store, the tables, Spark, time, waiting, cancelling) sits behind one of these, so the
 * engine runs against fakes in unit tests.
 *
 * @param holder this driver, as its lease names it
 * @param faults the crash windows a test stops at; {@link FaultPoints#NONE} in production
 * @param cancelWork cancels all of this driver's Spark jobs (the lease was lost)
 * @param observer brackets each stage attempt's Spark work (job group, metrics, cancel)
 * @param interruption whether this driver was asked to stop (Spot notice, SIGTERM)
 * @param sizing the operator's chunk sizing settings, and whether the driver runs on Spot
 * @param sparkStarts tells when this driver's Spark application starts, to record its id
 * @param hostParameters the parameters a recorded run continues with on this host
 */
public record RunServices(
    CheckpointStore store,
    TableStore tables,
    Supplier<SparkSession> spark,
    Clock clock,
    LeaseHolder holder,
    RunExecutor.Settings settings,
    FaultPoints faults,
    Runnable cancelWork,
    Sleeper sleeper,
    StageObserver observer,
    Interruption interruption,
    SizingSettings sizing,
    SparkStarts sparkStarts,
    HostParameters hostParameters) {

  public RunServices {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(tables, "tables");
    Objects.requireNonNull(spark, "spark");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(cancelWork, "cancelWork");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(interruption, "interruption");
    Objects.requireNonNull(sizing, "sizing");
    Objects.requireNonNull(sparkStarts, "sparkStarts");
    Objects.requireNonNull(hostParameters, "hostParameters");
  }

  /**
   * The services a run cannot do without; the others default to: no fault points, nothing to
   * cancel, real sleeps, no Spark observer, an interruption nobody requests, the default chunk
   * sizing off Spot, no Spark start told, and recorded parameters read as recorded.
   */
  public static Builder builder(
      CheckpointStore store,
      TableStore tables,
      Supplier<SparkSession> spark,
      Clock clock,
      LeaseHolder holder,
      RunExecutor.Settings settings) {
    return new Builder(store, tables, spark, clock, holder, settings);
  }

  /** Builds {@link RunServices}; each setter refuses null. Not thread-safe. */
  public static final class Builder {
    private final CheckpointStore store;
    private final TableStore tables;
    private final Supplier<SparkSession> spark;
    private final Clock clock;
    private final LeaseHolder holder;
    private final RunExecutor.Settings settings;
    private FaultPoints faults = FaultPoints.NONE;
    private Runnable cancelWork = () -> {};
    private Sleeper sleeper = Sleeper.system();
    private StageObserver observer = StageObserver.NONE;
    private Interruption interruption = new Interruption();
    private SizingSettings sizing = SizingSettings.DEFAULTS;
    private SparkStarts sparkStarts = SparkStarts.NONE;
    private HostParameters hostParameters = HostParameters.RECORDED;

    private Builder(
        CheckpointStore store,
        TableStore tables,
        Supplier<SparkSession> spark,
        Clock clock,
        LeaseHolder holder,
        RunExecutor.Settings settings) {
      this.store = store;
      this.tables = tables;
      this.spark = spark;
      this.clock = clock;
      this.holder = holder;
      this.settings = settings;
    }

    public Builder faults(FaultPoints faults) {
      this.faults = Objects.requireNonNull(faults, "faults");
      return this;
    }

    public Builder cancelWork(Runnable cancelWork) {
      this.cancelWork = Objects.requireNonNull(cancelWork, "cancelWork");
      return this;
    }

    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    public Builder observer(StageObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    public Builder interruption(Interruption interruption) {
      this.interruption = Objects.requireNonNull(interruption, "interruption");
      return this;
    }

    public Builder sizing(SizingSettings sizing) {
      this.sizing = Objects.requireNonNull(sizing, "sizing");
      return this;
    }

    public Builder sparkStarts(SparkStarts sparkStarts) {
      this.sparkStarts = Objects.requireNonNull(sparkStarts, "sparkStarts");
      return this;
    }

    public Builder hostParameters(HostParameters hostParameters) {
      this.hostParameters = Objects.requireNonNull(hostParameters, "hostParameters");
      return this;
    }

    public RunServices build() {
      return new RunServices(
          store,
          tables,
          spark,
          clock,
          holder,
          settings,
          faults,
          cancelWork,
          sleeper,
          observer,
          interruption,
          sizing,
          sparkStarts,
          hostParameters);
    }
  }
}
