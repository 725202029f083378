package dev.cairn.internal.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionSet;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A step's expectations evaluated on its write rather than before it, so that checking costs
 * (almost) no Spark job of its own:
 *
 * <ul>
 *   <li>row counts and nulls are metrics the write job itself collects ({@link Dataset#observe});
 *   <li>a unique key the step's optimized plan already guarantees ({@link
 *       LogicalPlan#distinctKeys()}: rows grouped by those columns, a join on a unique side) is
 *       recorded as proven by the plan, reading no row; so is a reference whose column the plan
 *       takes, value for value, from the upstream column at its committed version ({@link
 *       PlanLineage});
 *   <li>any other check (a unique key not proven, references, counts by value) reads the files the
 *       write produced, before they are committed: only the columns it needs, of files just
 *       written;
 *   <li>a schema, or a column an expectation names that the rows lack, is decided before writing.
 * </ul>
 *
 * The caller writes {@link #rows()}, then calls {@link #evaluate} between the write and its commit,
 * and commits only when every result passed. Results and their details are those of {@link
 * QualityGate#evaluate} on the same rows.
 */
public final class WriteGate {
  private static final Logger LOG = LogManager.getLogger(WriteGate.class);

  /** How long the write's metrics may take to reach the driver after its job ended. */
  private static final long METRICS_WAIT_SECONDS = 30;

  private final List<Check> checks;
  private final Dataset<Row> computed;
  private final Dataset<Row> rows;
  private final Observation observation;
  private final List<String> nullColumns;
  private final Map<Check, CheckResult> known;

  private WriteGate(
      List<Check> checks,
      Dataset<Row> computed,
      Dataset<Row> rows,
      Observation observation,
      List<String> nullColumns,
      Map<Check, CheckResult> known) {
    this.checks = checks;
    this.computed = computed;
    this.rows = rows;
    this.observation = observation;
    this.nullColumns = nullColumns;
    this.known = known;
  }

  /** Plans the evaluation of {@code expectations} on the write of {@code rows}. */
  public static WriteGate of(List<Expectation> expectations, Dataset<Row> rows) {
    List<Check> checks = expectations.stream().map(Checks::of).toList();
    Set<String> present = Set.of(rows.columns());
    Map<Check, CheckResult> known = new IdentityHashMap<>();
    boolean countRows = false;
    List<String> nullColumns = new ArrayList<>();
    LogicalPlan plan = null;
    for (Check check : checks) {
      if (check instanceof Checks.Schema) {
        known.put(check, check.evaluate(rows, stage -> null));
      } else if (check instanceof Checks.RowCount) {
        countRows = true;
      } else if (check instanceof Checks.NotNull n) {
        CheckResult missing = Checks.missingColumns(n.describe(), rows, n.columns());
        if (missing != null) {
          known.put(check, missing);
        } else {
          n.columns().stream().filter(c -> !nullColumns.contains(c)).forEach(nullColumns::add);
        }
      } else if (check instanceof Checks.UniqueKey u) {
        CheckResult missing = Checks.missingColumns(u.describe(), rows, u.columns());
        if (missing != null) {
          known.put(check, missing);
        } else {
          plan = plan != null ? plan : rows.queryExecution().optimizedPlan();
          if (provenUnique(plan, u.columns())) {
            known.put(check, new CheckResult(u.describe(), true, "every key once", true));
          }
        }
      } else if (!present.containsAll(columnsOf(check))) {
        known.put(check, Checks.missingColumns(check.describe(), rows, columnsOf(check)));
      }
    }
    if (!countRows && nullColumns.isEmpty()) {
      return new WriteGate(checks, rows, rows, null, nullColumns, known);
    }
    List<Column> metrics = new ArrayList<>();
    metrics.add(count(lit(1)).alias("rows"));
    for (int i = 0; i < nullColumns.size(); i++) {
      metrics.add(sum(when(col(nullColumns.get(i)).isNull(), 1).otherwise(0)).alias("nulls" + i));
    }
    Observation observation = new Observation("cairn-checks-" + UUID.randomUUID());
    Dataset<Row> observed =
        rows.observe(
            observation, metrics.get(0), metrics.subList(1, metrics.size()).toArray(Column[]::new));
    return new WriteGate(checks, rows, observed, observation, nullColumns, known);
  }

  /** The rows to write: the step's own, with the checks' metrics observed on the write job. */
  public Dataset<Row> rows() {
    return rows;
  }

  /**
   * Whether a check failed before anything was written (a schema, a column the rows lack): then
   * nothing should be written; {@link QualityGate#evaluate} gives every result.
   */
  public boolean failsBeforeWriting() {
    return known.values().stream().anyMatch(r -> !r.passed());
  }

  /**
   * Every expectation's result, in declaration order, once {@link #rows()} have been written (and
   * not yet committed).
   *
   * @param written the rows as written, read back from their files
   * @param upstream the output of an upstream stage at its committed version
   */
  public List<CheckResult> evaluate(Dataset<Row> written, Function<String, Dataset<Row>> upstream) {
    Map<String, Object> metrics = observation == null ? Map.of() : metrics();
    List<CheckResult> results = new ArrayList<>();
    for (Check check : checks) {
      CheckResult result = known.get(check);
      if (result == null) {
        result = fromMetrics(check, metrics);
      }
      if (result == null && check instanceof Checks.References r) {
        result = provenReference(r, upstream);
      }
      if (result == null) {
        result = check.evaluate(written, upstream);
      }
      results.add(result);
    }
    return results;
  }

  /** The write job's metrics; empty when they did not come (the checks then read the files). */
  private Map<String, Object> metrics() {
    try {
      scala.concurrent.Await.ready(
          observation.future(),
          scala.concurrent.duration.Duration.create(METRICS_WAIT_SECONDS, TimeUnit.SECONDS));
      Map<String, Object> metrics = observation.getAsJava();
      if (metrics.isEmpty()) {
        LOG.warn("The write collected no check metrics; the checks read the written files");
      }
      return metrics;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the write's check metrics", e);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn(
          "The write's check metrics did not arrive within {} s; the checks read the written files",
          METRICS_WAIT_SECONDS);
      return Map.of();
    }
  }

  private CheckResult fromMetrics(Check check, Map<String, Object> metrics) {
    if (metrics.isEmpty()) {
      return null;
    }
    if (check instanceof Checks.RowCount r) {
      long n = asLong(metrics.get("rows"));
      return new CheckResult(r.describe(), n >= r.min() && n <= r.max(), n + " rows");
    }
    if (check instanceof Checks.NotNull n) {
      StringJoiner nulls = new StringJoiner(", ");
      for (String c : n.columns()) {
        long found = asLong(metrics.get("nulls" + nullColumns.indexOf(c)));
        if (found > 0) {
          nulls.add(found + " null(s) in " + c);
        }
      }
      return nulls.length() == 0
          ? new CheckResult(n.describe(), true, "no nulls")
          : new CheckResult(n.describe(), false, nulls.toString());
    }
    return null;
  }

  /**
   * A passed result, read from no row, when every value of the checked column is by the plan a
   * value of the upstream column: both trace ({@link PlanLineage}) to that column of the same Delta
   * table at the same version (e.g. {@code min_by(origin, ...)} over the upstream table as this run
   * committed it). Else {@code null}: the check reads the rows.
   */
  private CheckResult provenReference(
      Checks.References check, Function<String, Dataset<Row>> upstream) {
    // The analyzed plans: already there, so the proof costs no planning (nor Delta's scan
    // preparation) of the upstream read.
    Optional<PlanLineage.Source> mine =
        PlanLineage.of(computed.queryExecution().analyzed(), check.column());
    if (mine.isEmpty()) {
      return null;
    }
    Dataset<Row> target = upstream.apply(check.upstreamStage());
    Optional<PlanLineage.Source> theirs =
        PlanLineage.of(target.queryExecution().analyzed(), check.upstreamColumn());
    return mine.equals(theirs)
        ? new CheckResult(check.describe(), true, "every value found", true)
        : null;
  }

  /** A sum over no rows is null: 0. */
  private static long asLong(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static List<String> columnsOf(Check check) {
    if (check instanceof Checks.References r) {
      return List.of(r.column());
    }
    if (check instanceof Checks.CountsBy c) {
      return List.of(c.column());
    }
    return List.of();
  }

  /**
   * Whether the plan's output is distinct over {@code columns}: some set of distinct keys Spark
   * derives for it (grouping columns, a unique join side, a DISTINCT) lies within them. An empty
   * set means at most one row.
   */
  static boolean provenUnique(LogicalPlan plan, List<String> columns) {
    Set<String> key = Set.copyOf(columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList());
    for (ExpressionSet distinct : CollectionConverters.asJava(plan.distinctKeys())) {
      boolean within = true;
      for (Expression e : CollectionConverters.asJava(distinct.toSeq())) {
        if (!(e instanceof Attribute a)
            || !plan.outputSet().contains(a)
            || !key.contains(a.name().toLowerCase(Locale.ROOT))) {
          within = false;
          break;
        }
      }
      if (within) {
        return true;
      }
    }
    return false;
  }
}
