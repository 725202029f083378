package dev.cairn.faultproxy;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A kind of failure the proxy injects instead of (or after) forwarding a request. */
public enum Fault {
  /**
   * Answers with the protocol's throttling error without forwarding: DynamoDB's 400 {@code
   * ThrottlingException} or {@code ProvisionedThroughputExceededException}, S3's 503 {@code
   * SlowDown}.
   */
  THROTTLE("throttle"),
  /**
   * Answers with the protocol's 500 without forwarding: DynamoDB's {@code InternalServerError},
   * S3's {@code InternalError}.
   */
  SERVER_ERROR("server-error"),
  /** Closes the client's connection without forwarding: the request never reached the target. */
  DROP_BEFORE("drop-before"),
  /**
   * Forwards the request, waits for the target's whole response (so the target applied it), then
   * closes the client's connection without relaying it: the write landed but the client cannot know
   * ("state unknown").
   */
  DROP_AFTER("drop-after");

  private final String cliName;

  Fault(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line and in the stats file, e.g. {@code drop-after}. */
  public String cliName() {
    return cliName;
  }

  /** The fault named {@code name} on the command line. */
  public static Fault ofCliName(String name) {
    for (Fault fault : values()) {
      if (fault.cliName.equals(name.trim())) {
        return fault;
      }
    }
    throw new IllegalArgumentException(
        "unknown fault '" + name + "': pass a comma-separated list of " + allCliNames());
  }

  static String allCliNames() {
    return Arrays.stream(values()).map(Fault::cliName).collect(Collectors.joining(","));
  }
}
