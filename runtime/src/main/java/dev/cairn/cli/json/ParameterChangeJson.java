package dev.cairn.cli.json;

import dev.cairn.internal.store.Rerun;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parameter's value before and after a rerun changed it; {@code before} is {@code ""} when it was
 * unset.
 */
public record ParameterChangeJson(String before, String after) {

  /** The changes by parameter name, in name order. */
  static Map<String, ParameterChangeJson> byName(Map<String, Rerun.ParameterChange> changes) {
    Map<String, ParameterChangeJson> json = new TreeMap<>();
    changes.forEach((name, c) -> json.put(name, new ParameterChangeJson(c.before(), c.after())));
    return json;
  }
}
