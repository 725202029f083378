package dev.cairn;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A parameter a job accepts: required, optional, or with a default computed from the environment
 * (e.g. a path in the data cache).
 */
public final class Parameter {
  private final String name;
  private final String description;
  private final boolean required;
  private final Function<JobEnvironment, String> defaultValue;

  private Parameter(
      String name,
      String description,
      boolean required,
      Function<JobEnvironment, String> defaultValue) {
    if (name == null || !name.matches("[a-zA-Z][a-zA-Z0-9_.-]*")) {
      throw new IllegalArgumentException(
          "parameter name '" + name + "' must start with a letter and use [a-zA-Z0-9_.-]");
    }
    this.name = name;
    this.description = Objects.requireNonNull(description, "description");
    this.required = required;
    this.defaultValue = defaultValue;
  }

  /** A parameter every run must give. */
  public static Parameter required(String name, String description) {
    return new Parameter(name, description, true, null);
  }

  /** A parameter a run may leave out; it is then absent from {@link Parameters}. */
  public static Parameter optional(String name, String description) {
    return new Parameter(name, description, false, null);
  }

  /**
   * A parameter whose value, when not given, is computed from the environment. The computed value
   * is part of the run's identity, like an explicit one.
   */
  public static Parameter withDefault(
      String name, String description, Function<JobEnvironment, String> defaultValue) {
    return new Parameter(
        name, description, false, Objects.requireNonNull(defaultValue, "defaultValue"));
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public boolean isRequired() {
    return required;
  }

  /** The default for this environment, if the parameter has one. */
  public Optional<String> defaultValue(JobEnvironment environment) {
    return defaultValue == null ? Optional.empty() : Optional.of(defaultValue.apply(environment));
  }
}
