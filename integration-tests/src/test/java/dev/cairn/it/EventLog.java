package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Spark application's event log ({@code spark.eventLog.enabled}, uncompressed): one JSON event a
 * line, as the history server reads it. What a driver did, in its own words: which executors it had
 * on which host, how every task ended, which properties it ran with.
 */
final class EventLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<JsonNode> events;

  private EventLog(List<JsonNode> events) {
    this.events = events;
  }

  /**
   * The one application log in {@code dir}, finished or left in progress: a single file ({@code
   * app-<id>}), or a rolling log ({@code eventlog_v2_app-<id>/events_<n>_app-<id>}, Spark 4's
   * default), read in order.
   */
  static EventLog onlyIn(Path dir) throws IOException {
    List<Path> logs;
    try (Stream<Path> list = Files.list(dir)) {
      logs =
          list.filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith("app-") || name.startsWith("eventlog_v2_");
                  })
              .toList();
    }
    if (logs.size() != 1) {
      throw new AssertionError("expected one application event log in " + dir + ", found " + logs);
    }
    Path log = logs.get(0);
    List<Path> parts = List.of(log);
    if (Files.isDirectory(log)) {
      try (Stream<Path> list = Files.list(log)) {
        parts =
            list.filter(p -> p.getFileName().toString().startsWith("events_"))
                .sorted(Comparator.comparingInt(EventLog::partIndex))
                .toList();
      }
    }
    List<JsonNode> events = new ArrayList<>();
    for (Path part : parts) {
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(open(part), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (!line.isBlank()) {
            events.add(JSON.readTree(line));
          }
        }
      }
    }
    return new EventLog(events);
  }

  /** Spark 4 compresses event logs with zstd by default ({@code spark.eventLog.compress}). */
  private static InputStream open(Path part) throws IOException {
    String name = part.getFileName().toString();
    InputStream in = Files.newInputStream(part);
    if (name.endsWith(".zstd")) {
      return new ZstdInputStream(in);
    }
    if (name.matches(".*\\.(lz4|lzf|snappy)$")) {
      in.close();
      throw new AssertionError(
          part
              + " is compressed with a codec this reader lacks: run with"
              + " spark.eventLog.compression.codec=zstd or spark.eventLog.compress=false");
    }
    return in;
  }

  /** {@code events_12_app-...} is part 12. */
  private static int partIndex(Path part) {
    return Integer.parseInt(part.getFileName().toString().split("_")[1]);
  }

  List<JsonNode> events(String type) {
    return events.stream().filter(e -> e.path("Event").asText().equals(type)).toList();
  }

  /** Executor id to the host it ran on. */
  Map<String, String> executorHosts() {
    Map<String, String> hosts = new HashMap<>();
    for (JsonNode added : events("SparkListenerExecutorAdded")) {
      hosts.put(
          added.get("Executor ID").asText(), added.path("Executor Info").path("Host").asText());
    }
    return hosts;
  }

  /** Every task that did not end in Success: {@code "<reason> on <host>: <details>"}. */
  List<String> failedTasks() {
    List<String> failed = new ArrayList<>();
    for (JsonNode end : events("SparkListenerTaskEnd")) {
      JsonNode reason = end.path("Task End Reason");
      if (!reason.path("Reason").asText().equals("Success")) {
        failed.add(
            reason.path("Reason").asText()
                + " on "
                + end.path("Task Info").path("Host").asText()
                + ": "
                + reason);
      }
    }
    return failed;
  }

  /** How many tasks ended in Success. */
  long succeededTasks() {
    return events("SparkListenerTaskEnd").stream()
        .filter(e -> e.path("Task End Reason").path("Reason").asText().equals("Success"))
        .count();
  }

  /** Why each removed executor went: executor id to the driver's reason. */
  Map<String, String> removedExecutors() {
    Map<String, String> removed = new HashMap<>();
    for (JsonNode event : events("SparkListenerExecutorRemoved")) {
      removed.put(event.get("Executor ID").asText(), event.path("Removed Reason").asText());
    }
    return removed;
  }

  /** The Spark properties the application ran with. */
  Map<String, String> sparkProperties() {
    Map<String, String> properties = new HashMap<>();
    for (JsonNode update : events("SparkListenerEnvironmentUpdate")) {
      update
          .path("Spark Properties")
          .properties()
          .forEach(p -> properties.put(p.getKey(), p.getValue().asText()));
    }
    return properties;
  }
}
