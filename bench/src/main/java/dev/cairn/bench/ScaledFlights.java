package dev.cairn.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import dev.cairn.CairnException;
import dev.cairn.internal.config.Spark;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The flights dataset made {@code N} times larger, for {@code cairn bench --scale N}: the 3M rows
 * of vega-datasets' {@code flights-3m.parquet} replicated {@code N} times, replica {@code k}
 * (0..N-1) with its {@code date} shifted by {@code k × 182} days. 182 days is 26 weeks, so every
 * row keeps its weekday; and the source's dates fall on 182 calendar days (2001-01-01 00:01 to
 * 2001-07-01 00:00: six rows are on July 1st), so the days of two replicas never overlap, if only
 * just: a job that works per day sees {@code N} times the days, each as large as before, rather
 * than days {@code N} times larger. Replica 0 is the source's rows unchanged; a null date stays
 * null.
 *
 * <p>The copy is generated once, in this JVM on a local SparkSession, into the data cache next to
 * the source ({@code flights-3m-x<N>.parquet}, a directory of Parquet part files), and reused while
 * its checksum manifest ({@code _SHA256SUMS}, hidden from Spark and from Cairn's input lister by
 * its leading underscore) matches: the same part files, each with its SHA-256, made from a source
 * with the same SHA-256, for the same scale and shift. A copy that does not match is deleted and
 * generated again.
 *
 * <p>Generation writes into a sibling directory of a random name and renames it into place
 * atomically, so a reader sees a complete copy or none; of two concurrent generators one wins the
 * rename and the other deletes its own. A generator killed midway leaves its {@code .partial-*}
 * directory behind (nothing reads it).
 */
final class ScaledFlights {
  /** 26 weeks: weekdays kept; as many days as the source's dates fall on, so none shared. */
  static final int SHIFT_DAYS = 182;

  static final String MANIFEST = "_SHA256SUMS";

  private static final Pattern HEADER =
      Pattern.compile("# source-sha256 ([0-9a-f]{64}) scale (\\d+) shift-days (\\d+)");
  private static final Pattern ENTRY = Pattern.compile("([0-9a-f]{64})  (\\S+)");

  private ScaledFlights() {}

  /**
   * The flights input at {@code scale}: {@code source} itself for 1; else the cached replicated
   * copy, generated when absent or when its checksums do not match. Generating starts a local
   * SparkSession and stops it at the end, so call this before anything else in the JVM starts one.
   *
   * @throws IllegalArgumentException if {@code scale} is less than 1
   * @throws CairnException if Spark fails to generate the copy
   */
  static Path ensure(Path source, int scale, PrintWriter out) throws IOException {
    if (scale < 1) {
      throw new IllegalArgumentException(
          "--scale must be 1 or more (the number of copies of the flights dataset), not "
              + scale
              + ". Fix: give --scale 1 for the dataset as it is, or e.g. --scale 8");
    }
    if (scale == 1) {
      return source;
    }
    Path target = target(source, scale);
    String sourceSha256 = sha256(source);
    if (Files.exists(target)) {
      Optional<String> mismatch = mismatch(target, sourceSha256, scale);
      if (mismatch.isEmpty()) {
        return target;
      }
      out.printf("bench data: %s: %s; regenerating%n", target.getFileName(), mismatch.get());
      out.flush();
      BenchEnv.delete(target);
    }
    generate(source, sourceSha256, target, scale, out);
    return target;
  }

  /** Where the copy of {@code source} at {@code scale} lives: beside it in the data cache. */
  static Path target(Path source, int scale) {
    return source.resolveSibling("flights-3m-x" + scale + ".parquet");
  }

  /** How many days replica {@code replica} (0-based) of the source is shifted by. */
  static long shiftDays(int replica) {
    return (long) replica * SHIFT_DAYS;
  }

  private static void generate(
      Path source, String sourceSha256, Path target, int scale, PrintWriter out)
      throws IOException {
    long t0 = System.nanoTime();
    Path partial =
        target.resolveSibling(
            target.getFileName()
                + ".partial-"
                + Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE));
    Files.createDirectories(target.getParent());
    long rows;
    SparkSession spark = Spark.session("local[*]", "cairn bench data");
    try {
      Dataset<Row> original = spark.read().parquet(source.toString());
      long expected = original.count() * scale;
      out.printf(
          Locale.ROOT,
          "bench data: generating %s (%,d rows expected) ...%n",
          target.getFileName(),
          expected);
      out.flush();
      Dataset<Row> all = original;
      for (int k = 1; k < scale; k++) {
        all =
            all.union(
                original.withColumn(
                    "date", col("date").plus(expr("INTERVAL '" + shiftDays(k) + "' DAY"))));
      }
      // TIMESTAMP_NTZ + a day interval is TIMESTAMP_NTZ; a widening here would change the job.
      if (!all.schema().equals(original.schema())) {
        throw new IllegalStateException(
            "shifting dates changed the schema from "
                + original.schema().simpleString()
                + " to "
                + all.schema().simpleString());
      }
      all.write().mode(SaveMode.ErrorIfExists).parquet(partial.toString());
      rows = spark.read().parquet(partial.toString()).count();
      if (rows != expected) {
        throw new IllegalStateException(
            "wrote " + rows + " rows to " + partial + ", expected " + expected);
      }
    } catch (RuntimeException e) {
      deleteAfterFailure(partial, e);
      throw new CairnException(
          "generating the bench's input "
              + target
              + " from "
              + source
              + " failed: "
              + e.getMessage()
              + ". Fix: see the cause; or run with --scale 1 (the dataset as it is)",
          e);
    } finally {
      spark.stop();
    }

    try {
      // Spark's marker and checksum files: not data, and not covered by the manifest.
      try (Stream<Path> files = Files.list(partial)) {
        for (Path file : files.filter(f -> hidden(f.getFileName().toString())).toList()) {
          Files.delete(file);
        }
      }
      Files.writeString(
          partial.resolve(MANIFEST), format(manifestOf(partial, sourceSha256, scale)));
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteAfterFailure(partial, e);
      // Renaming onto a directory another generator has just renamed into place fails.
      if (!Files.exists(target)) {
        throw e;
      }
      out.printf(
          "bench data: %s: another process generated it meanwhile; using its copy%n",
          target.getFileName());
      out.flush();
      return;
    }
    out.printf(
        Locale.ROOT,
        "bench data: generated %s: %,d rows in %.1f s%n",
        target.getFileName(),
        rows,
        (System.nanoTime() - t0) / 1e9);
    out.flush();
  }

  /**
   * What {@link #MANIFEST} says: the source's SHA-256, the scale, the shift in days per replica,
   * and each data file's SHA-256 by file name.
   */
  record Manifest(
      String sourceSha256, int scale, int shiftDays, SortedMap<String, String> sha256ByFile) {
    Manifest {
      sha256ByFile = new TreeMap<>(sha256ByFile);
    }
  }

  /** The manifest of {@code dir}'s data files as they are now. */
  static Manifest manifestOf(Path dir, String sourceSha256, int scale) throws IOException {
    SortedMap<String, String> sums = new TreeMap<>();
    for (Path file : dataEntries(dir)) {
      if (!Files.isRegularFile(file)) {
        throw new IOException(file + " is not a regular file; the copy holds only part files");
      }
      sums.put(file.getFileName().toString(), sha256(file));
    }
    return new Manifest(sourceSha256, scale, SHIFT_DAYS, sums);
  }

  /**
   * The manifest as text: comment lines starting with {@code #} (one of them the header naming the
   * source's SHA-256, scale and shift), then {@code <sha256> <file name>} per file by name, as
   * {@code sha256sum} prints and checks them.
   */
  static String format(Manifest manifest) {
    StringBuilder text = new StringBuilder();
    text.append("# cairn bench data: the flights dataset x")
        .append(manifest.scale())
        .append(", replica k's date shifted by k * ")
        .append(manifest.shiftDays())
        .append(" days\n");
    text.append("# source-sha256 ")
        .append(manifest.sourceSha256())
        .append(" scale ")
        .append(manifest.scale())
        .append(" shift-days ")
        .append(manifest.shiftDays())
        .append('\n');
    manifest
        .sha256ByFile()
        .forEach((name, sum) -> text.append(sum).append("  ").append(name).append('\n'));
    return text.toString();
  }

  /**
   * Reads what {@link #format} wrote.
   *
   * @throws IllegalArgumentException naming the first line that is not part of a manifest, or if
   *     the header is missing
   */
  static Manifest parse(String text) {
    String sourceSha256 = null;
    int scale = 0;
    int shiftDays = 0;
    SortedMap<String, String> sums = new TreeMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() && i == lines.length - 1) {
        break;
      }
      Matcher header = HEADER.matcher(line);
      Matcher entry = ENTRY.matcher(line);
      if (header.matches()) {
        sourceSha256 = header.group(1);
        scale = Integer.parseInt(header.group(2));
        shiftDays = Integer.parseInt(header.group(3));
      } else if (entry.matches()) {
        if (sums.put(entry.group(2), entry.group(1)) != null) {
          throw new IllegalArgumentException(
              "line " + (i + 1) + " lists " + entry.group(2) + " a second time");
        }
      } else if (!line.startsWith("#")) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + " is neither a comment nor '<sha256>  <file name>'");
      }
    }
    if (sourceSha256 == null) {
      throw new IllegalArgumentException("no '# source-sha256 ... scale ... shift-days ...' line");
    }
    return new Manifest(sourceSha256, scale, shiftDays, sums);
  }

  /**
   * Why the copy in {@code dir} is not the one made from a source with SHA-256 {@code sourceSha256}
   * at {@code scale}; empty if it is. Checks the manifest against what it must describe, then the
   * data files present against those it lists, then each file's SHA-256.
   */
  static Optional<String> mismatch(Path dir, String sourceSha256, int scale) throws IOException {
    Path file = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(file)) {
      return Optional.of("no " + MANIFEST + " manifest");
    }
    Manifest manifest;
    try {
      manifest = parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | IOException unreadable) {
      return Optional.of(MANIFEST + " unreadable: " + unreadable.getMessage());
    }
    if (!manifest.sourceSha256().equals(sourceSha256)) {
      return Optional.of(
          "made from another source (sha256 "
              + manifest.sourceSha256().substring(0, 12)
              + "..., now "
              + sourceSha256.substring(0, 12)
              + "...)");
    }
    if (manifest.scale() != scale) {
      return Optional.of("made for scale " + manifest.scale() + ", not " + scale);
    }
    if (manifest.shiftDays() != SHIFT_DAYS) {
      return Optional.of(
          "made with a " + manifest.shiftDays() + "-day shift, not " + SHIFT_DAYS + " days");
    }
    SortedMap<String, Path> present = new TreeMap<>();
    for (Path data : dataEntries(dir)) {
      if (!Files.isRegularFile(data)) {
        return Optional.of(data.getFileName() + " is not a file");
      }
      present.put(data.getFileName().toString(), data);
    }
    for (String listed : manifest.sha256ByFile().keySet()) {
      if (!present.containsKey(listed)) {
        return Optional.of(listed + " missing");
      }
    }
    for (String name : present.keySet()) {
      if (!manifest.sha256ByFile().containsKey(name)) {
        return Optional.of(name + " not in the manifest");
      }
    }
    for (Map.Entry<String, String> listed : manifest.sha256ByFile().entrySet()) {
      if (!sha256(present.get(listed.getKey())).equals(listed.getValue())) {
        return Optional.of(listed.getKey() + " checksum mismatch");
      }
    }
    return Optional.empty();
  }

  /**
   * {@code dir}'s entries that Spark and Cairn's input lister read as data, by name: all but names
   * starting with {@code _} or {@code .}.
   */
  private static List<Path> dataEntries(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(e -> !hidden(e.getFileName().toString())).sorted().toList();
    }
  }

  /** Deletes what a failed generation left, keeping {@code failure} the error reported. */
  private static void deleteAfterFailure(Path partial, Exception failure) {
    try {
      BenchEnv.delete(partial);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private static boolean hidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  /** The SHA-256 of {@code file}'s bytes, in lower-case hex; the file is streamed. */
  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
