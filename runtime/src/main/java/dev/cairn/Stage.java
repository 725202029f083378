package dev.cairn;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One checkpointed step of a job: a compute function producing one output table from sources and
 * upstream stages. Immutable; built with {@link #named(String)}.
 *
 * <p>The compute function must be deterministic for the same inputs and must not write anywhere
 * itself: Cairn writes the returned rows to {@link #output()} atomically and at most once per
 * logical write.
 */
public final class Stage {

  /** Builds a stage's rows. Called once per attempt of the stage. */
  @FunctionalInterface
  public interface Compute {
    Dataset<Row> rows(StageContext context);
  }

  private final String name;
  private final Set<String> dependencies;
  private final Output output;
  private final Compute compute;
  private final Optional<RetryPolicy> retryPolicy;
  private final List<Expectation> expectations;
  private final Set<Expectation> warnings;
  private final Optional<ChunkPlanner> chunks;
  private final List<Input> inputs;

  private Stage(
      String name,
      Set<String> dependencies,
      Output output,
      Compute compute,
      Optional<RetryPolicy> retryPolicy,
      List<Expectation> expectations,
      Set<Expectation> warnings,
      Optional<ChunkPlanner> chunks,
      List<Input> inputs) {
    this.name = name;
    this.dependencies = dependencies;
    this.output = output;
    this.compute = compute;
    this.retryPolicy = retryPolicy;
    this.expectations = expectations;
    this.warnings = warnings;
    this.chunks = chunks;
    this.inputs = inputs;
  }

  /** Starts a stage definition. Names match {@code [a-z][a-z0-9_-]*}. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** Stages whose output this one reads; they commit first. */
  public Set<String> dependencies() {
    return dependencies;
  }

  public Output output() {
    return output;
  }

  public Compute compute() {
    return compute;
  }

  /** This stage's retry policy, if it overrides the job's. */
  public Optional<RetryPolicy> retryPolicy() {
    return retryPolicy;
  }

  /**
   * The checks of its rows before they are committed, in declaration order: those it must pass and
   * those that only warn.
   */
  public List<Expectation> expectations() {
    return expectations;
  }

  /**
   * What a failure of {@code expectation} does: {@link Expectation.Severity#WARN} when it was
   * declared with {@link Builder#warn}, else {@link Expectation.Severity#ERROR}.
   */
  public Expectation.Severity severity(Expectation expectation) {
    return warnings.contains(expectation) ? Expectation.Severity.WARN : Expectation.Severity.ERROR;
  }

  /** The inputs this stage declares it reads, each planned once per run ({@link Input}). */
  public List<Input> inputs() {
    return inputs;
  }

  /** The planner of a chunked stage; empty when the stage runs as one write. */
  public Optional<ChunkPlanner> chunks() {
    return chunks;
  }

  @Override
  public String toString() {
    return name + " -> " + output + (chunks.isPresent() ? " (chunked)" : "");
  }

  /** Builds a {@link Stage}; {@link #compute(Compute)} finishes it. */
  public static final class Builder {
    private final String name;
    private final Set<String> dependencies = new LinkedHashSet<>();
    private final List<Expectation> expectations = new ArrayList<>();
    private final Set<Expectation> warnings = new LinkedHashSet<>();
    private Output output;
    private RetryPolicy retryPolicy;
    private ChunkPlanner chunks;
    private final List<Input> inputs = new ArrayList<>();

    private Builder(String name) {
      if (name == null || !name.matches("[a-z][a-z0-9_-]*")) {
        throw new IllegalArgumentException("stage name '" + name + "' must match [a-z][a-z0-9_-]*");
      }
      this.name = name;
    }

    /** Declares upstream stages this stage reads with {@link StageContext#input(String)}. */
    public Builder dependsOn(String... stages) {
      dependencies.addAll(List.of(stages));
      return this;
    }

    /**
     * Declares inputs this stage reads: each is planned once for the whole run, at its first start,
     * and this stage reads that plan through {@link StageContext#files(String)} (files) or {@link
     * StageContext#table(String)} (a Delta table), as does every other stage declaring it. An input
     * read without being declared is planned when the stage first reads it, for that stage alone.
     *
     * @throws IllegalArgumentException when an input is declared twice, or as both kinds
     */
    public Builder reads(Input... declared) {
      for (Input input : declared) {
        if (inputs.stream().anyMatch(i -> i.name().equals(input.name()))) {
          throw new IllegalArgumentException(
              "stage '"
                  + name
                  + "' declares input '"
                  + input.name()
                  + "' twice. Fix: declare each input once, as files or as a Delta table");
        }
        inputs.add(input);
      }
      return this;
    }

    /** The table and write mode of this stage's output. */
    public Builder output(Output output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    /** Retries this stage's transient failures with {@code policy} instead of the job's. */
    public Builder retry(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Checks the stage's rows must pass before they are committed (a data-quality gate). They are
     * evaluated on the computed rows, which are then written without being computed again; a failed
     * check fails the stage ({@code DATA_QUALITY}, not retried) and publishes nothing. Each check's
     * result is recorded in the stage's checkpoint.
     */
    public Builder expect(Expectation... checks) {
      for (Expectation check : checks) {
        expectations.add(Objects.requireNonNull(check, "expectation"));
        warnings.remove(check);
      }
      return this;
    }

    /**
     * Checks evaluated as {@link #expect} evaluates them, whose failure only warns (Dagster's
     * non-blocking asset checks, dbt's {@code severity: warn}): the result is recorded with
     * severity {@code WARN} and shown by {@code status}, logged as a warning and counted in the
     * {@code DataQualityWarnings} metric, and the stage still commits.
     */
    public Builder warn(Expectation... checks) {
      for (Expectation check : checks) {
        expectations.add(Objects.requireNonNull(check, "expectation"));
        warnings.add(check);
      }
      return this;
    }

    /**
     * Runs the stage in chunks, so that a driver killed mid-stage loses at most the chunk in
     * flight. {@code planner} names the stage's units (days, files, key ranges) once per run; the
     * runtime groups consecutive units into chunks sized from the measured cost of a commit, the
     * stage's expected duration and the expected time between interruptions, never holding more
     * than {@code CAIRN_CHUNK_MAX_SECONDS} of expected work (README, "chunk sizing"). The grouped
     * plan is frozen in the checkpoint. Each chunk's rows ({@link StageContext#chunk()} says which
     * units are asked for) are staged as data files of the table, in plan order, and checkpointed;
     * a resumed run computes only the chunks not staged. When every chunk is staged, one Delta
     * commit publishes them all, replacing what {@link #output(Output)} replaces (the table, or the
     * partitions its predicate selects: a chunked {@code replaceWhere} must name only partition
     * columns) as the table is at that commit. With {@link Output#mergeOn} every chunk merges in a
     * commit of its own. Expectations are checked on each chunk's rows.
     *
     * <p>Readers of the table see what it held before the stage until the publishing commit, then
     * the whole stage; a chunked stage that fails publishes nothing (except the chunks a MERGE
     * stage merged). Downstream stages read the table at the stage's commit. APPEND outputs cannot
     * be chunked.
     */
    public Builder chunked(ChunkPlanner planner) {
      this.chunks = Objects.requireNonNull(planner, "planner");
      return this;
    }

    /** The function computing this stage's rows; returns the finished stage. */
    public Stage compute(Compute compute) {
      if (output == null) {
        throw new IllegalStateException("stage '" + name + "' needs output(...) before compute");
      }
      for (Expectation expectation : expectations) {
        for (String upstream : expectation.reads()) {
          if (!dependencies.contains(upstream)) {
            throw new IllegalStateException(
                "stage '"
                    + name
                    + "' checks "
                    + expectation.describe()
                    + " but does not depend on '"
                    + upstream
                    + "'. Fix: add .dependsOn(\""
                    + upstream
                    + "\")");
          }
        }
      }
      if (chunks != null && output.mode() == Output.Mode.APPEND) {
        throw new IllegalStateException(
            "stage '"
                + name
                + "' is chunked but appends to "
                + output.table()
                + ": a rerun could not replace its chunks' rows. Fix: write it with overwrite(),"
                + " replaceWhere(...) or mergeOn(...), or do not chunk it");
      }
      return new Stage(
          name,
          Set.copyOf(dependencies),
          output,
          Objects.requireNonNull(compute, "compute"),
          Optional.ofNullable(retryPolicy),
          List.copyOf(expectations),
          Set.copyOf(warnings),
          Optional.ofNullable(chunks),
          List.copyOf(inputs));
    }
  }
}
