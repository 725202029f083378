package dev.cairn.internal.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.BadInputException;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.InputPlan.PlannedFile;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.LeaseHolder;
import dev.cairn.internal.store.NewRun;
import dev.cairn.testing.InMemoryCheckpointStore;
import java.io.FileNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Frozen input plans: listed once, read unchanged by every attempt, checked each time. */
class InputPlannerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String DIR = "s3a://b/in/flights.parquet";
  private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
  private final FakeLister lister = new FakeLister();
  private final FakeManifests manifests = new FakeManifests();
  private final InputPlanner planner =
      new InputPlanner(store, lister, manifests, Clock.fixed(T0, ZoneOffset.UTC));
  private Lease lease;

  @BeforeEach
  void takeTheLease() {
    store.openRun(new NewRun("run-1", "job", "k=v", Map.of(), "hash", "dev", T0));
    lease =
        store
            .tryAcquireLease(
                "run-1", new LeaseHolder("h:1:a", "h", 1, T0), T0, Duration.ofSeconds(30), null)
            .orElseThrow();
    lister.put(DIR + "/part-0", 100, "etag:\"a\"");
    lister.put(DIR + "/part-1", 200, "etag:\"b\"");
  }

  @Test
  void firstAttempt_listsAndRecordsThePlan() {
    List<String> files = planner.files(lease, "clean", 1, "flights", DIR);

    assertThat(files).containsExactly(DIR + "/part-0", DIR + "/part-1");
    assertThat(store.findPlan("run-1", "clean", "flights", 1).orElseThrow().files())
        .containsExactly(
            new PlannedFile(DIR + "/part-0", 100, "etag:\"a\""),
            new PlannedFile(DIR + "/part-1", 200, "etag:\"b\""));
  }

  @Test
  void laterAttempt_readsExactlyThePlan_evenWhenFilesArrivedMeanwhile() {
    planner.files(lease, "clean", 1, "flights", DIR);
    lister.put(DIR + "/part-2", 300, "etag:\"c\"");

    assertThat(planner.files(lease, "clean", 1, "flights", DIR))
        .containsExactly(DIR + "/part-0", DIR + "/part-1");
  }

  @Test
  void aPlannedFileRewritten_isBadInputNamingTheFileAndTheRerunThatReplans() {
    planner.files(lease, "clean", 1, "flights", DIR);
    lister.put(DIR + "/part-1", 200, "etag:\"b2\"");

    assertThatThrownBy(() -> planner.files(lease, "clean", 1, "flights", DIR))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "input file "
                + DIR
                + "/part-1 of 'flights' changed since it was planned for stage"
                + " clean of run run-1")
        .hasMessageContaining("planned 200 bytes, etag:\"b\"; now 200 bytes, etag:\"b2\"")
        .hasMessageContaining("`cairn rerun run-1 --from clean`");
  }

  @Test
  void aPlanResumedOnAHostKeepingTheDatasetElsewhere_readsThatHostsCopy_ofTheSameFilesAndSizes() {
    String copy = "file:/mnt/cache/flights.parquet";
    planner.files(lease, "clean", 1, "flights", DIR);
    lister.put(copy + "/part-0", 100, "mtime:5");
    lister.put(copy + "/part-1", 200, "mtime:6");

    assertThat(planner.files(lease, "clean", 1, "flights", copy))
        .containsExactly(copy + "/part-0", copy + "/part-1");
    assertThat(store.findPlan("run-1", "clean", "flights", 1).orElseThrow().location())
        .as("the plan stays as recorded")
        .isEqualTo(DIR);
  }

  @Test
  void aCopyThatDiffers_isBadInputNamingBothCopiesAndTheFile() {
    String copy = "file:/mnt/cache/flights.parquet";
    planner.files(lease, "clean", 1, "flights", DIR);
    lister.put(copy + "/part-0", 100, "mtime:5");
    lister.put(copy + "/part-1", 201, "mtime:6");

    assertThatThrownBy(() -> planner.files(lease, "clean", 1, "flights", copy))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "input 'flights' of stage clean of run run-1 was planned at "
                + DIR
                + " (another host's copy of the dataset), and this host's copy at "
                + copy
                + " differs: planned "
                + DIR
                + "/part-1, found "
                + copy
                + "/part-1 (names and sizes must match). Fix: fetch the same dataset version"
                + " here and `cairn resume run-1`, resume on the host that planned it, or"
                + " re-plan the stage on this copy with `cairn rerun run-1 --from clean`");
  }

  @Test
  void filesUnderTheirCommonDirectory_areTheirRelativeNames() {
    assertThat(
            InputPlanner.underCommonDirectory(
                List.of(
                    new PlannedFile("file:/a/in/d=1/x", 1, ""),
                    new PlannedFile("file:/a/in/d=2/y", 1, ""))))
        .containsExactly("d=1/x", "d=2/y");
    assertThat(InputPlanner.underCommonDirectory(List.of(new PlannedFile("/c/f.csv", 1, ""))))
        .containsExactly("f.csv");
  }

  @Test
  void aPlannedFileVanished_isBadInputNamingTheFile() {
    planner.files(lease, "clean", 1, "flights", DIR);
    lister.remove(DIR + "/part-0");

    assertThatThrownBy(() -> planner.files(lease, "clean", 1, "flights", DIR))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("input file " + DIR + "/part-0 of 'flights'")
        .hasMessageContaining("has vanished")
        .hasMessageContaining("`cairn rerun run-1 --from clean`");
  }

  @Test
  void theNextGeneration_aRerun_plansAgainOnTheFilesThereNow() {
    planner.files(lease, "clean", 1, "flights", DIR);
    lister.put(DIR + "/part-2", 300, "etag:\"c\"");

    assertThat(planner.files(lease, "clean", 2, "flights", DIR))
        .containsExactly(DIR + "/part-0", DIR + "/part-1", DIR + "/part-2");
  }

  @Test
  void anInputWithNoFiles_isBadInput_andNothingIsPlanned() {
    assertThatThrownBy(() -> planner.files(lease, "clean", 1, "flights", "s3a://b/empty"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("input 'flights' of stage clean (s3a://b/empty) does not exist");
    assertThat(store.findPlan("run-1", "clean", "flights", 1)).isEmpty();
  }

  @Test
  void aRunInput_isPlannedOnce_andEveryStageReadsThatPlan_evenAfterAFileArrived() {
    planner.planRunInput(lease, 0, "flights", DIR, "clean");
    lister.put(DIR + "/part-2-late", 300, "etag:\"c\"");

    assertThat(planner.runInputFiles(lease, 0, "flights", DIR, "clean", Optional.empty()))
        .containsExactly(DIR + "/part-0", DIR + "/part-1");
    assertThat(planner.runInputFiles(lease, 0, "flights", DIR, "rejects", Optional.empty()))
        .containsExactly(DIR + "/part-0", DIR + "/part-1");
    planner.planRunInput(lease, 0, "flights", DIR, "clean");
    assertThat(planner.runInputFiles(lease, 0, "flights", DIR, "rejects", Optional.empty()))
        .as("planning again keeps the first plan")
        .hasSize(2);
    assertThat(planner.runInputFiles(lease, 1, "flights", DIR, "clean", Optional.empty()))
        .as("a rerun's snapshot plans anew")
        .hasSize(3);
  }

  @Test
  void theFirstReadOfTheAttemptThatPlanned_usesItsListing_notASecondListingNorTheManifest() {
    for (int i = 0; i < 5000; i++) {
      lister.put(DIR + "/many/part-" + i + "-" + "x".repeat(40), 1, "etag:\"0123456789abcdef\"");
    }
    int listingsBefore = lister.listings;

    Optional<InputPlanner.Planned> planned =
        planner.planRunInput(lease, 0, "flights", DIR + "/many", "clean");
    List<String> files =
        planner.runInputFiles(lease, 0, "flights", DIR + "/many", "clean", planned);

    assertThat(files).hasSize(5000);
    assertThat(lister.listings - listingsBefore).as("one listing in all").isEqualTo(1);
    assertThat(manifests.reads).as("the manifest just written is not read back").isZero();
    assertThat(planner.planRunInput(lease, 0, "flights", DIR + "/many", "clean"))
        .as("planned already")
        .isEmpty();
    assertThat(
            planner.runInputFiles(lease, 0, "flights", DIR + "/many", "rejects", Optional.empty()))
        .as("a later read lists again and reads the manifest")
        .isEqualTo(files);
    assertThat(lister.listings - listingsBefore).isEqualTo(2);
    assertThat(manifests.reads).isEqualTo(1);
  }

  @Test
  void aRunInputFileChanged_namesTheStageReadingIt() {
    planner.planRunInput(lease, 0, "flights", DIR, "clean");
    lister.remove(DIR + "/part-0");

    assertThatThrownBy(
            () -> planner.runInputFiles(lease, 0, "flights", DIR, "rejects", Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("planned for stage rejects of run run-1")
        .hasMessageContaining("`cairn rerun run-1 --from rejects`");
  }

  @Test
  void anInputTooLargeForOneItem_isPlannedInAManifestNamedByItsHash_andReadBackWhole() {
    for (int i = 0; i < 5000; i++) {
      lister.put(DIR + "/many/part-" + i + "-" + "x".repeat(40), 1, "etag:\"0123456789abcdef\"");
    }

    List<String> files = planner.files(lease, "clean", 1, "flights", DIR + "/many");

    assertThat(files).hasSize(5000).isSorted();
    InputPlan recorded = store.findPlan("run-1", "clean", "flights", 1).orElseThrow();
    assertThat(recorded.files()).as("the item holds no file list").isEmpty();
    InputPlan.Manifest manifest = recorded.manifest().orElseThrow();
    assertThat(manifest.fileCount()).isEqualTo(5000);
    assertThat(manifest.totalBytes()).isEqualTo(5000);
    assertThat(manifest.location()).isEqualTo("mem://run-1/" + manifest.sha256() + ".jsonl");
    assertThat(InputPlanner.sha256(manifests.objects.get(manifest.location())))
        .isEqualTo(manifest.sha256());
    assertThat(manifests.objects.get(manifest.location()).get(0))
        .isEqualTo(
            "{\"path\":\""
                + files.get(0)
                + "\",\"size\":1,\"version\":\"etag:\\\"0123456789abcdef\\\"\"}");

    lister.put(DIR + "/many/zz-late", 1, "mtime:1");
    assertThat(planner.files(lease, "clean", 1, "flights", DIR + "/many"))
        .as("a later attempt reads the manifest")
        .isEqualTo(files);
  }

  @Test
  void aManifestAlteredSincePlanning_isBadInput_andNothingIsRead() {
    for (int i = 0; i < 5000; i++) {
      lister.put(DIR + "/many/part-" + i + "-" + "x".repeat(40), 1, "etag:\"0123456789abcdef\"");
    }
    planner.files(lease, "clean", 1, "flights", DIR + "/many");
    InputPlan.Manifest manifest =
        store.findPlan("run-1", "clean", "flights", 1).orElseThrow().manifest().orElseThrow();
    List<String> altered = new ArrayList<>(manifests.objects.get(manifest.location()));
    altered.remove(altered.size() - 1);
    manifests.objects.put(manifest.location(), altered);

    assertThatThrownBy(() -> planner.files(lease, "clean", 1, "flights", DIR + "/many"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "manifest "
                + manifest.location()
                + " of input 'flights' (read by stage clean of run run-1) is not the plan the run"
                + " recorded: expected "
                + manifest.sha256()
                + ", 5000 files, found ")
        .hasMessageContaining(", 4999 lines; nothing is read from a plan that may have been")
        .hasMessageEndingWith("`cairn rerun run-1 --from clean`");

    manifests.objects.remove(manifest.location());
    assertThatThrownBy(() -> planner.files(lease, "clean", 1, "flights", DIR + "/many"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("is kept in manifest " + manifest.location() + ", which does not");
  }

  @Test
  void aManifestAlreadyWrittenByAnEarlierAttempt_isReused_whenWhole() {
    for (int i = 0; i < 5000; i++) {
      lister.put(DIR + "/many/part-" + i + "-" + "x".repeat(40), 1, "etag:\"0123456789abcdef\"");
    }
    planner.files(lease, "clean", 1, "flights", DIR + "/many");

    // The same listing for another stage: the same content, so the same manifest name.
    assertThat(planner.files(lease, "rejects", 1, "flights", DIR + "/many")).hasSize(5000);
    assertThat(manifests.objects).hasSize(1);
  }

  /** Manifests in memory, created only if absent. */
  private static final class FakeManifests implements PlanManifests {
    private final Map<String, List<String>> objects = new java.util.HashMap<>();
    private int reads;

    @Override
    public String create(String runId, String name, List<String> lines)
        throws java.nio.file.FileAlreadyExistsException {
      String location = "mem://" + runId + "/" + name;
      if (objects.putIfAbsent(location, List.copyOf(lines)) != null) {
        throw new java.nio.file.FileAlreadyExistsException(location);
      }
      return location;
    }

    @Override
    public List<String> read(String location) throws FileNotFoundException {
      reads++;
      List<String> lines = objects.get(location);
      if (lines == null) {
        throw new FileNotFoundException(location);
      }
      return lines;
    }
  }

  /** Files in memory, under their paths. */
  private static final class FakeLister implements InputLister {
    private final TreeMap<String, PlannedFile> files = new TreeMap<>();
    private int listings;

    void put(String path, long size, String version) {
      files.put(path, new PlannedFile(path, size, version));
    }

    void remove(String path) {
      files.remove(path);
    }

    @Override
    public List<PlannedFile> list(String location) throws FileNotFoundException {
      listings++;
      List<PlannedFile> under = new ArrayList<>();
      files.forEach(
          (path, file) -> {
            if (path.startsWith(location + "/") || path.equals(location)) {
              under.add(file);
            }
          });
      if (under.isEmpty()) {
        throw new FileNotFoundException(location);
      }
      return under;
    }
  }
}
