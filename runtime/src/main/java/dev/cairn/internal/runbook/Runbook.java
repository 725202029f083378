package dev.cairn.internal.runbook;

import dev.cairn.Stage;
import dev.cairn.internal.engine.StageGraph;
import dev.cairn.internal.store.LeaseState;
import dev.cairn.internal.store.RunRecord;
import dev.cairn.internal.store.StageRecord;
import dev.cairn.internal.store.StageStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code cairn runbook <runId>} prints: for each failed stage (or, when no stage failed, for
 * the run itself: a lease held or lost, an interruption, a success) its failure class, its message,
 * and the runbook entry of that class filled in for this run, so the commands it shows can be run
 * as they are.
 *
 * @param sections one per failed stage, or one for the run
 */
public record Runbook(RunRecord run, List<Section> sections) {

  /** The class of a run that is running, held by a live driver: there is nothing to recover. */
  public static final String RUNNING = "RUNNING";

  /** The class of a run that succeeded. */
  public static final String SUCCEEDED = "SUCCEEDED";

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@,+%-]+");

  public Runbook {
    sections = List.copyOf(sections);
  }

  /**
   * One situation and what to do about it.
   *
   * @param stage the failed stage, or empty for the run as a whole
   * @param failureClass e.g. {@code BAD_INPUT}
   * @param message the stage's error message or the run's reason
   * @param entry the runbook entry used
   * @param text the entry filled in for this run
   */
  public record Section(
      Optional<String> stage,
      String failureClass,
      String message,
      Runbooks.Entry entry,
      String text) {}

  /**
   * The runbook of {@code run}.
   *
   * @param stages its stages in execution order
   * @param graph the job's stages, when the job is on the classpath (for what is downstream)
   */
  public static Runbook of(
      RunRecord run,
      List<StageRecord> stages,
      LeaseState lease,
      Optional<StageGraph> graph,
      Runbooks entries) {
    List<Section> sections = new ArrayList<>();
    for (StageRecord stage : stages) {
      if (stage.status() == StageStatus.FAILED) {
        String failureClass = stage.errorClass().orElse("PERMANENT");
        String message = stage.errorMessage().orElse("");
        sections.add(
            section(run, stages, graph, entries, Optional.of(stage), failureClass, message));
      }
    }
    if (sections.isEmpty()) {
      String failureClass;
      String message = run.reason();
      switch (run.status()) {
        case SUCCEEDED -> failureClass = SUCCEEDED;
        case INTERRUPTED -> failureClass = "INTERRUPTED";
        case FAILED -> failureClass = run.reasonClass().map(Enum::name).orElse("default");
        default -> {
          if (lease == LeaseState.HELD) {
            failureClass = RUNNING;
          } else {
            failureClass = "INTERRUPTED";
            message =
                run.holder()
                    .map(
                        h ->
                            "the driver holding it ("
                                + h.describe()
                                + ") stopped without finishing"
                                + (lease == LeaseState.EXPIRED
                                    ? "; its lease expired at " + run.leaseExpiresAt()
                                    : "; that process is gone"))
                    .orElse("no driver holds it and it did not finish");
          }
        }
      }
      sections.add(section(run, stages, graph, entries, Optional.empty(), failureClass, message));
    }
    return new Runbook(run, sections);
  }

  private static Section section(
      RunRecord run,
      List<StageRecord> stages,
      Optional<StageGraph> graph,
      Runbooks entries,
      Optional<StageRecord> stage,
      String failureClass,
      String message) {
    Map<String, String> values = new HashMap<>();
    values.put("runId", run.runId());
    values.put("job", run.job());
    values.put("status", run.status().name());
    values.put("errorClass", failureClass);
    values.put("message", message);
    values.put("reason", run.reason());
    values.put("params", flags(run.parameters()));
    values.put("holder", run.holder().map(h -> h.describe()).orElse(""));
    values.put("stages", stages.stream().map(StageRecord::stage).collect(Collectors.joining(", ")));
    values.put("firstStage", stages.isEmpty() ? "" : stages.get(0).stage());
    stage.ifPresent(
        s -> {
          values.put("stage", s.stage());
          values.put("table", s.outputTable());
          values.put(
              "downstream",
              graph
                  .map(
                      g ->
                          g.downstreamOf(s.stage()).stream()
                              .map(Stage::name)
                              .filter(n -> !n.equals(s.stage()))
                              .collect(Collectors.joining(", ")))
                  .orElse(""));
        });
    inputParameter(run.parameters(), message)
        .ifPresent(
            p -> {
              values.put("inputParam", p.getKey());
              values.put("inputValue", p.getValue());
            });
    Runbooks.Entry entry = entries.entry(failureClass);
    return new Section(
        stage.map(StageRecord::stage),
        failureClass,
        message,
        entry,
        Runbooks.render(entry.template(), values));
  }

  /** The parameter whose value (a path, typically) the message names; the longest such value. */
  static Optional<Map.Entry<String, String>> inputParameter(
      Map<String, String> parameters, String message) {
    return new TreeMap<>(parameters)
        .entrySet().stream()
            .filter(p -> p.getValue().length() >= 3 && message.contains(p.getValue()))
            .max((a, b) -> Integer.compare(a.getValue().length(), b.getValue().length()));
  }

  /** The run's parameters as {@code -p} flags, sorted, quoted for a POSIX shell where needed. */
  static String flags(Map<String, String> parameters) {
    return new TreeMap<>(parameters)
        .entrySet().stream()
            .map(p -> "-p " + shellQuoted(p.getKey() + "=" + p.getValue()))
            .collect(Collectors.joining(" "));
  }

  static String shellQuoted(String word) {
    return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
