package dev.cairn;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a stage writes and how: a Delta table under the warehouse, and a write mode. Immutable.
 *
 * <p>Every write mode is idempotent under Cairn: the write carries a Delta transaction id stable
 * across attempts, so Delta skips it if an earlier attempt already committed it.
 */
public final class Output {

  /** How a stage's rows reach its table. */
  public enum Mode {
    /** Replace the whole table. */
    OVERWRITE,
    /** Replace only the rows matching a predicate (Delta {@code replaceWhere}). */
    REPLACE_WHERE,
    /** Add the rows. */
    APPEND,
    /** Upsert the rows on key columns (Delta MERGE). */
    MERGE
  }

  private final String table;
  private final Mode mode;
  private final List<String> partitionColumns;
  private final String replaceWhere;
  private final List<String> mergeKeys;

  private Output(
      String table,
      Mode mode,
      List<String> partitionColumns,
      String replaceWhere,
      List<String> mergeKeys) {
    this.table = table;
    this.mode = mode;
    this.partitionColumns = List.copyOf(partitionColumns);
    this.replaceWhere = replaceWhere;
    this.mergeKeys = List.copyOf(mergeKeys);
  }

  /** A table under the warehouse, overwritten whole unless another mode is chosen. */
  public static Output table(String name) {
    if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "table name '" + name + "' must match [a-z][a-z0-9_]* (it becomes a directory name)");
    }
    return new Output(name, Mode.OVERWRITE, List.of(), null, List.of());
  }

  /** Partitions the table by these columns when it is first written. */
  public Output partitionedBy(String... columns) {
    return new Output(table, mode, List.of(columns), replaceWhere, mergeKeys);
  }

  /** Replaces the whole table. */
  public Output overwrite() {
    return new Output(table, Mode.OVERWRITE, partitionColumns, null, List.of());
  }

  /**
   * Replaces only the rows matching {@code predicate} (a SQL boolean expression over partition
   * columns); every written row must match it.
   */
  public Output replaceWhere(String predicate) {
    if (predicate == null || predicate.isBlank()) {
      throw new IllegalArgumentException(
          "replaceWhere needs a predicate, e.g. \"day = '2001-01-31'\"");
    }
    return new Output(table, Mode.REPLACE_WHERE, partitionColumns, predicate, List.of());
  }

  /** Appends the rows. */
  public Output append() {
    return new Output(table, Mode.APPEND, partitionColumns, null, List.of());
  }

  /** Upserts the rows on these key columns: matching rows are updated, others inserted. */
  public Output mergeOn(String... keys) {
    if (keys.length == 0) {
      throw new IllegalArgumentException("mergeOn needs at least one key column");
    }
    return new Output(table, Mode.MERGE, partitionColumns, null, List.of(keys));
  }

  public String table() {
    return table;
  }

  public Mode mode() {
    return mode;
  }

  public List<String> partitionColumns() {
    return partitionColumns;
  }

  /** The predicate of a {@link Mode#REPLACE_WHERE} write. */
  public Optional<String> replaceWherePredicate() {
    return Optional.ofNullable(replaceWhere);
  }

  /** The key columns of a {@link Mode#MERGE} write; empty for other modes. */
  public List<String> mergeKeys() {
    return mergeKeys;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Output other
        && other.table.equals(table)
        && other.mode == mode
        && other.partitionColumns.equals(partitionColumns)
        && Objects.equals(other.replaceWhere, replaceWhere)
        && other.mergeKeys.equals(mergeKeys);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, mode, partitionColumns, replaceWhere, mergeKeys);
  }

  @Override
  public String toString() {
    return switch (mode) {
      case OVERWRITE -> table + " (overwrite)";
      case REPLACE_WHERE -> table + " (replaceWhere " + replaceWhere + ")";
      case APPEND -> table + " (append)";
      case MERGE -> table + " (merge on " + String.join(", ", mergeKeys) + ")";
    };
  }
}
