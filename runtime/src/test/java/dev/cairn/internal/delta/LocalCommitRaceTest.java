package dev.cairn.internal.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.storage.LogStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Driver processes sharing one local table (two runs on one {@code CAIRN_HOME}) race to commit the
 * same versions: each version is made by exactly one of them, and its file is that writer's commit,
 * whole. (Delta's HDFS and local log stores check, then rename, and the local rename replaces the
 * file: their window is microseconds wide, so this race guards the property more than it reproduces
 * their failure.)
 */
class LocalCommitRaceTest {
  private static final int WRITERS = 3;
  private static final int VERSIONS = 80;

  @Test
  void writerProcessesRacingForTheSameVersions_eachVersionHasOneWriter_andItsCommitIsWhole(
      @TempDir Path dir) throws Exception {
    Map<Integer, List<String>> writersByVersion = race(dir, FencedLogStore.class);

    assertThat(writersByVersion).hasSize(VERSIONS);
    for (var entry : writersByVersion.entrySet()) {
      int version = entry.getKey();
      assertThat(entry.getValue()).as("writers that made version %d", version).hasSize(1);
      assertThat(Files.readAllLines(commit(dir, version)))
          .as("commit file of version %d", version)
          .isEqualTo(Writer.lines(entry.getValue().get(0), version));
    }
    try (Stream<Path> files = Files.list(dir.resolve("_delta_log"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("temporary files left behind")
          .noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  /** Runs the writer processes to the end; which writers believe they made each version. */
  private static Map<Integer, List<String>> race(Path dir, Class<? extends LogStore> store)
      throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("_delta_log"));
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> writers = new ArrayList<>();
    for (int i = 0; i < WRITERS; i++) {
      writers.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  Writer.class.getName(),
                  store.getName(),
                  dir.toString(),
                  "writer-" + i,
                  Integer.toString(VERSIONS))
              .redirectError(dir.resolve("writer-" + i + ".log").toFile())
              .start());
    }
    for (Process writer : writers) {
      // Each says "ready" once its log store is loaded, then waits for its standard input to close.
      assertThat(writer.inputReader().readLine()).isEqualTo("ready");
    }
    for (Process writer : writers) {
      writer.getOutputStream().close();
    }
    Map<Integer, List<String>> writersByVersion = new TreeMap<>();
    for (int i = 0; i < WRITERS; i++) {
      Process writer = writers.get(i);
      assertThat(writer.waitFor(2, TimeUnit.MINUTES)).as("writer %d finished", i).isTrue();
      assertThat(writer.exitValue())
          .as(Files.readString(dir.resolve("writer-" + i + ".log")))
          .isZero();
      for (String line : Files.readAllLines(dir.resolve("made-writer-" + i))) {
        writersByVersion
            .computeIfAbsent(Integer.parseInt(line), v -> new ArrayList<>())
            .add("writer-" + i);
      }
    }
    return writersByVersion;
  }

  private static Path commit(Path dir, int version) {
    return dir.resolve("_delta_log").resolve(String.format("%020d.json", version));
  }

  /**
   * One writer process: once its standard input closes, tries to create every version in turn
   * through the log store named, and records the versions it made in {@code made-<name>}.
   */
  public static final class Writer {
    public static void main(String[] args) throws Exception {
      Configuration conf = new Configuration();
      LogStore store =
          (LogStore) Class.forName(args[0]).getConstructor(Configuration.class).newInstance(conf);
      Path dir = Path.of(args[1]);
      String name = args[2];
      int versions = Integer.parseInt(args[3]);
      // The protocol with the test: ready on standard output, go when standard input closes.
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the start
      }
      List<String> made = new ArrayList<>();
      for (int version = 0; version < versions; version++) {
        try {
          store.write(
              new org.apache.hadoop.fs.Path(commit(dir, version).toUri()),
              lines(name, version).iterator(),
              false,
              conf);
          made.add(Integer.toString(version));
        } catch (FileAlreadyExistsException madeByAnother) {
          // another writer made this version
        }
      }
      Files.write(dir.resolve("made-" + name), made);
    }

    /** The commit a writer makes: a few kilobytes, so that writing it takes a while. */
    static List<String> lines(String writer, int version) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        lines.add(
            "{\"commitInfo\":{\"writer\":\""
                + writer
                + "\",\"version\":"
                + version
                + ",\"line\":"
                + i
                + ",\"padding\":\""
                + "x".repeat(200)
                + "\"}}");
      }
      return lines;
    }
  }
}
