package dev.cairn.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EMF lines are what CloudWatch's Embedded Metric Format specification asks for. */
class EmbeddedMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void stageLine_declaresItsMetricsWithUnits_underJobAndJobStageDimensions() throws Exception {
    Map<String, Number> values = new LinkedHashMap<>();
    values.put("StageDurationMs", 1234L);
    values.put("BytesWritten", 99L);
    values.put("StageCommits", 1);

    JsonNode line =
        JSON.readTree(
            EmbeddedMetrics.line(
                Instant.ofEpochMilli(1_700_000_000_000L),
                "flights-daily",
                "flights-daily-abc",
                "clean \"x\"",
                2,
                null,
                values));

    JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
    assertThat(line.at("/_aws/Timestamp").asLong()).isEqualTo(1_700_000_000_000L);
    assertThat(directive.get("Namespace").asText()).isEqualTo("Cairn");
    assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"Job\"],[\"Job\",\"Stage\"]]");
    assertThat(directive.get("Metrics").toString())
        .isEqualTo(
            "[{\"Name\":\"StageDurationMs\",\"Unit\":\"Milliseconds\"},"
                + "{\"Name\":\"BytesWritten\",\"Unit\":\"Bytes\"},"
                + "{\"Name\":\"StageCommits\",\"Unit\":\"Count\"}]");
    assertThat(line.get("Job").asText()).isEqualTo("flights-daily");
    assertThat(line.get("Stage").asText()).isEqualTo("clean \"x\"");
    assertThat(line.get("StageDurationMs").asLong()).isEqualTo(1234);
    assertThat(line.get("attempt").asInt()).isEqualTo(2);
  }

  @Test
  void runLine_hasOnlyTheJobDimension_andFailureLinesTheirClass() throws Exception {
    JsonNode line =
        JSON.readTree(
            EmbeddedMetrics.line(
                Instant.EPOCH, "j", "r", null, 0, "TRANSIENT", Map.of("StageRetries", 1)));

    assertThat(line.at("/_aws/CloudWatchMetrics/0/Dimensions").toString()).isEqualTo("[[\"Job\"]]");
    assertThat(line.get("errorClass").asText()).isEqualTo("TRANSIENT");
    assertThat(line.has("Stage")).isFalse();
  }

  @Test
  void line_isCompactJson_inTheOrderOfTheDirectiveDimensionsAndValues() {
    Map<String, Number> values = new LinkedHashMap<>();
    values.put("RunSucceeded", 1);
    values.put("RunDurationMs", 10L);

    assertThat(EmbeddedMetrics.line(Instant.ofEpochMilli(5), "j", "r", null, 0, null, values))
        .isEqualTo(
            "{\"_aws\":{\"Timestamp\":5,\"CloudWatchMetrics\":[{\"Namespace\":\"Cairn\","
                + "\"Dimensions\":[[\"Job\"]],\"Metrics\":[{\"Name\":\"RunSucceeded\","
                + "\"Unit\":\"Count\"},{\"Name\":\"RunDurationMs\",\"Unit\":\"Milliseconds\"}]}]},"
                + "\"Job\":\"j\",\"runId\":\"r\",\"RunSucceeded\":1,\"RunDurationMs\":10}");
  }

  @Test
  void fileSink_createsItsDirectories_andAppendsOneLinePerMetric(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("logs").resolve("metrics.emf");
    try (EmbeddedMetrics.Sink first = EmbeddedMetrics.Sink.appendingTo(file)) {
      first.accept("{\"a\":1}");
    }
    try (EmbeddedMetrics.Sink second = EmbeddedMetrics.Sink.appendingTo(file)) {
      second.accept("{\"b\":2}");
      second.accept("{\"c\":3}");
    }

    assertThat(Files.readAllLines(file)).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
  }

  @Test
  void fileSink_thatCannotWrite_dropsLinesWithoutThrowing(@TempDir Path dir) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    try (EmbeddedMetrics.Sink sink =
        EmbeddedMetrics.Sink.appendingTo(notADirectory.resolve("metrics.emf"))) {
      sink.accept("{}");
      sink.accept("{}");
    }

    assertThat(Files.readString(notADirectory)).isEqualTo("x");
  }

  @Test
  void routeTo_sendsTheEnginesLinesToTheSink_andReturnsTheOneBefore() {
    List<String> lines = new java.util.ArrayList<>();
    EmbeddedMetrics.Sink before = EmbeddedMetrics.routeTo(lines::add);
    try {
      EmbeddedMetrics.stageRetried(Instant.EPOCH, "j", "r", "clean", 2, "TRANSIENT");
    } finally {
      EmbeddedMetrics.routeTo(before);
    }

    assertThat(lines).singleElement().asString().contains("\"StageRetries\":1", "\"attempt\":2");
  }
}
