package dev.cairn.internal.input;

import dev.cairn.BadInputException;
import dev.cairn.internal.errors.InputErrors;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.InputPlan;
import dev.cairn.internal.store.InputPlan.PlannedFile;
import dev.cairn.internal.store.Lease;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Frozen input plans: the files a stage reads are listed once per run, stage generation and input,
 * recorded in the checkpoint table, and every attempt of that stage reads exactly them.
 *
 * <p>Protocol of {@link #files}, at each attempt:
 *
 * <ol>
 *   <li>the recorded plan is read; if there is none, the location is listed and the listing
 *       recorded as the plan (only if still absent, and only while the lease holds: a plan two
 *       drivers raced to record is the first one's for both);
 *   <li>the location is listed again and every planned file must be there with its planned size and
 *       version (ETag, else modification time); files that arrived since are not read;
 *   <li>a planned file vanished or changed is {@link BadInputException} naming the file, since the
 *       attempt could not read what earlier attempts read. {@code cairn rerun <runId> --from
 *       <stage>} gives the stage its next generation, hence a new plan.
 * </ol>
 *
 * Stateless and thread-safe.
 */
public final class InputPlanner {
  private static final Logger LOG = LogManager.getLogger(InputPlanner.class);

  /** What one plan may take of a DynamoDB item's 400 KB. */
  static final long MAX_PLAN_BYTES = 350_000;

  private final CheckpointStore store;
  private final InputLister lister;
  private final Clock clock;

  public InputPlanner(CheckpointStore store, InputLister lister, Clock clock) {
    this.store = store;
    this.lister = lister;
    this.clock = clock;
  }

  /**
   * The frozen list of files of input {@code name} (at {@code location}) for {@code stage} at
   * {@code generation}, planned now if it was not yet.
   *
   * @throws BadInputException when the location does not exist or has no files (at planning), or a
   *     planned file vanished or changed (later)
   * @throws dev.cairn.RunHeldException when the lease was lost before the plan was recorded
   */
  public List<String> files(
      Lease lease, String stage, long generation, String name, String location) {
    String runId = lease.runId();
    Optional<InputPlan> recorded = store.findPlan(runId, stage, name, generation);
    if (recorded.isPresent() && !recorded.get().location().equals(location)) {
      return relocated(recorded.get(), location);
    }
    List<PlannedFile> listed = list(runId, stage, name, location, recorded);
    InputPlan plan;
    if (recorded.isEmpty()) {
      if (listed.isEmpty()) {
        throw InputErrors.noDataFiles(runId, stage, name, location);
      }
      long bytes =
          listed.stream().mapToLong(f -> f.path().length() + f.version().length() + 40).sum();
      if (bytes > MAX_PLAN_BYTES) {
        throw InputErrors.tooManyFilesToPlan(
            runId, stage, name, location, listed.size(), MAX_PLAN_BYTES);
      }
      plan =
          store.recordPlan(
              lease,
              new InputPlan(runId, stage, name, generation, location, listed, clock.instant()));
      LOG.info(
          "Input {} of stage {} planned: {} files, {} bytes, under {}; every attempt of this"
              + " stage reads exactly these",
          name,
          stage,
          plan.files().size(),
          plan.files().stream().mapToLong(PlannedFile::size).sum(),
          location);
    } else {
      plan = recorded.get();
    }
    verify(plan, listed);
    return plan.files().stream().map(PlannedFile::path).toList();
  }

  /**
   * The files of {@code plan} in this host's copy at {@code location}: a run identified by the
   * content of a fetched dataset may be resumed on a host that keeps that dataset elsewhere (the
   * only way a plan's location can differ from the one asked for, since a rerun that changes a
   * location plans anew). The copy must hold the same files, by path under their common directory,
   * with the same sizes; modification times differ between copies and are not compared.
   */
  private List<String> relocated(InputPlan plan, String location) {
    List<PlannedFile> here =
        list(plan.runId(), plan.stage(), plan.name(), location, Optional.empty());
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
            plan.runId(), plan.stage(), plan.name(), plan.location(), location, planned, found);
      }
    }
    LOG.info(
        "Input {} of stage {} was planned at {}; read from this host's copy at {} ({} files, same"
            + " names and sizes)",
        plan.name(),
        plan.stage(),
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

  private static void verify(InputPlan plan, List<PlannedFile> listed) {
    Map<String, PlannedFile> now = new HashMap<>();
    listed.forEach(f -> now.put(f.path(), f));
    for (PlannedFile planned : plan.files()) {
      PlannedFile current = now.remove(planned.path());
      if (current == null) {
        throw InputErrors.fileVanished(
            plan.runId(), plan.stage(), plan.name(), plan.plannedAt(), planned.path());
      }
      if (current.size() != planned.size() || !current.version().equals(planned.version())) {
        throw InputErrors.fileChanged(
            plan.runId(),
            plan.stage(),
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
          "Input {} of stage {}: {} files arrived after the plan and are not read (e.g. {})",
          plan.name(),
          plan.stage(),
          now.size(),
          now.keySet().iterator().next());
    }
  }
}
