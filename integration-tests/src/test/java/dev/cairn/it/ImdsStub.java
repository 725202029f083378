package dev.cairn.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An EC2 instance metadata service (IMDSv2) on 127.0.0.1 for driver processes: a token for {@code
 * PUT /latest/api/token}, 401 without it, 404 for metadata not served (yet).
 */
final class ImdsStub implements AutoCloseable {
  static final String INSTANCE_ACTION = "/latest/meta-data/spot/instance-action";
  private static final String TOKEN = "it-token";
  private final HttpServer server;
  private final Map<String, String> documents = new ConcurrentHashMap<>();

  ImdsStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void serve(String path, String body) {
    documents.put(path, body);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (exchange.getRequestMethod().equals("PUT") && path.equals("/latest/api/token")) {
        String ttl = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
        exchange.getResponseHeaders().add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        reply(exchange, 200, TOKEN);
      } else if (!TOKEN.equals(exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"))) {
        reply(exchange, 401, "");
      } else {
        String body = documents.get(path);
        reply(exchange, body == null ? 404 : 200, body == null ? "Not Found" : body);
      }
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
