package dev.cairn.internal.engine;

import dev.cairn.Chunk;
import dev.cairn.ChunkPlanner;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import dev.cairn.StageContext;
import dev.cairn.internal.store.StageRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a stage's compute sees during one attempt: its parameters, its upstream stages read at the
 * Delta versions their checkpoints recorded (so a resumed attempt reads exactly what the first one
 * read), its input files frozen in the checkpoint on first listing, and for a chunk the chunk's
 * key. Not thread-safe: one attempt, one thread.
 */
final class RunStageContext implements StageContext {
  private final RunServices services;
  private final Stage stage;
  private final Parameters parameters;
  private final Map<String, StageRecord> committed;
  private final RunInputs runInputs;
  private final long generation;
  private final Optional<Chunk> chunk;
  // One attempt reads each upstream once: its chunks share the resolved table.
  private final Map<String, Dataset<Row>> inputs;

  /**
   * @param committed the committed upstream stages' records, by name (read when asked, not copied)
   * @param runInputs the run's input plans
   * @param generation the stage's transaction version, which also keys the plans of inputs it reads
   *     without declaring them
   */
  RunStageContext(
      RunServices services,
      Stage stage,
      Parameters parameters,
      Map<String, StageRecord> committed,
      RunInputs runInputs,
      long generation) {
    this(
        services,
        stage,
        parameters,
        committed,
        runInputs,
        generation,
        Optional.empty(),
        new HashMap<>());
  }

  private RunStageContext(
      RunServices services,
      Stage stage,
      Parameters parameters,
      Map<String, StageRecord> committed,
      RunInputs runInputs,
      long generation,
      Optional<Chunk> chunk,
      Map<String, Dataset<Row>> inputs) {
    this.services = services;
    this.stage = stage;
    this.parameters = parameters;
    this.committed = committed;
    this.runInputs = runInputs;
    this.generation = generation;
    this.chunk = chunk;
    this.inputs = inputs;
  }

  /** The context of {@code chunk}: the same attempt, sharing the upstream tables read. */
  RunStageContext forChunk(Chunk chunk) {
    return new RunStageContext(
        services, stage, parameters, committed, runInputs, generation, Optional.of(chunk), inputs);
  }

  @Override
  public Optional<Chunk> chunk() {
    return chunk;
  }

  @Override
  public List<String> files(String parameterOrPath) {
    return runInputs.files(stage, generation, parameterOrPath);
  }

  @Override
  public Dataset<Row> table(String parameterOrPath) {
    return runInputs.table(stage, parameterOrPath);
  }

  @Override
  public SparkSession spark() {
    return services.spark().get();
  }

  @Override
  public Parameters parameters() {
    return parameters;
  }

  @Override
  public List<ChunkPlanner.Unit> partitionUnits(String upstream, String column) {
    requireDependency(upstream);
    StageRecord record = committed.get(upstream);
    return services
        .tables()
        .rowsByPartition(record.outputTable(), record.outputVersion(), column)
        .map(
            counted ->
                counted.stream().map(p -> ChunkPlanner.Unit.of(p.value(), p.rows())).toList())
        .orElseGet(() -> StageContext.super.partitionUnits(upstream, column));
  }

  @Override
  public Dataset<Row> input(String upstream) {
    requireDependency(upstream);
    StageRecord record = committed.get(upstream);
    if (!inputs.containsKey(upstream)) {
      inputs.put(upstream, services.tables().read(record.outputTable(), record.outputVersion()));
    }
    return inputs.get(upstream);
  }

  private void requireDependency(String upstream) {
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
  }
}
