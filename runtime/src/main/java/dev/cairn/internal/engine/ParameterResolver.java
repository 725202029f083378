package dev.cairn.internal.engine;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.internal.errors.JobErrors;
import dev.cairn.internal.input.Locations;
import dev.cairn.internal.input.Locations.PlainPaths;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the parameters given on the command line into a run's effective parameters and the values
 * its identity is made of (see {@link Parameter} for what a location's identity is): {@code
 * place:<canonical location>} for a location, {@code content:<checksum>} for a location that is its
 * fetched default, the value as spelled for any other parameter.
 */
public final class ParameterResolver {
  private static final String CONTENT = "content:";
  private static final String PLACE = "place:";

  private ParameterResolver() {}

  /**
   * A run's parameters.
   *
   * @param values what the job reads: explicit values (locations in canonical form) plus defaults
   * @param identity what {@link RunIdentity} hashes, by name (sorted)
   */
  public record Resolved(Parameters values, Map<String, String> identity) {
    public Resolved {
      identity = Collections.unmodifiableSortedMap(new TreeMap<>(identity));
    }

    /** Parameters whose identity is their values as spelled (runs planned without a job's help). */
    public static Resolved asSpelled(Parameters values) {
      return new Resolved(values, values.asMap());
    }
  }

  /**
   * Explicit values plus defaults, with plain paths taken as local ones.
   *
   * @throws InvalidParameterException for an unknown parameter or a missing required one
   */
  public static Parameters resolve(
      CairnJob job, Map<String, String> given, JobEnvironment environment) {
    return resolve(job, given, environment, PlainPaths.LOCAL).values();
  }

  /**
   * Explicit values plus defaults, locations in canonical form.
   *
   * @throws InvalidParameterException for an unknown parameter or a missing required one
   */
  public static Resolved resolve(
      CairnJob job, Map<String, String> given, JobEnvironment environment, PlainPaths plainPaths) {
    Map<String, Parameter> declared =
        job.parameters().stream()
            .collect(Collectors.toMap(Parameter::name, p -> p, (a, b) -> a, TreeMap::new));
    for (String name : given.keySet()) {
      if (!declared.containsKey(name)) {
        throw JobErrors.unknownParameter(job.name(), name, declared.keySet());
      }
    }
    Map<String, String> effective = new TreeMap<>();
    Map<String, String> identity = new TreeMap<>();
    for (Parameter parameter : declared.values()) {
      String name = parameter.name();
      String value = given.get(name);
      Optional<Parameter.Fetched> dataset = parameter.defaultDataset(environment);
      if (value == null && dataset.isPresent()) {
        effective.put(name, Locations.canonical(dataset.get().location(), plainPaths).value());
        identity.put(name, CONTENT + dataset.get().checksum());
        continue;
      }
      if (value == null) {
        value = parameter.defaultValue(environment).orElse(null);
      }
      if (value == null && parameter.isRequired()) {
        throw JobErrors.missingParameter(job.name(), name, parameter.description());
      }
      if (value == null) {
        continue;
      }
      if (!parameter.isLocation() || value.isBlank()) { // a blank one is refused when read
        effective.put(name, value);
        identity.put(name, value);
        continue;
      }
      Locations.Canonical place = Locations.canonical(value, plainPaths);
      effective.put(name, place.value());
      boolean isTheDefault =
          dataset.isPresent()
              && Locations.canonical(dataset.get().location(), plainPaths)
                  .identity()
                  .equals(place.identity());
      identity.put(
          name, isTheDefault ? CONTENT + dataset.get().checksum() : PLACE + place.identity());
    }
    return new Resolved(Parameters.of(effective), identity);
  }

  /**
   * A rerun's parameter changes with each location in canonical form (values only: the run keeps
   * its identity).
   */
  public static Map<String, String> canonicalChanges(
      CairnJob job, Map<String, String> changes, PlainPaths plainPaths) {
    Map<String, String> canonical = new TreeMap<>(changes);
    for (Parameter parameter : job.parameters()) {
      String value = changes.get(parameter.name());
      if (parameter.isLocation() && value != null && !value.isBlank()) {
        canonical.put(parameter.name(), Locations.canonical(value, plainPaths).value());
      }
    }
    return canonical;
  }

  /**
   * The parameters a run continues with on this host: those it recorded, except each location the
   * run is identified by the content of its fetched default, which is read from this host's copy of
   * that dataset (wherever this host's data cache lies), unless a rerun set it.
   *
   * @param identity the run's identity values by name ({@link RunIdentity#values})
   * @param setByRerun parameters whose recorded value stands: a rerun gave it
   */
  public static Parameters onThisHost(
      CairnJob job,
      Map<String, String> identity,
      Map<String, String> recorded,
      Set<String> setByRerun,
      JobEnvironment environment,
      PlainPaths plainPaths) {
    Map<String, String> values = new TreeMap<>(recorded);
    for (Parameter parameter : job.parameters()) {
      String name = parameter.name();
      Optional<Parameter.Fetched> dataset = parameter.defaultDataset(environment);
      if (dataset.isPresent()
          && !setByRerun.contains(name)
          && (CONTENT + dataset.get().checksum()).equals(identity.get(name))) {
        values.put(name, Locations.canonical(dataset.get().location(), plainPaths).value());
      }
    }
    return Parameters.of(values);
  }
}
