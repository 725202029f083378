package dev.cairn.it;

import dev.cairn.internal.config.Spark;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Compares the flights tables of two warehouses row for row, as multisets ({@code exceptAll} both
 * ways, so duplicates count), without collecting them: for the full dataset, where {@link
 * Tables#snapshot} would hold millions of rows on the driver. Prints one line a table; exits 1 if
 * any differs.
 *
 * <pre>
 * java -Xmx3g $(cat src/conf/jvm.options | grep -v '^#') \
 *   -cp "integration-tests/target/test-classes:jobs/target/lib/*" \
 *   dev.cairn.it.CompareWarehouses /tmp/a/warehouse /tmp/b/warehouse
 * </pre>
 */
public final class CompareWarehouses {
  private CompareWarehouses() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: CompareWarehouses <warehouse> <other warehouse>");
      System.exit(2);
    }
    Path left = Path.of(args[0]);
    Path right = Path.of(args[1]);
    SparkSession spark = Spark.session("local[*]", "compare-warehouses");
    boolean same = true;
    for (String table : Tables.FLIGHTS_TABLES) {
      Dataset<Row> a = sorted(spark.read().format("delta").load(left.resolve(table).toString()));
      Dataset<Row> b = sorted(spark.read().format("delta").load(right.resolve(table).toString()));
      long rowsA = a.count();
      long rowsB = b.count();
      long onlyA = a.exceptAll(b).count();
      long onlyB = b.exceptAll(a).count();
      boolean equal = rowsA == rowsB && onlyA == 0 && onlyB == 0;
      same &= equal;
      System.out.printf(
          "%-22s %s  rows %d / %d, only in first %d, only in second %d%n",
          table, equal ? "EQUAL  " : "DIFFERS", rowsA, rowsB, onlyA, onlyB);
    }
    spark.stop();
    System.exit(same ? 0 : 1);
  }

  /** Columns in name order, so tables written with another column order still compare. */
  private static Dataset<Row> sorted(Dataset<Row> frame) {
    Column[] columns =
        Arrays.stream(frame.columns()).sorted().map(functions::col).toArray(Column[]::new);
    return frame.select(columns);
  }
}
