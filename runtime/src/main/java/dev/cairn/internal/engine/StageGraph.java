package dev.cairn.internal.engine;

import dev.cairn.Stage;
import dev.cairn.internal.errors.JobErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A job's stages checked as a DAG and put in execution order. */
public final class StageGraph {
  private final Map<String, Stage> stages;
  private final List<Stage> order;

  private StageGraph(Map<String, Stage> stages, List<Stage> order) {
    this.stages = stages;
    this.order = order;
  }

  /**
   * Checks names are unique, dependencies exist, there is no cycle, and no two stages write one
   * table; orders stages so that each follows its dependencies, ties broken by declaration order.
   */
  public static StageGraph of(String job, List<Stage> declared) {
    Map<String, Stage> byName = new LinkedHashMap<>();
    Map<String, String> tables = new HashMap<>();
    for (Stage stage : declared) {
      if (byName.put(stage.name(), stage) != null) {
        throw JobErrors.stageDeclaredTwice(job, stage.name());
      }
      String other = tables.put(stage.output().table(), stage.name());
      if (other != null) {
        throw JobErrors.tableWrittenTwice(job, other, stage.name(), stage.output().table());
      }
    }
    for (Stage stage : declared) {
      for (String dependency : stage.dependencies()) {
        if (!byName.containsKey(dependency)) {
          throw JobErrors.unknownDependency(job, stage.name(), dependency, byName.keySet());
        }
      }
    }
    List<Stage> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (order.size() < declared.size()) {
      Stage next = null;
      for (Stage stage : declared) {
        if (!done.contains(stage.name()) && done.containsAll(stage.dependencies())) {
          next = stage;
          break;
        }
      }
      if (next == null) {
        List<String> blocked = new ArrayList<>();
        declared.stream().filter(s -> !done.contains(s.name())).forEach(s -> blocked.add(s.name()));
        throw JobErrors.dependencyCycle(job, blocked);
      }
      order.add(next);
      done.add(next.name());
    }
    return new StageGraph(byName, List.copyOf(order));
  }

  /** Stages in execution order. */
  public List<Stage> order() {
    return order;
  }

  public Stage stage(String name) {
    return stages.get(name);
  }

  /** Stage names in execution order. */
  public List<String> names() {
    return order.stream().map(Stage::name).toList();
  }

  /**
   * {@code name} and every stage that depends on it, directly or through others, in execution
   * order: what a rerun from {@code name} must run again.
   */
  public List<Stage> downstreamOf(String name) {
    Set<String> affected = new HashSet<>();
    affected.add(name);
    List<Stage> downstream = new ArrayList<>();
    // Execution order puts every stage after its dependencies: one pass finds them all.
    for (Stage stage : order) {
      if (stage.name().equals(name) || stage.dependencies().stream().anyMatch(affected::contains)) {
        affected.add(stage.name());
        downstream.add(stage);
      }
    }
    return List.copyOf(downstream);
  }
}
