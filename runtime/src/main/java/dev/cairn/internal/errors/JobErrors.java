package dev.cairn.internal.errors;

import dev.cairn.InvalidParameterException;
import java.util.Collection;
import java.util.List;

/**
 * Errors in what a job declares (its stages, their dependencies and tables) and in the parameters a
 * run or a rerun is given for it. Each is an {@link InvalidParameterException} (class {@link
 * dev.cairn.FailureClass#PERMANENT}, exit code 2): the same job with the same parameters fails the
 * same way.
 */
public final class JobErrors {
  private JobErrors() {}

  /** Job {@code job} declares stage {@code stage} twice. */
  public static InvalidParameterException stageDeclaredTwice(String job, String stage) {
    return invalidJob(job, "declares stage '" + stage + "' twice", "rename one of them");
  }

  /** Stages {@code first} and {@code second} of job {@code job} both write table {@code table}. */
  public static InvalidParameterException tableWrittenTwice(
      String job, String first, String second, String table) {
    return invalidJob(
        job,
        "stages '" + first + "' and '" + second + "' both write table '" + table + "'",
        "give each stage its own output table");
  }

  /**
   * Stage {@code stage} of job {@code job} depends on a stage the job does not declare.
   *
   * @param declared the job's stages, in declaration order
   */
  public static InvalidParameterException unknownDependency(
      String job, String stage, String dependency, Collection<String> declared) {
    return invalidJob(
        job,
        "stage '" + stage + "' depends on unknown stage '" + dependency + "'",
        "declare it, or use one of: " + String.join(", ", declared));
  }

  /**
   * The stages of job {@code job} depend on each other in a cycle.
   *
   * @param blocked the stages that could not be ordered, in declaration order
   */
  public static InvalidParameterException dependencyCycle(String job, List<String> blocked) {
    return invalidJob(
        job, "has a dependency cycle among stages " + blocked, "remove one dependency");
  }

  /**
   * {@code cairn run -p name=...}: job {@code job} has no parameter {@code name}.
   *
   * @param declared the job's parameters, in the order to list them
   */
  public static InvalidParameterException unknownParameter(
      String job, String name, Collection<String> declared) {
    return unknownParameter(job, name, declared, "run it without -p");
  }

  /**
   * {@code cairn rerun -p name=...}: job {@code job} has no parameter {@code name}.
   *
   * @param declared the job's parameters, in the order to list them
   */
  public static InvalidParameterException unknownRerunParameter(
      String job, String name, Collection<String> declared) {
    return unknownParameter(job, name, declared, "rerun it without -p");
  }

  /** Job {@code job} needs parameter {@code name}, and it has no value nor default. */
  public static InvalidParameterException missingParameter(
      String job, String name, String description) {
    return new InvalidParameterException(
        "job '" + job + "' needs parameter '" + name + "' (" + description + ")",
        "add -p " + name + "=<value>");
  }

  /** {@code cairn rerun -p name=} gives parameter {@code name} no value. */
  public static InvalidParameterException rerunParameterWithoutValue(String name) {
    return new InvalidParameterException(
        "-p " + name + "= gives parameter '" + name + "' no value",
        "a rerun changes a parameter's value, e.g. -p " + name + "=<value>; it cannot remove it");
  }

  /**
   * Run {@code runId} of job {@code job} has no stage {@code from} to rerun from.
   *
   * @param stages the job's stages, in execution order
   */
  public static InvalidParameterException noStageToRerunFrom(
      String runId, String job, String from, Collection<String> stages) {
    return new InvalidParameterException(
        "run " + runId + " (job " + job + ") has no stage '" + from + "'",
        "rerun from one of its stages: " + String.join(", ", stages));
  }

  /**
   * A rerun from {@code from} would invalidate {@code stages} stages, more than one rerun may.
   *
   * @param maxStages how many stages one rerun invalidates at most
   */
  public static InvalidParameterException rerunTooWide(String from, int stages, int maxStages) {
    return new InvalidParameterException(
        "a rerun from stage '"
            + from
            + "' would invalidate "
            + stages
            + " stages; one rerun invalidates at most "
            + maxStages,
        "rerun from a stage further downstream");
  }

  private static InvalidParameterException unknownParameter(
      String job, String name, Collection<String> declared, String fixWhenNone) {
    return new InvalidParameterException(
        "job '" + job + "' has no parameter '" + name + "'",
        declared.isEmpty() ? fixWhenNone : "use one of: " + String.join(", ", declared));
  }

  private static InvalidParameterException invalidJob(String job, String problem, String fix) {
    return new InvalidParameterException("job '" + job + "' " + problem, fix);
  }
}
