package dev.cairn.internal.interrupt;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An IMDSv2 endpoint on 127.0.0.1 that answers like EC2's: a session token for {@code PUT
 * /latest/api/token}, 401 for reads without it, 404 for metadata that does not exist (yet).
 */
final class ImdsStub implements AutoCloseable {
  private static final String TOKEN = "stub-token-123";
  private final HttpServer server;
  private final Map<String, String> documents = new ConcurrentHashMap<>();
  final AtomicInteger tokenRequests = new AtomicInteger();
  final AtomicInteger unauthorized = new AtomicInteger();
  private volatile int refusal;
  private volatile boolean tokenTtlOmitted;

  ImdsStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** From now on every metadata read answers {@code status} (as a metadata firewall does). */
  void refuseWith(int status) {
    refusal = status;
  }

  /**
   * From now on token responses lack the TTL header the real IMDS sends (which the SDK requires),
   * as a proxy that strips headers would.
   */
  void omitTokenTtl() {
    tokenTtlOmitted = true;
  }

  /** From now on {@code path} answers 200 with {@code body}. */
  void serve(String path, String body) {
    documents.put(path, body);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (exchange.getRequestMethod().equals("PUT") && path.equals("/latest/api/token")) {
        tokenRequests.incrementAndGet();
        String ttl = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
        if (ttl == null) {
          reply(exchange, 400, "");
          return;
        }
        if (!tokenTtlOmitted) {
          exchange.getResponseHeaders().add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        }
        reply(exchange, 200, TOKEN);
        return;
      }
      if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"))) {
        unauthorized.incrementAndGet();
        reply(exchange, 401, "");
        return;
      }
      if (refusal != 0) {
        reply(exchange, refusal, "Forbidden");
        return;
      }
      String body = documents.get(path);
      reply(exchange, body == null ? 404 : 200, body == null ? "Not Found" : body);
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
