package dev.cairn.internal.input;

import static dev.cairn.internal.input.Locations.PlainPaths.ELSEWHERE;
import static dev.cairn.internal.input.Locations.PlainPaths.LOCAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocationsTest {
  @TempDir Path dir;

  @Test
  void spellingsOfOneLocalFile_areOneLocation_theAbsoluteRealPath() throws Exception {
    Path file = Files.writeString(dir.resolve("x.parquet"), "rows");
    Path link = Files.createSymbolicLink(dir.resolve("latest.parquet"), file);
    Path cwd = Path.of("").toAbsolutePath();
    String real = file.toRealPath().toString();

    assertThat(
            Stream.of(
                    file.toString(),
                    dir + "/./x.parquet",
                    dir + "/sub/../x.parquet",
                    dir + "//x.parquet",
                    "file:" + file,
                    "file://" + file,
                    cwd.relativize(file).toString(),
                    "./" + cwd.relativize(file),
                    link.toString())
                .map(spelling -> Locations.canonical(spelling, LOCAL)))
        .allSatisfy(
            c -> {
              assertThat(c.identity()).isEqualTo("file:" + real);
              assertThat(c.value()).endsWith(real);
            });
    assertThat(Locations.canonical("./" + cwd.relativize(file), LOCAL).value()).isEqualTo(real);
  }

  @Test
  void aLocalPathNotThereYet_isAbsoluteAndNormalised_underItsExistingParentsRealPath()
      throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);

    assertThat(Locations.canonical(link + "/day=1/./part/", LOCAL).value())
        .isEqualTo(real.toRealPath() + "/day=1/part");
  }

  @Test
  void aSymlinkFollowedByDotDot_isResolvedAsTheKernelDoes_whetherTheFileExistsOrNot()
      throws Exception {
    Path target = Files.createDirectories(dir.resolve("deep/target"));
    Files.createSymbolicLink(dir.resolve("link"), target);
    String spelled = dir + "/link/../x.parquet";

    String before = Locations.canonical(spelled, LOCAL).value();
    Files.writeString(dir.resolve("deep/x.parquet"), "rows");

    assertThat(before)
        .isEqualTo(Locations.canonical(spelled, LOCAL).value())
        .isEqualTo(dir.resolve("deep/x.parquet").toRealPath().toString());
  }

  @Test
  void aBlankLocation_isRefused_andARemoteFileUriKeepsItsHost() {
    assertThatThrownBy(() -> Locations.canonical(" ", LOCAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a location cannot be blank");
    assertThat(Locations.canonical("file://nas/share/./x", LOCAL).value())
        .isEqualTo("file://nas/share/x");
  }

  @Test
  void aDirectory_withOrWithoutTrailingSlash_isOneLocation() throws Exception {
    Path in = Files.createDirectory(dir.resolve("in"));

    assertThat(Locations.canonical(in + "/", LOCAL))
        .isEqualTo(Locations.canonical(in.toString(), LOCAL));
  }

  @Test
  void s3Prefixes_areOneBucketWhicheverClientSchemeOrSlashes_butTheJobReadsTheGivenScheme() {
    Locations.Canonical s3a =
        Locations.canonical("S3A://flights/in//2024/./day=1/../day=2/", LOCAL);
    Locations.Canonical s3 = Locations.canonical("s3://flights/in/2024/day=2", LOCAL);

    assertThat(s3a.identity()).isEqualTo("s3://flights/in/2024/day=2").isEqualTo(s3.identity());
    assertThat(s3a.value()).isEqualTo("S3A://flights/in/2024/day=2");
    assertThat(Locations.canonical("s3a://Flights/in", LOCAL).identity())
        .as("bucket names are not folded: a legacy bucket may hold capitals")
        .isEqualTo("s3://Flights/in");
    assertThat(Locations.canonical("s3a://flights/my dir/x.csv", LOCAL).value())
        .as("keys with spaces, which java.net.URI refuses, keep them")
        .isEqualTo("s3a://flights/my dir/x.csv");
  }

  @Test
  void otherFileSystems_keepTheirScheme_andCannotClimbAboveTheRoot() {
    assertThat(Locations.canonical("hdfs://nn:8020/a/../../b/", LOCAL).identity())
        .isEqualTo("hdfs://nn:8020/b");
    assertThat(Locations.canonical("s3a://bucket", LOCAL).value()).isEqualTo("s3a://bucket");
  }

  @Test
  void plainPaths_onAnotherDefaultFileSystem_areNormalisedButNotMadeLocal() {
    assertThat(Locations.canonical("/user/hadoop/./in/", ELSEWHERE).value())
        .isEqualTo("/user/hadoop/in");
    assertThat(Locations.canonical("in/../flights", ELSEWHERE).value()).isEqualTo("flights");
  }

  @Test
  void relativeSegments_thatClimbOutOfARelativePath_areKept() {
    assertThat(Locations.normalised("../a/./b/..")).isEqualTo("../a");
    assertThat(Locations.normalised("./")).isEqualTo(".");
  }
}
