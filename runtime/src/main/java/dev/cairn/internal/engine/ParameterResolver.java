package dev.cairn.internal.engine;

import dev.cairn.CairnJob;
import dev.cairn.InvalidParameterException;
import dev.cairn.JobEnvironment;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.internal.errors.JobErrors;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Turns the parameters given on the command line into a run's effective parameters. */
public final class ParameterResolver {
  private ParameterResolver() {}

  /**
   * Explicit values plus defaults.
   *
   * @throws InvalidParameterException for an unknown parameter or a missing required one
   */
  public static Parameters resolve(
      CairnJob job, Map<String, String> given, JobEnvironment environment) {
    Map<String, Parameter> declared =
        job.parameters().stream()
            .collect(Collectors.toMap(Parameter::name, p -> p, (a, b) -> a, TreeMap::new));
    for (String name : given.keySet()) {
      if (!declared.containsKey(name)) {
        throw JobErrors.unknownParameter(job.name(), name, declared.keySet());
      }
    }
    Map<String, String> effective = new TreeMap<>();
    for (Parameter parameter : declared.values()) {
      String value = given.get(parameter.name());
      if (value == null) {
        value = parameter.defaultValue(environment).orElse(null);
      }
      if (value == null && parameter.isRequired()) {
        throw JobErrors.missingParameter(job.name(), parameter.name(), parameter.description());
      }
      if (value != null) {
        effective.put(parameter.name(), value);
      }
    }
    return Parameters.of(effective);
  }
}
