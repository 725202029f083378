package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's JSON writer, checked by reading its output back with Jackson. */
class JsonTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  private static Object parse(String json) throws Exception {
    return JACKSON.readValue(json, Object.class);
  }

  @Test
  void strings_withQuotesBackslashesNewlinesAndControlCharacters_roundTrip() throws Exception {
    String nasty =
        "say \"hi\" C:\\dir\\file\nline two\r\n\ttabbed \u0000 \u0001 \u001f \b \f é ✈ \u2028 end";

    String json = Json.write(nasty);

    assertThat(parse(json)).isEqualTo(nasty);
    assertThat(json)
        .contains("\\\"hi\\\"")
        .contains("C:\\\\dir")
        .contains("\\n")
        .contains("\\u0000")
        .contains("\\u001f")
        .doesNotContain("\n");
  }

  @Test
  void nestedMapsAndLists_roundTrip_inInsertionOrder() throws Exception {
    Map<String, Object> stage = new LinkedHashMap<>();
    stage.put("name", "clean");
    stage.put("attempts", 2);
    stage.put("outputVersion", 12_345_678_901L);
    stage.put("recovered", true);
    stage.put("skipped", false);
    stage.put("errorMessage", null);
    stage.put("ratio", 0.25);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("runId", "demo-1");
    run.put("stages", List.of(stage, Map.of()));
    run.put("empty", List.of());
    run.put("matrix", List.of(List.of(1, 2), List.of()));
    run.put("lease", null);

    String json = Json.write(run);

    assertThat(parse(json)).isEqualTo(run);
    List<Object> keys = new ArrayList<>(((Map<?, ?>) parse(json)).keySet());
    assertThat(keys).containsExactly("runId", "stages", "empty", "matrix", "lease");
  }

  @Test
  void topLevelScalarsAndEmptyContainers_areValidJson() throws Exception {
    assertThat(parse(Json.write(null))).isNull();
    assertThat(parse(Json.write(42))).isEqualTo(42);
    assertThat(parse(Json.write(-7L))).isEqualTo(-7);
    assertThat(parse(Json.write(1.5))).isEqualTo(1.5);
    assertThat(parse(Json.write(true))).isEqualTo(true);
    assertThat(Json.write(Map.of())).isEqualTo("{}");
    assertThat(Json.write(List.of())).isEqualTo("[]");
    assertThat(parse(Json.write(Arrays.asList("a", null, 3))))
        .isEqualTo(Arrays.asList("a", null, 3));
  }

  @Test
  void otherObjects_areWrittenAsTheirStrings() throws Exception {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");

    assertThat(parse(Json.write(Map.of("at", at)))).isEqualTo(Map.of("at", "2026-01-01T00:00:00Z"));
  }

  @Test
  void nonStringKeys_becomeStrings() throws Exception {
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put(1, "one");
    map.put("quote\"key", "v");

    assertThat(parse(Json.write(map))).isEqualTo(Map.of("1", "one", "quote\"key", "v"));
  }
}
