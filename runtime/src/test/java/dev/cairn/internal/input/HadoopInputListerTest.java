package dev.cairn.internal.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.internal.store.InputPlan.PlannedFile;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing through Hadoop's local file system (S3A is exercised by S3WarehouseIT). */
class HadoopInputListerTest {
  @TempDir Path dir;
  private final HadoopInputLister lister = new HadoopInputLister(new Configuration());

  @Test
  void directory_listsItsDataFilesRecursively_sorted_skippingHiddenOnes() throws Exception {
    Path table = Files.createDirectories(dir.resolve("flights.parquet"));
    Files.writeString(table.resolve("part-1.parquet"), "bb");
    Files.writeString(table.resolve("part-0.parquet"), "a");
    Files.writeString(table.resolve("_SUCCESS"), "");
    Files.writeString(table.resolve(".part-0.parquet.crc"), "x");
    Path partition = Files.createDirectories(table.resolve("day=1"));
    Files.writeString(partition.resolve("part-2.parquet"), "ccc");
    Files.createDirectories(table.resolve("_temporary")).resolve("junk").toFile().createNewFile();
    Files.setLastModifiedTime(table.resolve("part-0.parquet"), FileTime.fromMillis(1_000_000));

    List<PlannedFile> files = lister.list(table.toString());

    assertThat(files)
        .extracting(f -> f.path().substring(f.path().indexOf("flights.parquet")), PlannedFile::size)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("flights.parquet/day=1/part-2.parquet", 3L),
            org.assertj.core.groups.Tuple.tuple("flights.parquet/part-0.parquet", 1L),
            org.assertj.core.groups.Tuple.tuple("flights.parquet/part-1.parquet", 2L));
    assertThat(files.get(1).version()).isEqualTo("mtime:1000000");
  }

  @Test
  void aFile_isItsOwnPlan() throws Exception {
    Path csv = Files.writeString(dir.resolve("airports.csv"), "iata\n");

    assertThat(lister.list(csv.toString()))
        .singleElement()
        .satisfies(f -> assertThat(f.size()).isEqualTo(5));
  }

  @Test
  void nothingThere_isFileNotFound() {
    assertThatThrownBy(() -> lister.list(dir.resolve("absent").toString()))
        .isInstanceOf(FileNotFoundException.class);
  }
}
