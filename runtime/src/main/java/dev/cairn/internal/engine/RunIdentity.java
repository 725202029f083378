package dev.cairn.internal.engine;

import dev.cairn.Parameters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A run's identity, derived from the job's name and its effective parameters (locations by place,
 * fetched defaults by content), so that submitting the same logical run twice resumes it instead of
 * duplicating it.
 *
 * @param runKey the parameters in canonical form: {@code k=v} sorted by name, joined by {@code &},
 *     with {@code %}, {@code &} and {@code =} percent-escaped
 * @param parametersHash SHA-256 of the run key, hex
 * @param runId {@code <job>-<first 12 hex digits of the hash>}
 */
public record RunIdentity(String job, String runKey, String parametersHash, String runId) {

  /** The identity of a run whose parameters are identified by their values as spelled. */
  public static RunIdentity of(String job, Parameters parameters) {
    return of(job, parameters.asMap());
  }

  /**
   * The identity of a run whose parameters are identified by {@code identity} (see {@link
   * ParameterResolver.Resolved#identity}).
   */
  public static RunIdentity of(String job, Map<String, String> identity) {
    String runKey =
        new TreeMap<>(identity)
            .entrySet().stream()
                .map(e -> e.getKey() + "=" + escape(e.getValue()))
                .collect(Collectors.joining("&"));
    String hash = sha256(job + "\n" + runKey);
    return new RunIdentity(job, runKey, hash, job + "-" + hash.substring(0, 12));
  }

  /** The identity values by name that {@code runKey} (a {@link #runKey} of this form) holds. */
  public static Map<String, String> values(String runKey) {
    Map<String, String> values = new TreeMap<>();
    if (runKey.isEmpty()) {
      return values;
    }
    for (String entry : runKey.split("&", -1)) {
      int equals = entry.indexOf('=');
      values.put(entry.substring(0, equals), unescape(entry.substring(equals + 1)));
    }
    return values;
  }

  private static String unescape(String value) {
    return value.replace("%3D", "=").replace("%26", "&").replace("%25", "%");
  }

  /** Keeps values readable (paths stay paths) while {@code &} and {@code =} stay unambiguous. */
  private static String escape(String value) {
    return value.replace("%", "%25").replace("&", "%26").replace("=", "%3D");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every JVM has SHA-256", impossible);
    }
  }
}
