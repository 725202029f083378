package dev.cairn.faultproxy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** What the proxy's injected errors look like: the wire format of the service behind it. */
public enum Protocol {
  /** DynamoDB's JSON 1.0 protocol: errors carry {@code __type} and {@code message}. */
  DYNAMODB("dynamodb") {
    @Override
    ErrorResponse throttle(Random random) {
      boolean provisioned = random.nextBoolean();
      String type = provisioned ? "ProvisionedThroughputExceededException" : "ThrottlingException";
      String message =
          provisioned
              ? "The level of configured provisioned throughput for the table was exceeded."
                  + " Consider increasing your provisioning level with the UpdateTable API."
              : "Rate of requests exceeds the allowed throughput.";
      return dynamoDbError(400, "Bad Request", type, message);
    }

    @Override
    ErrorResponse serverError(Random random) {
      return dynamoDbError(
          500, "Internal Server Error", "InternalServerError", "Internal server error");
    }
  },
  /** S3's REST-XML protocol: errors are an {@code <Error>} document. */
  S3("s3") {
    @Override
    ErrorResponse throttle(Random random) {
      return s3Error(503, "Slow Down", "SlowDown", "Please reduce your request rate.");
    }

    @Override
    ErrorResponse serverError(Random random) {
      return s3Error(
          500,
          "Internal Server Error",
          "InternalError",
          "We encountered an internal error. Please try again.");
    }
  };

  private final String cliName;

  Protocol(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line: {@code dynamodb} or {@code s3}. */
  public String cliName() {
    return cliName;
  }

  /** The protocol named {@code name} on the command line. */
  public static Protocol ofCliName(String name) {
    for (Protocol protocol : values()) {
      if (protocol.cliName.equals(name)) {
        return protocol;
      }
    }
    throw new IllegalArgumentException(
        "unknown protocol '" + name + "': pass dynamodb or s3 (what the target speaks)");
  }

  abstract ErrorResponse throttle(Random random);

  abstract ErrorResponse serverError(Random random);

  /** An injected error: status line, the service's own headers, and a body. */
  record ErrorResponse(
      int status, String reason, String contentType, List<String> headers, byte[] body) {
    /** The whole response; a HEAD request gets the headers only. */
    byte[] bytes(boolean head, boolean close) {
      StringBuilder text =
          new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
      for (String header : headers) {
        text.append(header).append("\r\n");
      }
      text.append("Content-Type: ").append(contentType).append("\r\n");
      text.append("Content-Length: ").append(head ? 0 : body.length).append("\r\n");
      if (close) {
        text.append("Connection: close\r\n");
      }
      text.append("\r\n");
      byte[] start = text.toString().getBytes(StandardCharsets.ISO_8859_1);
      if (head) {
        return start;
      }
      byte[] all = new byte[start.length + body.length];
      System.arraycopy(start, 0, all, 0, start.length);
      System.arraycopy(body, 0, all, start.length, body.length);
      return all;
    }
  }

  private static ErrorResponse dynamoDbError(
      int status, String reason, String type, String message) {
    String body =
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
            + type
            + "\",\"message\":\""
            + message
            + "\"}";
    return new ErrorResponse(
        status,
        reason,
        "application/x-amz-json-1.0",
        List.of("x-amzn-RequestId: " + requestId()),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static ErrorResponse s3Error(int status, String reason, String code, String message) {
    String id = requestId();
    String body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
            + code
            + "</Code><Message>"
            + message
            + "</Message><RequestId>"
            + id
            + "</RequestId><HostId>fault-proxy</HostId></Error>";
    return new ErrorResponse(
        status,
        reason,
        "application/xml",
        List.of("x-amz-request-id: " + id, "x-amz-id-2: fault-proxy"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static String requestId() {
    return "FAULTPROXY" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
  }
}
