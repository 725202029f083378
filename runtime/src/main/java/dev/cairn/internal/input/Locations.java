package dev.cairn.internal.input;

import dev.cairn.internal.config.HadoopConf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;

/**
 * One spelling per place: the canonical form of a location a parameter names, so that {@code
 * x.parquet}, {@code ./x.parquet}, {@code /data/../data/x.parquet} and a symlink to it are one
 * run's input, and {@code s3a://b/in/} and {@code s3://b/in} one object prefix.
 *
 * <ul>
 *   <li>A plain path, when the default file system is the local one: absolute against the working
 *       directory, symlinks resolved as the kernel resolves them ({@link Path#toRealPath}) for the
 *       part that exists, the rest (which holds no symlink) normalised. The job reads that path, so
 *       a symlink repointed later changes neither what a run reads nor which run it is.
 *   <li>A plain path on another default file system (HDFS on EMR): normalised only ({@code .},
 *       {@code ..}, repeated and trailing {@code /}); it cannot be resolved without that file
 *       system.
 *   <li>A URI ({@code scheme://authority/path}, or {@code scheme:path}; as in Hadoop, a name with a
 *       colon before its first {@code /} is one): its path normalised the same way; {@code file:}
 *       URIs without a remote host as local paths. For identity the scheme is lower case and {@code
 *       s3a}, {@code s3n} and {@code s3} are one scheme (one bucket, whichever client reads it);
 *       the job still reads the scheme it was given.
 * </ul>
 *
 * Hand-written: Hadoop's {@code Path} neither resolves symlinks nor says which path a kernel would
 * reach, and {@code java.net.URI} refuses the spaces S3 keys may hold.
 */
public final class Locations {
  private static final Pattern URI_FORM =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]+):(//([^/]*))?(.*)", Pattern.DOTALL);

  private Locations() {}

  /** What a path without a scheme names. */
  public enum PlainPaths {
    /** The local file system: paths are resolved there. */
    LOCAL,
    /** Another default file system (e.g. HDFS): paths are only normalised. */
    ELSEWHERE;

    /**
     * As Hadoop's {@code fs.defaultFS} says here, as Spark would see it ({@code *-site.xml} on the
     * classpath, {@code spark.hadoop.*} system properties).
     */
    public static PlainPaths here() {
      String scheme = FileSystem.getDefaultUri(HadoopConf.asSparkBuildsIt(Map.of())).getScheme();
      return scheme == null || scheme.equalsIgnoreCase("file") ? LOCAL : ELSEWHERE;
    }
  }

  /**
   * A location in canonical form.
   *
   * @param value what the job reads: the location, canonical, in the scheme it was given
   * @param identity what the run's identity holds: {@code value} with the scheme folded as above
   */
  public record Canonical(String value, String identity) {}

  /**
   * The canonical form of {@code given}.
   *
   * @throws IllegalArgumentException for a blank location
   */
  public static Canonical canonical(String given, PlainPaths plainPaths) {
    if (given == null || given.isBlank()) {
      throw new IllegalArgumentException("a location cannot be blank");
    }
    Matcher uri = URI_FORM.matcher(given);
    if (!uri.matches()) {
      if (plainPaths == PlainPaths.LOCAL) {
        String path = local(given);
        return new Canonical(path, "file:" + path);
      }
      String path = normalised(given);
      return new Canonical(path, path);
    }
    String scheme = uri.group(1);
    String authority = uri.group(3);
    String rest = uri.group(4);
    boolean localHost = authority == null || authority.isEmpty() || authority.equals("localhost");
    if (scheme.equalsIgnoreCase("file") && localHost) {
      String path = local(rest.isEmpty() ? "/" : rest);
      return new Canonical("file:" + path, "file:" + path);
    }
    String path = normalised(rest);
    if (authority != null && (path.equals("/") || path.equals("."))) {
      path = ""; // the bucket's (or file system's) root
    }
    String foldedScheme = scheme.toLowerCase(Locale.ROOT).replaceFirst("^s3[an]$", "s3");
    String separator = authority == null ? ":" : "://" + authority;
    return new Canonical(scheme + separator + path, foldedScheme + separator + path);
  }

  /** A local path, absolute, with the symlinks of its existing part resolved. */
  private static String local(String given) {
    Path absolute;
    try {
      absolute = Path.of(given).toAbsolutePath();
    } catch (InvalidPathException notAPath) {
      return normalised(given);
    }
    // The longest prefix that exists is resolved by the kernel (so `link/..` is the link target's
    // parent); what follows it cannot hold a symlink and is normalised as text.
    Deque<Path> missing = new ArrayDeque<>();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      missing.push(existing.getFileName());
      existing = existing.getParent();
    }
    try {
      Path resolved = existing == null ? absolute.getRoot() : existing.toRealPath();
      while (!missing.isEmpty()) {
        resolved = resolved.resolve(missing.pop());
      }
      return resolved.normalize().toString();
    } catch (IOException unresolvable) {
      // e.g. a directory this user may not search: the path as written is the best name left.
      return absolute.normalize().toString();
    }
  }

  /**
   * {@code .} and empty segments dropped, {@code ..} applied (never above the root; a relative path
   * keeps the {@code ..} that climb above its start), no trailing {@code /}; a leading {@code /}
   * kept.
   */
  static String normalised(String path) {
    boolean absolute = path.startsWith("/");
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      boolean up = segment.equals("..");
      if (up && !segments.isEmpty() && !segments.get(segments.size() - 1).equals("..")) {
        segments.remove(segments.size() - 1);
      } else if (!(up && absolute)) {
        segments.add(segment);
      }
    }
    String joined = String.join("/", segments);
    return absolute ? "/" + joined : joined.isEmpty() ? "." : joined;
  }
}
