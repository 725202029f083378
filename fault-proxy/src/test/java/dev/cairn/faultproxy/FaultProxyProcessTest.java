package dev.cairn.faultproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy as a separate process, as the README runs it. */
class FaultProxyProcessTest {
  @TempDir Path dir;
  private HttpServer target;
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void startTarget() throws IOException {
    target = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    target.createContext(
        "/",
        exchange -> {
          byte[] reply = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, reply.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply);
          }
        });
    target.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    target.stop(0);
  }

  private Process proxy(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx64m");
    command.add("-cp");
    command.add(System.getProperty("cairn.faultProxy.classes"));
    command.add(FaultProxy.class.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectError(dir.resolve("stderr").toFile())
            .redirectOutput(dir.resolve("stdout").toFile())
            .start();
    processes.add(process);
    return process;
  }

  @Test
  void process_writesReadyFileAndStats_andRemovesTheReadyFileOnSigterm() throws Exception {
    Path ready = dir.resolve("proxy.port");
    Path stats = dir.resolve("proxy.stats");
    Process process =
        proxy(
            "--target", "http://127.0.0.1:" + target.getAddress().getPort(),
            "--listen-port", "0",
            "--fault-rate", "0.5",
            "--faults", "server-error",
            "--seed", "3",
            "--ready-file", ready.toString(),
            "--stats-file", stats.toString());
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ready));
    int port = Integer.parseInt(Files.readString(ready).trim());

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    int ok = 0;
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                  .POST(HttpRequest.BodyPublishers.ofString("x"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isIn(200, 500);
      ok += response.statusCode() == 200 ? 1 : 0;
    }
    int forwarded = ok;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> read(stats).getProperty("requests", "").equals("40"));
    Properties counts = read(stats);
    assertThat(counts.getProperty("forwarded")).isEqualTo(Integer.toString(forwarded));
    assertThat(counts.getProperty("server-error")).isEqualTo(Integer.toString(40 - forwarded));
    assertThat(forwarded).isBetween(10, 30);
    assertThat(counts.getProperty("throttle")).isEqualTo("0");
    assertThat(counts.getProperty("drop-before")).isEqualTo("0");
    assertThat(counts.getProperty("drop-after")).isEqualTo("0");
    assertThat(counts.getProperty("upstream-failures")).isEqualTo("0");
    assertThat(Files.readString(dir.resolve("stderr")))
        .contains("fault-proxy: listening on 127.0.0.1:" + port)
        .contains("failing 0.5 of requests with [server-error]");

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ready).doesNotExist();
    assertThat(read(stats).getProperty("requests")).isEqualTo("40");
    assertThat(Files.readString(dir.resolve("stdout"))).isEmpty();
  }

  @Test
  void badArguments_exit2_withOneLineNamingTheArgumentAndTheFix() throws Exception {
    assertThat(exitAndError("--target", "http://127.0.0.1:1", "--fault-rate", "2"))
        .isEqualTo(
            "2 fault-proxy: --fault-rate: fault rate 2.0 is invalid: pass a share from 0 to 1,"
                + " e.g. 0.25");
    assertThat(exitAndError("--target", "http://127.0.0.1:1", "--faults", "throttle,slow"))
        .isEqualTo(
            "2 fault-proxy: --faults: unknown fault 'slow': pass a comma-separated list of"
                + " throttle,server-error,drop-before,drop-after");
    assertThat(exitAndError("--fault-rate", "0.1"))
        .isEqualTo(
            "2 fault-proxy: --target is required: pass the server to forward to, e.g. --target"
                + " http://127.0.0.1:8000");
    assertThat(exitAndError("--target", "http://127.0.0.1:1", "--protocol", "ftp"))
        .isEqualTo(
            "2 fault-proxy: --protocol: unknown protocol 'ftp': pass dynamodb or s3 (what the"
                + " target speaks)");
  }

  private String exitAndError(String... args) throws Exception {
    Process process = proxy(args);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return process.exitValue() + " " + Files.readString(dir.resolve("stderr")).strip();
  }

  private static Properties read(Path file) throws IOException {
    Properties properties = new Properties();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        properties.load(in);
      }
    }
    return properties;
  }
}
