package dev.cairn.internal.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.BadInputException;
import dev.cairn.internal.errors.InputErrors;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.InputPlan.PlannedFile;
import dev.cairn.internal.store.Lease;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Frozen input plans: the files an input holds are listed once, recorded in the checkpoint table,
 * and every attempt that reads the input reads exactly them. A run's declared inputs are planned
 * once for the whole run ({@link #planRunInput}, at its first start) and shared by every stage
 * reading them; an input a stage reads without declaring it is planned when that stage first asks
 * ({@link #files}), for that stage alone.
 *
 * <p>Protocol of every read ({@link #runInputFiles}, {@link #files}):
 *
 * <ol>
 *   <li>the recorded plan is read; if there is none, the location is listed and the listing
 *       recorded as the plan (only if still absent, and only while the lease holds: a plan two
 *       drivers raced to record is the first one's for both). A listing too big for one checkpoint
 *       item ({@link #MAX_PLAN_BYTES}) is written first as a manifest object ({@link
 *       PlanManifests}, named by its SHA-256), and the item records its location, hash, file count
 *       and bytes; a manifest read back is trusted only if its hash and count match;
 *   <li>the location is listed again and every planned file must be there with its planned size and
 *       version (ETag, else modification time); files that arrived since are logged by name and not
 *       read;
 *   <li>a planned file vanished or changed is {@link BadInputException} naming the file, since the
 *       attempt could not read what earlier attempts read, as is a manifest missing or corrupt.
 *       {@code cairn rerun <runId> --from <stage>} re-plans the stages it reruns.
 * </ol>
 *
 * Stateless and thread-safe.
 */
public final class InputPlanner {
  private static final Logger LOG = LogManager.getLogger(InputPlanner.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What one plan may take of a DynamoDB item's 400 KB; a bigger one goes to a manifest. The
   * integration tests lower it ({@code -Dcairn.test.planItemBytes}) to put a small input's plan in
   * a manifest on S3.
   */
  static final long MAX_PLAN_BYTES = Long.getLong("cairn.test.planItemBytes", 350_000);

  /** Files named by the log line about files that arrived after the plan. */
  static final int ARRIVED_NAMED = 5;

  private final CheckpointStore store;
  private final InputLister lister;
  private final PlanManifests manifests;
  private final Clock clock;

  public InputPlanner(
      CheckpointStore store, InputLister lister, PlanManifests manifests, Clock clock) {
    this.store = store;
    this.lister = lister;
    this.manifests = manifests;
    this.clock = clock;
  }

  /**
   * Plans declared input {@code name} (at {@code location}) for the run's input snapshot {@code
   * snapshot}, unless it is planned already: the run's stages read it as it is now.
   *
   * @param reader the first stage that reads it (named by errors)
   * @return the plan now recorded with the listing it was made from, when this call planned it;
   *     pass it to the first {@link #runInputFiles} of the same attempt, which then neither reads
   *     the plan back nor lists the input again
   * @throws BadInputException when the location does not exist or has no files
   * @throws dev.cairn.RunHeldException when the lease was lost before the plan was recorded
   */
  public Optional<Planned> planRunInput(
      Lease lease, long snapshot, String name, String location, String reader) {
    if (store.findPlan(lease.runId(), InputPlan.RUN_SCOPE, name, snapshot).isPresent()) {
      return Optional.empty();
    }
    List<PlannedFile> listed = list(lease.runId(), reader, name, location, Optional.empty());
    InputPlan plan = record(lease, InputPlan.RUN_SCOPE, snapshot, name, location, reader, listed);
    return Optional.of(new Planned(plan, listed));
  }

  /**
   * A plan as {@link #planRunInput} just recorded it (with its files, even when a manifest holds
   * them), and the listing it was made from.
   */
  public record Planned(InputPlan plan, List<PlannedFile> listed) {}

  /**
   * The files of declared input {@code name} in the run's snapshot {@code snapshot}, as {@link
   * #planRunInput} recorded them (planned now if they were not), verified against one new listing,
   * or against {@code justPlanned}'s when this attempt planned it.
   *
   * @param reader the stage reading them (named by errors)
   * @throws BadInputException when a planned file vanished or changed, or the plan's manifest is
   *     missing or corrupt
   */
  public List<String> runInputFiles(
      Lease lease,
      long snapshot,
      String name,
      String location,
      String reader,
      Optional<Planned> justPlanned) {
    if (justPlanned.isPresent()) {
      InputPlan plan = justPlanned.get().plan();
      verify(plan, justPlanned.get().listed(), reader);
      return plan.files().stream().map(PlannedFile::path).toList();
    }
    return read(lease, InputPlan.RUN_SCOPE, snapshot, name, location, reader);
  }

  /**
   * The frozen list of files of input {@code name} (at {@code location}) for {@code stage} at
   * {@code generation}, planned now if it was not yet: an input the stage did not declare, so it is
   * planned when the stage first reads it, for that stage alone.
   *
   * @throws BadInputException when the location does not exist or has no files (at planning), or a
   *     planned file vanished or changed (later)
   * @throws dev.cairn.RunHeldException when the lease was lost before the plan was recorded
   */
  public List<String> files(
      Lease lease, String stage, long generation, String name, String location) {
    return read(lease, stage, generation, name, location, stage);
  }

  private List<String> read(
      Lease lease, String scope, long generation, String name, String location, String reader) {
    String runId = lease.runId();
    Optional<InputPlan> recorded =
        store.findPlan(runId, scope, name, generation).map(p -> loaded(p, reader));
    if (recorded.isPresent() && !recorded.get().location().equals(location)) {
      return relocated(recorded.get(), location, reader);
    }
    List<PlannedFile> listed = list(runId, reader, name, location, recorded);
    InputPlan plan =
        recorded.orElseGet(() -> record(lease, scope, generation, name, location, reader, listed));
    verify(plan, listed, reader);
    return plan.files().stream().map(PlannedFile::path).toList();
  }

  /** Records {@code listed} as the plan, unless one was recorded first; the plan now recorded. */
  private InputPlan record(
      Lease lease,
      String scope,
      long generation,
      String name,
      String location,
      String reader,
      List<PlannedFile> listed) {
    String runId = lease.runId();
    if (listed.isEmpty()) {
      throw InputErrors.noDataFiles(runId, reader, name, location);
    }
    InputPlan plan =
        new InputPlan(runId, scope, name, generation, location, listed, clock.instant());
    long bytes =
        listed.stream().mapToLong(f -> f.path().length() + f.version().length() + 40).sum();
    InputPlan toRecord =
        bytes > MAX_PLAN_BYTES ? plan.inManifest(writeManifest(runId, reader, plan)) : plan;
    InputPlan recorded = store.recordPlan(lease, toRecord);
    if (!recorded.equals(toRecord)) {
      return loaded(recorded, reader); // another driver's plan was recorded first
    }
    LOG.info(
        "Input {} planned for {}: {} files, {} bytes, under {}{}; every attempt reads exactly these",
        name,
        scope.equals(InputPlan.RUN_SCOPE) ? "the run" : "stage " + scope,
        listed.size(),
        listed.stream().mapToLong(PlannedFile::size).sum(),
        location,
        toRecord.manifest().map(m -> " (listed in manifest " + m.location() + ")").orElse(""));
    return plan;
  }

  private ManifestContent manifestContent(InputPlan plan) {
    List<String> lines = new ArrayList<>(plan.files().size());
    for (PlannedFile file : plan.files()) {
      try {
        lines.add(JSON.writeValueAsString(file));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a planned file as JSON: " + file, e);
      }
    }
    return new ManifestContent(lines, sha256(lines));
  }

  private record ManifestContent(List<String> lines, String sha256) {}

  private InputPlan.Manifest writeManifest(String runId, String reader, InputPlan plan) {
    ManifestContent content = manifestContent(plan);
    String name = content.sha256() + ".jsonl";
    String location;
    try {
      location = manifests.create(runId, name, content.lines());
    } catch (FileAlreadyExistsException exists) {
      // Named by its content: an earlier attempt wrote this very plan. Trusted only if whole.
      location = exists.getFile();
      loaded(
          plan.inManifest(
              new InputPlan.Manifest(
                  location, content.sha256(), plan.files().size(), totalBytes(plan.files()))),
          reader);
    } catch (IOException e) {
      throw InputErrors.manifestNotWritable(runId, reader, plan.name(), e);
    }
    return new InputPlan.Manifest(
        location, content.sha256(), plan.files().size(), totalBytes(plan.files()));
  }

  /** {@code plan} with its files, read from its manifest if it has one and checked against it. */
  private InputPlan loaded(InputPlan plan, String reader) {
    if (plan.manifest().isEmpty() || !plan.files().isEmpty()) {
      return plan;
    }
    InputPlan.Manifest manifest = plan.manifest().get();
    List<String> lines;
    try {
      lines = manifests.read(manifest.location());
    } catch (FileNotFoundException absent) {
      throw InputErrors.manifestMissing(plan.runId(), reader, plan.name(), manifest.location());
    } catch (IOException unreadable) {
      throw InputErrors.manifestNotReadable(
          plan.runId(), reader, plan.name(), manifest.location(), unreadable);
    }
    String sha = sha256(lines);
    if (!sha.equals(manifest.sha256()) || lines.size() != manifest.fileCount()) {
      throw InputErrors.manifestCorrupt(
          plan.runId(),
          reader,
          plan.name(),
          manifest.location(),
          manifest.sha256() + ", " + manifest.fileCount() + " files",
          sha + ", " + lines.size() + " lines");
    }
    List<PlannedFile> files = new ArrayList<>(lines.size());
    for (String line : lines) {
      try {
        files.add(JSON.readValue(line, PlannedFile.class));
      } catch (JsonProcessingException e) {
        throw InputErrors.manifestCorrupt(
            plan.runId(), reader, plan.name(), manifest.location(), "JSON lines", line);
      }
    }
    return plan.withFiles(files);
  }

  /** The hex SHA-256 of {@code lines} as written: each followed by a newline, in UTF-8. */
  static String sha256(List<String> lines) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        digest.update(line.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static long totalBytes(List<PlannedFile> files) {
    return files.stream().mapToLong(PlannedFile::size).sum();
  }

  /**
   * The files of {@code plan} in this host's copy at {@code location}: a run identified by the
   * content of a fetched dataset may be resumed on a host that keeps that dataset elsewhere (the
   * only way a plan's location can differ from the one asked for, since a rerun that changes a
   * location plans anew). The copy must hold the same files, by path under their common directory,
   * with the same sizes; modification times differ between copies and are not compared.
   */
  private List<String> relocated(InputPlan plan, String location, String reader) {
    List<PlannedFile> here = list(plan.runId(), reader, plan.name(), location, Optional.empty());
    List<String> plannedNames = underCommonDirectory(plan.files());
    List<String> hereNames = underCommonDirectory(here);
    for (int i = 0; i < Math.max(plannedNames.size(), hereNames.size()); i++) {
      boolean same =
          i < plannedNames.size()
              && i < hereNames.size()
              && plannedNames.get(i).equals(hereNames.get(i))
              && plan.files().get(i).size() == here.get(i).size();
      if (!same) {
        String planned = i < plannedNames.size() ? plan.files().get(i).path() : "(none)";
        String found = i < hereNames.size() ? here.get(i).path() : "(none)";
        throw InputErrors.copyDiffers(
            plan.runId(), reader, plan.name(), plan.location(), location, planned, found);
      }
    }
    LOG.info(
        "Input {} of stage {} was planned at {}; read from this host's copy at {} ({} files, same"
            + " names and sizes)",
        plan.name(),
        reader,
        plan.location(),
        location,
        here.size());
    return here.stream().map(PlannedFile::path).toList();
  }

  /** Each file's path after the longest directory prefix all of them share. */
  static List<String> underCommonDirectory(List<PlannedFile> files) {
    if (files.isEmpty()) {
      return List.of();
    }
    String first = files.get(0).path();
    int cut = first.lastIndexOf('/') + 1;
    for (PlannedFile file : files) {
      while (!file.path().startsWith(first.substring(0, cut))) {
        cut = cut <= 1 ? 0 : first.lastIndexOf('/', cut - 2) + 1;
      }
    }
    int common = cut;
    return files.stream().map(f -> f.path().substring(common)).toList();
  }

  private List<PlannedFile> list(
      String runId, String stage, String name, String location, Optional<InputPlan> recorded) {
    try {
      return lister.list(recorded.map(InputPlan::location).orElse(location));
    } catch (FileNotFoundException absent) {
      if (recorded.isPresent()) {
        return List.of(); // every planned file has vanished: said by verify, file by file
      }
      throw InputErrors.inputMissing(runId, stage, name, location, absent);
    } catch (IOException unreadable) {
      throw InputErrors.inputNotListable(runId, stage, name, location, unreadable);
    }
  }

  private static void verify(InputPlan plan, List<PlannedFile> listed, String reader) {
    Map<String, PlannedFile> now = new HashMap<>();
    listed.forEach(f -> now.put(f.path(), f));
    for (PlannedFile planned : plan.files()) {
      PlannedFile current = now.remove(planned.path());
      if (current == null) {
        throw InputErrors.fileVanished(
            plan.runId(), reader, plan.name(), plan.plannedAt(), planned.path());
      }
      if (current.size() != planned.size() || !current.version().equals(planned.version())) {
        throw InputErrors.fileChanged(
            plan.runId(),
            reader,
            plan.name(),
            plan.plannedAt(),
            planned.path(),
            planned.size(),
            planned.version(),
            current.size(),
            current.version());
      }
    }
    if (!now.isEmpty()) {
      LOG.info(
          "Input {} of stage {}: {} files arrived after the run planned it at {} and are not read"
              + " by this run: {}{}",
          plan.name(),
          reader,
          now.size(),
          plan.plannedAt(),
          now.keySet().stream().sorted().limit(ARRIVED_NAMED).toList(),
          now.size() > ARRIVED_NAMED ? " and " + (now.size() - ARRIVED_NAMED) + " more" : "");
    }
  }
}
