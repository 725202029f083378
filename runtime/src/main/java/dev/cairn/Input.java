package dev.cairn;

import java.util.Objects;

/**
 * An input a stage declares it reads ({@link Stage.Builder#reads}), so the run reads one snapshot
 * of it: at the run's first start the runtime plans every declared input once (it lists the files,
 * or pins the Delta table's latest version), records the plan, and every stage and attempt of the
 * run reads exactly that, even if files arrive or the table is written meanwhile. {@code cairn
 * rerun <runId> --from <stage>} re-plans the inputs of the stages it reruns. Immutable.
 *
 * @see StageContext#files(String)
 * @see StageContext#table(String)
 */
public final class Input {

  /** How an input is read. */
  public enum Kind {
    /** Data files under a path or URI (Parquet, CSV, ...), listed once. */
    FILES,
    /** A Delta table, pinned at its latest version and read at it (time travel). */
    DELTA_TABLE
  }

  private final String name;
  private final Kind kind;

  private Input(String name, Kind kind) {
    if (Objects.requireNonNull(name, "name").isBlank()) {
      throw new IllegalArgumentException(
          "an input's name is blank. Fix: give the job parameter that holds its location, or the"
              + " path or URI itself, e.g. Input.files(\"flights\")");
    }
    this.name = name;
    this.kind = kind;
  }

  /**
   * The data files of an input, read with {@link StageContext#files(String)}.
   *
   * @param parameterOrPath a parameter of the job whose value is the input's path or URI, or the
   *     path or URI itself
   */
  public static Input files(String parameterOrPath) {
    return new Input(parameterOrPath, Kind.FILES);
  }

  /**
   * A Delta table, read with {@link StageContext#table(String)} at the version it had when the run
   * planned its inputs.
   *
   * @param parameterOrPath a parameter of the job whose value is the table's path or URI, or the
   *     path or URI itself
   */
  public static Input deltaTable(String parameterOrPath) {
    return new Input(parameterOrPath, Kind.DELTA_TABLE);
  }

  /** The parameter or path naming the input. */
  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Input other && other.name.equals(name) && other.kind == kind;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind);
  }

  @Override
  public String toString() {
    return (kind == Kind.FILES ? "files(" : "deltaTable(") + name + ")";
  }
}
