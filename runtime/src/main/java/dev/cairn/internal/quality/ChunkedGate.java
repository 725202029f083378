package dev.cairn.internal.quality;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.cairn.Expectation;
import dev.cairn.internal.store.CheckResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The expectations of a chunked stage whose chunks are staged and published by one commit, checked
 * on the stage as a whole rather than on each chunk alone:
 *
 * <ul>
 *   <li>while each chunk is written, only what holds for any part of the stage and costs no Spark
 *       job of its own ({@link #perChunk}: the schema, and nulls counted by the chunk's write), so
 *       a bad chunk fails the stage before the next is computed;
 *   <li>before the publishing commit, every expectation on the rows of all staged chunks together
 *       ({@link #evaluate}): a row count on the stage's total, a unique key across chunks (a
 *       failure names the chunks holding each duplicated key), references and counts by value of
 *       the whole stage. Nothing is published when one fails: readers never see a chunk of it.
 * </ul>
 *
 * A chunk of a MERGE stage commits on its own and cannot be checked with the others before; such
 * stages check each chunk with every expectation (a key in two MERGE chunks is updated by the
 * second, never written twice).
 */
public final class ChunkedGate {
  /** The column of {@code TableStore.stagedRows} holding a row's chunk index. */
  public static final String CHUNK_COLUMN = "_cairn_chunk";

  private ChunkedGate() {}

  /** The expectations checked on each chunk as it is written: those true of any of its parts. */
  public static List<Expectation> perChunk(List<Expectation> expectations) {
    return expectations.stream()
        .filter(e -> e instanceof Expectation.Schema || e instanceof Expectation.NotNull)
        .toList();
  }

  /**
   * Every expectation's result on the stage as a whole, in declaration order.
   *
   * @param staged the rows of every staged chunk, with {@link #CHUNK_COLUMN}
   * @param upstream the output of an upstream stage at its committed version
   * @param chunkName how a failure names chunk {@code i} (its index and its units)
   */
  public static List<CheckResult> evaluate(
      List<Expectation> expectations,
      Dataset<Row> staged,
      Function<String, Dataset<Row>> upstream,
      IntFunction<String> chunkName) {
    List<CheckResult> results =
        QualityGate.evaluate(expectations, staged.drop(CHUNK_COLUMN), upstream);
    Set<String> present = Set.of(staged.columns());
    List<CheckResult> named = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      CheckResult result = results.get(i);
      if (!result.passed()
          && expectations.get(i) instanceof Expectation.UniqueKey key
          && present.containsAll(key.columns())) {
        result =
            new CheckResult(
                result.check(), false, withChunks(result.detail(), staged, key, chunkName));
      }
      named.add(result);
    }
    return named;
  }

  /**
   * The results of the chunks of a MERGE stage checked one by one, as the stage's: each check
   * passed when it passed on every chunk; its detail is the chunks' one when they agree, else each
   * chunk's, named.
   *
   * @param chunks each chunk's results, in the stage's declaration order
   * @param names each chunk's name
   */
  public static List<CheckResult> combine(List<List<CheckResult>> chunks, List<String> names) {
    if (chunks.size() <= 1) {
      return chunks.isEmpty() ? List.of() : chunks.get(0);
    }
    List<CheckResult> combined = new ArrayList<>();
    for (int c = 0; c < chunks.get(0).size(); c++) {
      boolean passed = true;
      boolean proven = true;
      Set<String> details = new java.util.LinkedHashSet<>();
      StringJoiner each = new StringJoiner("; ");
      for (int k = 0; k < chunks.size(); k++) {
        CheckResult r = chunks.get(k).get(c);
        passed &= r.passed();
        proven &= r.provenByPlan();
        details.add(r.detail());
        each.add("chunk " + names.get(k) + ": " + r.detail());
      }
      String check = chunks.get(0).get(c).check();
      combined.add(
          new CheckResult(
              check,
              passed,
              details.size() == 1 ? details.iterator().next() : each.toString(),
              proven,
              chunks.get(0).get(c).severity()));
    }
    return combined;
  }

  /** The duplicate-key detail with its examples replaced by the same keys and their chunks. */
  private static String withChunks(
      String detail, Dataset<Row> staged, Expectation.UniqueKey key, IntFunction<String> name) {
    Column[] keys = key.columns().stream().map(c -> col(c)).toArray(Column[]::new);
    List<Row> examples =
        staged
            .groupBy(keys)
            .agg(
                count(lit(1)).alias("rows"),
                array_sort(collect_set(col(CHUNK_COLUMN))).alias("chunks"))
            .where(col("rows").gt(1))
            .limit(Checks.EXAMPLES + 1)
            .collectAsList();
    int cut = detail.indexOf("; e.g. ");
    StringJoiner joiner =
        new StringJoiner(
            "; ",
            (cut < 0 ? detail : detail.substring(0, cut)) + "; e.g. ",
            examples.size() > Checks.EXAMPLES ? "; …" : "");
    int width = keys.length;
    for (Row r : examples.subList(0, Math.min(examples.size(), Checks.EXAMPLES))) {
      StringJoiner value = new StringJoiner(", ", "(", ")");
      for (int c = 0; c < width; c++) {
        value.add(String.valueOf(r.get(c)));
      }
      List<Integer> chunks = r.getList(width + 1);
      joiner.add(value + " in " + chunks(chunks, name));
    }
    return joiner.toString();
  }

  private static String chunks(List<Integer> chunks, IntFunction<String> name) {
    if (chunks.size() == 1) {
      return "chunk " + name.apply(chunks.get(0));
    }
    StringBuilder text = new StringBuilder("chunks ");
    for (int i = 0; i < chunks.size(); i++) {
      text.append(i == 0 ? "" : i == chunks.size() - 1 ? " and " : ", ")
          .append(name.apply(chunks.get(i)));
    }
    return text.toString();
  }
}
