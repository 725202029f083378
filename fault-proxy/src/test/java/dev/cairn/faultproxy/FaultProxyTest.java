package dev.cairn.faultproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against real HTTP servers on 127.0.0.1: the JDK's own, and a raw recording one. */
class FaultProxyTest {
  private HttpServer target;
  private final AtomicInteger targetRequests = new AtomicInteger();
  private final Set<Integer> targetPeers = ConcurrentHashMap.newKeySet();
  private FaultProxy proxy;
  private HttpClient client;

  @BeforeEach
  void startTarget() throws IOException {
    target = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    target.createContext(
        "/",
        exchange -> {
          targetRequests.incrementAndGet();
          targetPeers.add(exchange.getRemoteAddress().getPort());
          byte[] body = exchange.getRequestBody().readAllBytes();
          byte[] reply =
              ("echo "
                      + exchange.getRequestMethod()
                      + " "
                      + new String(body, StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("X-Target", "yes");
          exchange.sendResponseHeaders(
              200, exchange.getRequestMethod().equals("HEAD") ? -1 : reply.length);
          try (OutputStream out = exchange.getResponseBody()) {
            if (!exchange.getRequestMethod().equals("HEAD")) {
              out.write(reply);
            }
          }
        });
    target.start();
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterEach
  void stopAll() {
    if (proxy != null) {
      proxy.close();
    }
    target.stop(0);
  }

  private URI targetUri() {
    return URI.create("http://127.0.0.1:" + target.getAddress().getPort());
  }

  private FaultProxy start(FaultProxyConfig.Builder config) throws IOException {
    proxy = FaultProxy.start(config.build());
    return proxy;
  }

  private HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void atRateZero_requestsAndResponsesPassByteForByte_manyOnOneConnection() throws Exception {
    byte[] canned =
        ("HTTP/1.1 200 OK\r\nx-amzn-RequestId: ABC\r\nX-Amz-Crc32: 123\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    try (RawTarget raw = new RawTarget(canned)) {
      proxy =
          FaultProxy.start(
              FaultProxyConfig.builder(URI.create("http://127.0.0.1:" + raw.port())).build());
      List<byte[]> sent =
          List.of(
              ("PUT /bucket/key%20x?partNumber=1 HTTP/1.1\r\nHost: bucket.s3.example:9000\r\n"
                      + "x-amz-date: 20260101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256"
                      + " Credential=a/b, SignedHeaders=host;x-amz-date, Signature=00ff\r\n"
                      + "content-length: 5\r\n\r\nhello")
                  .getBytes(StandardCharsets.ISO_8859_1),
              ("POST / HTTP/1.1\r\nHost: dynamodb.eu-west-1.amazonaws.com\r\n"
                      + "X-Amz-Target: DynamoDB_20120810.GetItem\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "3;ext=1\r\n{\"k\r\n2\r\n\"}\r\n0\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1),
              "GET /x HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

      try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
        for (int round = 0; round < 3; round++) {
          for (byte[] request : sent) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            assertThat(socket.getInputStream().readNBytes(canned.length)).isEqualTo(canned);
          }
        }
      }

      assertThat(raw.requests).hasSize(9);
      for (int i = 0; i < 9; i++) {
        assertThat(new String(raw.requests.get(i), StandardCharsets.ISO_8859_1))
            .isEqualTo(new String(sent.get(i % 3), StandardCharsets.ISO_8859_1));
      }
      assertThat(raw.connections.get()).as("one kept-alive target connection").isEqualTo(1);
      FaultProxyStats stats = proxy.stats();
      assertThat(stats.requests()).isEqualTo(9);
      assertThat(stats.forwarded()).isEqualTo(9);
      assertThat(stats.faults()).isZero();
    }
  }

  @Test
  void atQuarterRate_injectsEveryKind_andCountsMatchWhatClientAndTargetSaw() throws Exception {
    start(FaultProxyConfig.builder(targetUri()).faultRate(0.25).seed(7));
    int ok = 0;
    int throttled = 0;
    int serverErrors = 0;
    int dropped = 0;
    for (int i = 0; i < 400; i++) {
      try {
        HttpResponse<String> response = post("request " + i);
        switch (response.statusCode()) {
          case 200 -> {
            assertThat(response.body()).isEqualTo("echo POST request " + i);
            assertThat(response.headers().firstValue("X-Target")).contains("yes");
            ok++;
          }
          case 400 -> throttled++;
          case 500 -> serverErrors++;
          default -> throw new AssertionError("unexpected " + response);
        }
      } catch (IOException droppedConnection) {
        dropped++;
      }
    }

    FaultProxyStats stats = proxy.stats();
    assertThat(stats.requests()).isEqualTo(400);
    assertThat(stats.forwarded()).isEqualTo(ok);
    assertThat(stats.injected(Fault.THROTTLE)).isEqualTo(throttled);
    assertThat(stats.injected(Fault.SERVER_ERROR)).isEqualTo(serverErrors);
    assertThat(stats.injected(Fault.DROP_BEFORE) + stats.injected(Fault.DROP_AFTER))
        .isEqualTo(dropped);
    for (Fault fault : Fault.values()) {
      assertThat(stats.injected(fault)).as(fault.cliName()).isGreaterThanOrEqualTo(10);
    }
    assertThat(stats.faults()).isBetween(70L, 130L); // 100 expected
    assertThat(targetRequests.get())
        .as("the target saw forwarded and drop-after requests, no others")
        .isEqualTo(ok + stats.injected(Fault.DROP_AFTER));
    assertThat(stats.upstreamFailures()).isZero();
  }

  @Test
  void sameSeed_failsTheSameSequenceOfRequestsTheSameWay() throws Exception {
    List<Integer> first = statuses(11);
    proxy.close();
    List<Integer> second = statuses(11);
    assertThat(second).isEqualTo(first).contains(200, 400, 500, -1);
  }

  private List<Integer> statuses(long seed) throws Exception {
    start(FaultProxyConfig.builder(targetUri()).faultRate(0.5).seed(seed));
    List<Integer> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      try {
        statuses.add(post("x").statusCode());
      } catch (IOException dropped) {
        statuses.add(-1);
      }
    }
    return statuses;
  }

  @Test
  void dynamoDbThrottling_isA400ThrottlingOrProvisionedThroughputError_neverForwarded()
      throws Exception {
    start(
        FaultProxyConfig.builder(targetUri())
            .faultRate(1)
            .faults(EnumSet.of(Fault.THROTTLE))
            .protocol(Protocol.DYNAMODB));
    Set<String> types = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> response = post("{}");
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("application/x-amz-json-1.0");
      assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
      assertThat(response.body())
          .matches(
              "\\{\"__type\":\"com\\.amazonaws\\.dynamodb\\.v20120810#"
                  + "(ThrottlingException|ProvisionedThroughputExceededException)\","
                  + "\"message\":\"[^\"]+\"}");
      types.add(response.body().replaceAll(".*#(\\w+)\".*", "$1"));
    }
    assertThat(types)
        .containsExactlyInAnyOrder("ThrottlingException", "ProvisionedThroughputExceededException");
    assertThat(targetRequests.get()).isZero();
    assertThat(proxy.stats().injected(Fault.THROTTLE)).isEqualTo(20);
  }

  @Test
  void dynamoDbServerError_isA500InternalServerError() throws Exception {
    start(
        FaultProxyConfig.builder(targetUri()).faultRate(1).faults(EnumSet.of(Fault.SERVER_ERROR)));
    HttpResponse<String> response = post("{}");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body())
        .isEqualTo(
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\","
                + "\"message\":\"Internal server error\"}");
    assertThat(targetRequests.get()).isZero();
  }

  @Test
  void s3Errors_are503SlowDownAnd500InternalErrorXml_andHeadGetsNoBody() throws Exception {
    start(
        FaultProxyConfig.builder(targetUri())
            .faultRate(1)
            .faults(EnumSet.of(Fault.THROTTLE))
            .protocol(Protocol.S3));
    HttpResponse<String> slowDown = post("data");
    assertThat(slowDown.statusCode()).isEqualTo(503);
    assertThat(slowDown.headers().firstValue("Content-Type")).contains("application/xml");
    assertThat(slowDown.body())
        .startsWith("<?xml")
        .contains(
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>");
    HttpResponse<String> head =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/b/k"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(503);
    assertThat(head.body()).isEmpty();
    proxy.close();

    start(
        FaultProxyConfig.builder(targetUri())
            .faultRate(1)
            .faults(EnumSet.of(Fault.SERVER_ERROR))
            .protocol(Protocol.S3));
    HttpResponse<String> internal = post("data");
    assertThat(internal.statusCode()).isEqualTo(500);
    assertThat(internal.body()).contains("<Code>InternalError</Code>");
    assertThat(targetRequests.get()).isZero();
  }

  @Test
  void dropBefore_closesTheConnection_andTheTargetNeverSeesTheRequest() throws Exception {
    start(FaultProxyConfig.builder(targetUri()).faultRate(1).faults(EnumSet.of(Fault.DROP_BEFORE)));

    assertThatThrownBy(() -> post("lost")).isInstanceOf(IOException.class);

    assertThat(targetRequests.get()).isZero();
    assertThat(proxy.stats().injected(Fault.DROP_BEFORE)).isEqualTo(1);
  }

  @Test
  void dropAfter_theTargetAppliesTheRequest_butTheClientGetsNoResponse() throws Exception {
    start(FaultProxyConfig.builder(targetUri()).faultRate(1).faults(EnumSet.of(Fault.DROP_AFTER)));

    assertThatThrownBy(() -> post("landed")).isInstanceOf(IOException.class);

    assertThat(targetRequests.get()).isEqualTo(1);
    assertThat(proxy.stats().injected(Fault.DROP_AFTER)).isEqualTo(1);
    assertThat(proxy.stats().forwarded()).isZero();
  }

  @Test
  void keepAlive_manyRequestsReuseOneTargetConnection() throws Exception {
    start(FaultProxyConfig.builder(targetUri()));
    for (int i = 0; i < 50; i++) {
      assertThat(post("n" + i).body()).isEqualTo("echo POST n" + i);
    }
    assertThat(targetPeers).hasSize(1);
    assertThat(proxy.stats().forwarded()).isEqualTo(50);
  }

  @Test
  void expect100Continue_getsTheProxysContinue_andOneFinalResponse() throws Exception {
    start(FaultProxyConfig.builder(targetUri()));
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(
          ("PUT /b/k HTTP/1.1\r\nHost: b.s3\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(new String(in.readNBytes(25), StandardCharsets.ISO_8859_1))
          .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      out.write("body".getBytes(StandardCharsets.ISO_8859_1));
      out.write("GET /next HTTP/1.1\r\nHost: b.s3\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String both = readResponses(in, 2);
      assertThat(both).startsWith("HTTP/1.1 200 ").contains("echo PUT body").contains("echo GET ");
      assertThat(both).doesNotContain("100 Continue");
    }
  }

  /** Reads {@code n} responses framed by Content-Length (what the JDK server sends here). */
  private static String readResponses(InputStream in, int n) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed after " + all + head);
        }
        head.append((char) b);
      }
      all.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      java.util.regex.Matcher length =
          java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
      if (length.find()) {
        all.write(in.readNBytes(Integer.parseInt(length.group(1))));
      }
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void targetDown_answers502NamingTheTarget_andCountsAnUpstreamFailure() throws Exception {
    int deadPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      deadPort = free.getLocalPort();
    }
    proxy =
        FaultProxy.start(
            FaultProxyConfig.builder(URI.create("http://127.0.0.1:" + deadPort)).build());

    HttpResponse<String> response = post("x");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .contains("cannot forward to http://127.0.0.1:" + deadPort)
        .contains("Fix: start the target server");
    assertThat(proxy.stats().upstreamFailures()).isEqualTo(1);
  }

  @Test
  void listensOn127001Only_notOnEveryAddress() throws Exception {
    start(FaultProxyConfig.builder(targetUri()));
    try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
      assertThat(socket.isConnected()).isTrue();
    }
    // A wildcard bind would accept this too (Linux routes all of 127/8 to loopback).
    assertThatThrownBy(() -> new Socket("127.0.0.2", proxy.port()).close())
        .isInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void config_rejectsBadValues_withMessagesThatSayTheFix() {
    FaultProxyConfig.Builder builder = FaultProxyConfig.builder(targetUri());
    assertThatThrownBy(() -> builder.faultRate(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fault rate 1.5 is invalid: pass a share from 0 to 1, e.g. 0.25");
    assertThatThrownBy(() -> builder.listenPort(70000))
        .hasMessage("listen port 70000 is invalid: pass 0 (any free port) to 65535");
    assertThatThrownBy(() -> FaultProxyConfig.builder(URI.create("https://dynamodb.aws/x")))
        .hasMessageContaining("target 'https://dynamodb.aws/x' is invalid")
        .hasMessageContaining("e.g. http://127.0.0.1:8000");
    assertThatThrownBy(() -> builder.faultRate(0.5).faults(Set.of()).build())
        .hasMessageContaining("needs at least one fault kind: pass throttle,server-error");
  }
}
