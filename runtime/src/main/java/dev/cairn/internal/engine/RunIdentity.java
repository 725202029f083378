package dev.cairn.internal.engine;

import dev.cairn.Parameters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Collectors;

/**
 * A run's identity, derived from the job's name and its effective parameters, so that submitting
 * the same logical run twice resumes it instead of duplicating it.
 *
 * @param runKey the parameters in canonical form: {@code k=v} sorted by name, joined by {@code &},
 *     with {@code %}, {@code &} and {@code =} percent-escaped
 * @param parametersHash SHA-256 of the run key, hex
 * @param runId {@code <job>-<first 12 hex digits of the hash>}
 */
public record RunIdentity(String job, String runKey, String parametersHash, String runId) {

  public static RunIdentity of(String job, Parameters parameters) {
    String runKey =
        parameters.asMap().entrySet().stream()
            .map(e -> e.getKey() + "=" + escape(e.getValue()))
            .collect(Collectors.joining("&"));
    String hash = sha256(job + "\n" + runKey);
    return new RunIdentity(job, runKey, hash, job + "-" + hash.substring(0, 12));
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
