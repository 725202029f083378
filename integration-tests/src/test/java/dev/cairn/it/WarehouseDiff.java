package dev.cairn.it;

import dev.cairn.internal.config.Spark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Compares the flights job's output tables in two warehouses, for checks by hand on the full
 * dataset (where {@link Tables#snapshot} would collect millions of rows): per table, the row counts
 * and {@code exceptAll} both ways, so duplicates count.
 *
 * <pre>
 * java $(grep -v '^#' src/conf/jvm.options) -Xmx4g \
 *   -cp "integration-tests/target/test-classes:jobs/target/lib/*" \
 *   dev.cairn.it.WarehouseDiff WAREHOUSE_A WAREHOUSE_B
 * </pre>
 *
 * <p>Prints one line per table; exits 0 when every table holds the same rows, 1 otherwise, 2 on bad
 * arguments.
 */
public final class WarehouseDiff {
  private WarehouseDiff() {}

  public static void main(String[] args) {
    if (args.length != 2
        || !Files.isDirectory(Path.of(args[0]))
        || !Files.isDirectory(Path.of(args[1]))) {
      System.err.println(
          "usage: WarehouseDiff WAREHOUSE_A WAREHOUSE_B (two directories holding the flights"
              + " job's Delta tables, e.g. $CAIRN_HOME/warehouse)");
      System.exit(2);
    }
    SparkSession spark = Spark.session("local[2]", "cairn-warehouse-diff");
    boolean same = true;
    try {
      for (String table : Tables.FLIGHTS_TABLES) {
        Dataset<Row> a = read(spark, Path.of(args[0]), table);
        Dataset<Row> b = read(spark, Path.of(args[1]), table);
        long rowsA = a.count();
        long rowsB = b.count();
        long onlyA = a.exceptAll(b).count();
        long onlyB = b.exceptAll(a).count();
        boolean equal = rowsA == rowsB && onlyA == 0 && onlyB == 0;
        same &= equal;
        System.out.printf(
            "%-22s %s  rows %d / %d, only in A %d, only in B %d%n",
            table, equal ? "identical" : "DIFFERENT", rowsA, rowsB, onlyA, onlyB);
      }
    } finally {
      spark.stop();
    }
    System.exit(same ? 0 : 1);
  }

  private static Dataset<Row> read(SparkSession spark, Path warehouse, String table) {
    Dataset<Row> frame = spark.read().format("delta").load(warehouse.resolve(table).toString());
    Column[] sorted =
        java.util.Arrays.stream(frame.columns())
            .sorted()
            .map(functions::col)
            .toArray(Column[]::new);
    return frame.select(sorted);
  }
}
