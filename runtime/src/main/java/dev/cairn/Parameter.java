package dev.cairn;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A parameter a job accepts: required, optional, or with a default computed from the environment
 * (e.g. a path in the data cache).
 *
 * <p>A run's identity is its job and its parameters' values, so the same values resume the same
 * run. A {@link #location location} parameter is compared by the place it names, not by its
 * spelling: {@code x.parquet}, {@code ./x.parquet} and a symlink to it are one run, and the job
 * reads the canonical form (an absolute path with symlinks resolved, or a normalised URI). A
 * location defaulting to a {@link Fetched fetched dataset} is identified by the dataset's checksum,
 * so the same command is the same run on every host and for every user, wherever their data cache
 * lies.
 */
public final class Parameter {
  private final String name;
  private final String description;
  private final boolean required;
  private final boolean location;
  private final Function<JobEnvironment, String> defaultValue;
  private final Function<JobEnvironment, Fetched> defaultDataset;

  /**
   * A dataset fetched into the environment (e.g. by the launcher into the data cache) and verified
   * there against a pinned checksum.
   *
   * @param location where it lies on this host
   * @param checksum what names its content on every host, e.g. {@code sha256:dbeb920c…} (the
   *     runtime does not read the file to check it: whatever fetched it did)
   */
  public record Fetched(String location, String checksum) {
    public Fetched {
      Objects.requireNonNull(location, "location");
      if (checksum == null || checksum.isBlank()) {
        throw new IllegalArgumentException("a fetched dataset needs the checksum of its content");
      }
    }
  }

  private Parameter(
      String name,
      String description,
      boolean required,
      boolean location,
      Function<JobEnvironment, String> defaultValue,
      Function<JobEnvironment, Fetched> defaultDataset) {
    if (name == null || !name.matches("[a-zA-Z][a-zA-Z0-9_.-]*")) {
      throw new IllegalArgumentException(
          "parameter name '" + name + "' must start with a letter and use [a-zA-Z0-9_.-]");
    }
    this.name = name;
    this.description = Objects.requireNonNull(description, "description");
    this.required = required;
    this.location = location;
    this.defaultValue = defaultValue;
    this.defaultDataset = defaultDataset;
  }

  /** A parameter every run must give. */
  public static Parameter required(String name, String description) {
    return new Parameter(name, description, true, false, null, null);
  }

  /** A parameter a run may leave out; it is then absent from {@link Parameters}. */
  public static Parameter optional(String name, String description) {
    return new Parameter(name, description, false, false, null, null);
  }

  /**
   * A parameter whose value, when not given, is computed from the environment. The computed value
   * is part of the run's identity, like an explicit one.
   */
  public static Parameter withDefault(
      String name, String description, Function<JobEnvironment, String> defaultValue) {
    return new Parameter(
        name,
        description,
        false,
        false,
        Objects.requireNonNull(defaultValue, "defaultValue"),
        null);
  }

  /**
   * A file, directory or URI every run must give, identified by the place it names rather than by
   * its spelling (see the class doc).
   */
  public static Parameter location(String name, String description) {
    return new Parameter(name, description, true, true, null, null);
  }

  /**
   * A location that defaults to a dataset fetched into the environment; the run's identity then
   * holds the dataset's checksum, not where this host keeps it. Given explicitly, it is a location
   * like any other, unless it names the very place the default lies.
   */
  public static Parameter location(
      String name, String description, Function<JobEnvironment, Fetched> byDefault) {
    Objects.requireNonNull(byDefault, "byDefault");
    return new Parameter(
        name, description, false, true, env -> byDefault.apply(env).location(), byDefault);
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

  /** Whether the value names a location, compared by place rather than spelling. */
  public boolean isLocation() {
    return location;
  }

  /** The default for this environment, if the parameter has one. */
  public Optional<String> defaultValue(JobEnvironment environment) {
    return defaultValue == null ? Optional.empty() : Optional.of(defaultValue.apply(environment));
  }

  /**
   * The dataset a {@link #location(String, String, Function) location with a default} defaults to
   * in this environment, with its checksum.
   */
  public Optional<Fetched> defaultDataset(JobEnvironment environment) {
    return defaultDataset == null
        ? Optional.empty()
        : Optional.of(defaultDataset.apply(environment));
  }
}
