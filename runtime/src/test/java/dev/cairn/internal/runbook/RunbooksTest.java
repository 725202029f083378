package dev.cairn.internal.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding runbook entries (the operator's first, then the bundled ones) and filling them in. */
class RunbooksTest {
  @TempDir Path operator;

  @Test
  void everyFailureClass_hasABundledEntry_andEveryEntryPrintsACairnCommand() {
    Runbooks bundled = Runbooks.of(operator);
    for (String failureClass :
        List.of(
            "TRANSIENT",
            "PERMANENT",
            "BAD_INPUT",
            "DATA_QUALITY",
            "STATE_UNKNOWN",
            "INTERRUPTED",
            "LEASE_LOST",
            "RUNNING",
            "SUCCEEDED",
            "default")) {
      Runbooks.Entry entry = bundled.entry(failureClass);
      assertThat(entry.name()).isEqualTo(failureClass.toLowerCase() + ".md");
      assertThat(entry.source()).isEqualTo("bundled");
      assertThat(entry.template()).as(entry.name()).contains("    cairn ").contains("{runId}");
    }
  }

  @Test
  void theOperatorsEntry_winsOverTheBundledOne_andTheirDefaultServesUnknownClasses()
      throws Exception {
    Files.writeString(operator.resolve("bad_input.md"), "ours: {runId}");
    Files.writeString(operator.resolve("default.md"), "our default");

    Runbooks runbooks = Runbooks.of(operator);

    assertThat(runbooks.entry("BAD_INPUT").template()).isEqualTo("ours: {runId}");
    assertThat(runbooks.entry("BAD_INPUT").source())
        .isEqualTo(operator.resolve("bad_input.md").toString());
    assertThat(runbooks.entry("TRANSIENT").source()).isEqualTo("bundled");
    assertThat(runbooks.entry("org.example.Weird Class!").template()).isEqualTo("our default");
    assertThat(Runbooks.fileName("org.example.Weird Class!"))
        .isEqualTo("org_example_weird_class_.md");
  }

  @Test
  void anUnknownClass_withoutAnOperatorDefault_getsTheBundledDefault() {
    assertThat(Runbooks.of(operator.resolve("absent")).entry("SOMETHING_NEW").name())
        .isEqualTo("default.md");
  }

  @Test
  void aDirectoryNamedLikeAnEntry_isNotAnEntry() throws Exception {
    Files.createDirectories(operator.resolve("permanent.md"));

    assertThat(Runbooks.of(operator).entry("PERMANENT").source()).isEqualTo("bundled");
  }

  @Test
  void render_fillsValues_keepsUnknownBraces_andHonoursSections() {
    String template =
        "cairn resume {runId} {unknown}{#stage} --from {stage}{/stage}{^stage} (no stage){/stage}"
            + " {\"json\": 1}";

    assertThat(Runbooks.render(template, Map.of("runId", "r-1", "stage", "clean")))
        .isEqualTo("cairn resume r-1 {unknown} --from clean {\"json\": 1}");
    assertThat(Runbooks.render(template, Map.of("runId", "r-1", "stage", "")))
        .isEqualTo("cairn resume r-1 {unknown} (no stage) {\"json\": 1}");
    assertThat(Runbooks.render("a{#x}b{#y}c{/y}d{/x}e", Map.of("x", "1")))
        .as("nested sections")
        .isEqualTo("abde");
  }

  @Test
  void runParameters_becomeShellSafeFlags() {
    assertThat(Runbook.flags(Map.of("flights", "/d/f.parquet", "note", "it's a test")))
        .isEqualTo("-p flights=/d/f.parquet -p 'note=it'\\''s a test'");
  }
}
