package dev.cairn.internal.quality;

import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.First;
import org.apache.spark.sql.catalyst.expressions.aggregate.Last;
import org.apache.spark.sql.catalyst.expressions.aggregate.Max;
import org.apache.spark.sql.catalyst.expressions.aggregate.MaxMinBy;
import org.apache.spark.sql.catalyst.expressions.aggregate.Min;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.CollectMetrics;
import org.apache.spark.sql.catalyst.plans.logical.Deduplicate;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.RepartitionOperation;
import org.apache.spark.sql.catalyst.plans.logical.ResolvedHint;
import org.apache.spark.sql.catalyst.plans.logical.Sample;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.Window;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.delta.files.TahoeFileIndexWithSnapshotDescriptor;
import org.apache.spark.sql.delta.files.TahoeLogFileIndex;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Where the values of a column of a (resolved) plan come from: a column of a Delta table at one
 * version, reached only through operators that keep values as they are (projections of the column
 * itself, filters, sorts, joins, windows' pass-through columns, and the aggregates that return one
 * of their input values: {@code min}, {@code max}, {@code first}, {@code last}, {@code any_value},
 * {@code min_by}, {@code max_by}, or a grouping column). Every non-null value of such a column is a
 * value of that table column at that version. Anything else (an expression, a union, a source that
 * is not a Delta table pinned at a version) has no lineage here.
 *
 * <p>Spark has no public API for column lineage; this walks Catalyst's plan classes, and Delta's
 * file index for the table and version (see {@link WriteGate}).
 */
final class PlanLineage {
  private PlanLineage() {}

  /** A column of a Delta table at a version. */
  record Source(String table, long version, String column) {}

  /** The source of {@code column} (by name, case-insensitively) of {@code plan}'s output. */
  static Optional<Source> of(LogicalPlan plan, String column) {
    for (Attribute a : CollectionConverters.asJava(plan.output())) {
      if (a.name().equalsIgnoreCase(column)) {
        return trace(plan, a);
      }
    }
    return Optional.empty();
  }

  private static Optional<Source> trace(LogicalPlan plan, Attribute attribute) {
    if (plan instanceof LogicalRelation relation) {
      return leaf(relation, attribute);
    }
    if (plan instanceof Project project) {
      return named(CollectionConverters.asJava(project.projectList()), attribute)
          .flatMap(e -> through(project.child(), (Expression) e, false));
    }
    if (plan instanceof Aggregate aggregate) {
      return named(CollectionConverters.asJava(aggregate.aggregateExpressions()), attribute)
          .flatMap(e -> through(aggregate.child(), (Expression) e, true));
    }
    if (passesThrough(plan)) {
      for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
        if (child.outputSet().contains(attribute)) {
          return trace(child, attribute);
        }
      }
    }
    return Optional.empty();
  }

  /** Operators whose output columns are their children's, row values unchanged. */
  private static boolean passesThrough(LogicalPlan plan) {
    return plan instanceof Filter
        || plan instanceof Sort
        || plan instanceof Join
        || plan instanceof Window
        || plan instanceof SubqueryAlias
        || plan instanceof RepartitionOperation
        || plan instanceof GlobalLimit
        || plan instanceof LocalLimit
        || plan instanceof Sample
        || plan instanceof CollectMetrics
        || plan instanceof Deduplicate
        || plan instanceof Distinct
        || plan instanceof ResolvedHint;
  }

  /** The expression of {@code list} that produces {@code attribute}. */
  private static Optional<NamedExpression> named(
      java.util.List<NamedExpression> list, Attribute attribute) {
    for (NamedExpression e : list) {
      if (e.exprId().equals(attribute.exprId())) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /**
   * Follows {@code e} (a column, an alias of one, or a value-keeping aggregate) into {@code child}.
   */
  private static Optional<Source> through(LogicalPlan child, Expression e, boolean aggregated) {
    Expression value = e instanceof Alias alias ? alias.child() : e;
    if (aggregated && value instanceof AggregateExpression aggregate) {
      Expression fn = aggregate.aggregateFunction();
      if (fn instanceof MaxMinBy by) {
        value = by.valueExpr();
      } else if (fn instanceof Min
          || fn instanceof Max
          || fn instanceof First
          || fn instanceof Last) {
        value = fn.children().head();
      } else {
        return Optional.empty();
      }
    }
    return value instanceof Attribute a ? trace(child, a) : Optional.empty();
  }

  /** A Delta table's column, when the relation reads a Delta table at a known version. */
  private static Optional<Source> leaf(LogicalRelation relation, Attribute attribute) {
    if (!(relation.relation() instanceof HadoopFsRelation fs)
        || !(fs.location() instanceof TahoeFileIndex index)) {
      return Optional.empty();
    }
    long version;
    if (index instanceof TahoeLogFileIndex log) {
      Option<Object> pinned = log.versionToUse();
      if (pinned.isEmpty()) {
        return Optional.empty(); // the latest version when it runs: not one version
      }
      version = (Long) pinned.get();
    } else if (index instanceof TahoeFileIndexWithSnapshotDescriptor described) {
      version = described.version();
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new Source(index.path().toString(), version, attribute.name().toLowerCase(Locale.ROOT)));
  }
}
