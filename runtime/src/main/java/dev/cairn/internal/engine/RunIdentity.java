package dev.cairn.internal.engine;

import dev.cairn.Parameters;
import java.net.URLEncoder;
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
 *     values URL-encoded
 * @param parametersHash SHA-256 of the run key, hex
 * @param runId {@code <job>-<first 12 hex digits of the hash>}
 */
public record RunIdentity(String job, String runKey, String parametersHash, String runId) {

  public static RunIdentity of(String job, Parameters parameters) {
    String runKey =
        parameters.asMap().entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    String hash = sha256(job + "\n" + runKey);
    return new RunIdentity(job, runKey, hash, job + "-" + hash.substring(0, 12));
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
