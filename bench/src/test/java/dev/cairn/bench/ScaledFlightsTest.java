package dev.cairn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaledFlightsTest {
  private static final String SOURCE = "ab".repeat(32);
  private static final String OTHER_SOURCE = "cd".repeat(32);

  @TempDir Path dir;

  @Test
  void shiftDays_areWholeWeeks_replicaZeroUnshifted() {
    assertThat(ScaledFlights.shiftDays(0)).isZero();
    assertThat(ScaledFlights.shiftDays(1)).isEqualTo(182);
    assertThat(ScaledFlights.shiftDays(7)).isEqualTo(1274);
    assertThat(ScaledFlights.shiftDays(7) % 7).isZero();
  }

  @Test
  void target_isBesideTheSource_namedAfterTheScale() {
    assertThat(ScaledFlights.target(Path.of("/c/vega-datasets-3.2.1/flights-3m.parquet"), 8))
        .isEqualTo(Path.of("/c/vega-datasets-3.2.1/flights-3m-x8.parquet"));
  }

  @Test
  void manifest_roundTrips_throughItsText_sortedByName() throws IOException {
    write("part-00001.parquet", "second");
    write("part-00000.parquet", "first");

    ScaledFlights.Manifest manifest = ScaledFlights.manifestOf(dir, SOURCE, 2);
    String text = ScaledFlights.format(manifest);

    assertThat(ScaledFlights.parse(text)).isEqualTo(manifest);
    assertThat(manifest.sha256ByFile())
        .containsExactly(
            Map.entry(
                "part-00000.parquet",
                "a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e"),
            Map.entry(
                "part-00001.parquet",
                "16367aacb67a4a017c8da8ab95682ccb390863780f7114dda0a0e0c55644c7c4"));
    assertThat(text)
        .contains("# source-sha256 " + SOURCE + " scale 2 shift-days 182\n")
        .endsWith(
            "a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e  part-00000.parquet\n"
                + "16367aacb67a4a017c8da8ab95682ccb390863780f7114dda0a0e0c55644c7c4"
                + "  part-00001.parquet\n");
  }

  @Test
  void mismatch_ofAnIntactCopy_isNone_hiddenFilesIgnored() throws IOException {
    intactCopy();
    write("_SUCCESS", "");
    write(".part-00000.parquet.crc", "crc");

    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2)).isEmpty();
  }

  @Test
  void mismatch_findsATamperedFile() throws IOException {
    intactCopy();
    byte[] bytes = Files.readAllBytes(dir.resolve("part-00001.parquet"));
    bytes[0] ^= 1;
    Files.write(dir.resolve("part-00001.parquet"), bytes);

    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2))
        .contains("part-00001.parquet checksum mismatch");
  }

  @Test
  void mismatch_findsAnExtraFile_andAMissingOne() throws IOException {
    intactCopy();
    write("part-00002.parquet", "stray");
    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2))
        .contains("part-00002.parquet not in the manifest");

    Files.delete(dir.resolve("part-00002.parquet"));
    Files.delete(dir.resolve("part-00000.parquet"));
    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2)).contains("part-00000.parquet missing");
  }

  @Test
  void mismatch_findsAnotherScale_orAnotherSource() throws IOException {
    intactCopy();

    assertThat(ScaledFlights.mismatch(dir, SOURCE, 4)).contains("made for scale 2, not 4");
    assertThat(ScaledFlights.mismatch(dir, OTHER_SOURCE, 2))
        .contains("made from another source (sha256 abababababab..., now cdcdcdcdcdcd...)");
  }

  @Test
  void mismatch_withoutAManifest_orWithAnUnreadableOne_saysSo() throws IOException {
    write("part-00000.parquet", "first");
    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2)).contains("no _SHA256SUMS manifest");

    write(ScaledFlights.MANIFEST, "# a comment\nnot a checksum line\n");
    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2))
        .contains(
            "_SHA256SUMS unreadable: line 2 is neither a comment nor '<sha256>  <file name>'");

    write(ScaledFlights.MANIFEST, "# a comment\n");
    assertThat(ScaledFlights.mismatch(dir, SOURCE, 2))
        .contains("_SHA256SUMS unreadable: no '# source-sha256 ... scale ... shift-days ...' line");
  }

  @Test
  void ensure_atScaleOne_isTheSourceItself() throws IOException {
    Path source = dir.resolve("flights-3m.parquet");

    assertThat(ScaledFlights.ensure(source, 1, new PrintWriter(new StringWriter())))
        .isEqualTo(source);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void ensure_belowScaleOne_isRefused_namingTheOption() {
    assertThatThrownBy(
            () ->
                ScaledFlights.ensure(
                    dir.resolve("flights-3m.parquet"), 0, new PrintWriter(new StringWriter())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--scale must be 1 or more (the number of copies of the flights dataset), not 0."
                + " Fix: give --scale 1 for the dataset as it is, or e.g. --scale 8");
  }

  private void intactCopy() throws IOException {
    write("part-00000.parquet", "first");
    write("part-00001.parquet", "second");
    Files.writeString(
        dir.resolve(ScaledFlights.MANIFEST),
        ScaledFlights.format(ScaledFlights.manifestOf(dir, SOURCE, 2)));
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }
}
