package dev.cairn;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The effective parameters of one run: explicit values plus defaults. Immutable. */
public final class Parameters {
  private final Map<String, String> values;

  private Parameters(Map<String, String> values) {
    this.values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
  }

  /** Parameters holding exactly these values. */
  public static Parameters of(Map<String, String> values) {
    return new Parameters(values);
  }

  /** The value of a parameter the run must have. */
  public String require(String name) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      throw new InvalidParameterException(
          "parameter '" + name + "' is missing",
          "give it on the command line: -p " + name + "=<value>");
    }
    return value;
  }

  /** The value of a parameter the run may leave out. */
  public Optional<String> optional(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** All values, sorted by name. */
  public Map<String, String> asMap() {
    return values;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Parameters p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
