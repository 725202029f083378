package dev.cairn.internal.input;

import dev.cairn.BadInputException;
import dev.cairn.CairnException;
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
    List<PlannedFile> listed = list(runId, stage, name, location, recorded);
    InputPlan plan;
    if (recorded.isEmpty()) {
      if (listed.isEmpty()) {
        throw new BadInputException(
            "input '" + name + "' of stage " + stage + " (" + location + ") has no data files",
            "put the files there, or give the job the right location, then `cairn resume "
                + runId
                + "`");
      }
      long bytes =
          listed.stream().mapToLong(f -> f.path().length() + f.version().length() + 40).sum();
      if (bytes > MAX_PLAN_BYTES) {
        throw new BadInputException(
            "input '"
                + name
                + "' of stage "
                + stage
                + " ("
                + location
                + ") has "
                + listed.size()
                + " files, more than one frozen plan holds (one checkpoint item of "
                + MAX_PLAN_BYTES
                + " bytes)",
            "compact the input into fewer, larger files, or point the job at a narrower path"
                + " (one partition), then `cairn resume "
                + runId
                + "`");
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

  private List<PlannedFile> list(
      String runId, String stage, String name, String location, Optional<InputPlan> recorded) {
    try {
      return lister.list(recorded.map(InputPlan::location).orElse(location));
    } catch (FileNotFoundException absent) {
      if (recorded.isPresent()) {
        return List.of(); // every planned file has vanished: said by verify, file by file
      }
      throw new BadInputException(
          "input '" + name + "' of stage " + stage + " (" + location + ") does not exist",
          "give the job the right location, then `cairn resume " + runId + "`",
          absent);
    } catch (IOException unreadable) {
      throw new CairnException(
          "cannot list input '"
              + name
              + "' of stage "
              + stage
              + " ("
              + location
              + "): "
              + unreadable.getMessage()
              + ". Fix: check that its file system is reachable and readable, then `cairn resume "
              + runId
              + "`",
          unreadable);
    }
  }

  private static void verify(InputPlan plan, List<PlannedFile> listed) {
    Map<String, PlannedFile> now = new HashMap<>();
    listed.forEach(f -> now.put(f.path(), f));
    String rerun = "`cairn rerun " + plan.runId() + " --from " + plan.stage() + "`";
    for (PlannedFile planned : plan.files()) {
      PlannedFile current = now.remove(planned.path());
      if (current == null) {
        throw new BadInputException(
            "input file "
                + planned.path()
                + " of '"
                + plan.name()
                + "', planned for stage "
                + plan.stage()
                + " of run "
                + plan.runId()
                + " at "
                + plan.plannedAt()
                + ", has vanished; the stage must read exactly the files it planned",
            "restore the file and `cairn resume "
                + plan.runId()
                + "`, or re-plan the stage on the files there now with "
                + rerun);
      }
      if (current.size() != planned.size() || !current.version().equals(planned.version())) {
        throw new BadInputException(
            "input file "
                + planned.path()
                + " of '"
                + plan.name()
                + "' changed since it was planned for stage "
                + plan.stage()
                + " of run "
                + plan.runId()
                + " at "
                + plan.plannedAt()
                + " (planned "
                + planned.size()
                + " bytes, "
                + planned.version()
                + "; now "
                + current.size()
                + " bytes, "
                + current.version()
                + "); the stage must read exactly the files it planned",
            "restore the planned file and `cairn resume "
                + plan.runId()
                + "`, or re-plan the stage on the files there now with "
                + rerun);
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
