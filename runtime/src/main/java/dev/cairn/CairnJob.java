package dev.cairn;

import java.util.List;

/**
 * A batch job whose stages Cairn checkpoints, so that a run killed at any instant resumes where it
 * left off.
 *
 * <p>Subclasses are stateless descriptions: {@link #stages(Parameters)} may be called more than
 * once per run and must return the same graph for the same parameters. Jobs are discovered with
 * {@link java.util.ServiceLoader}: list the class in {@code META-INF/services/dev.cairn.CairnJob}.
 *
 * <p>A run is one execution of a job for one set of effective parameters (explicit values plus
 * defaults). Running the same job with the same effective parameters again resumes that run instead
 * of starting a new one.
 */
public abstract class CairnJob {

  /** The job's stable name, used on the command line and in run ids ({@code [a-z0-9-]+}). */
  public abstract String name();

  /** One line saying what the job produces, shown by {@code cairn --help}. */
  public String description() {
    return "";
  }

  /**
   * The parameters this job accepts. A parameter not listed here is refused with a usage error, so
   * that a typo never silently starts a different run.
   */
  public List<Parameter> parameters() {
    return List.of();
  }

  /**
   * The stages of one run, in any order; dependencies decide the execution order (ties are broken
   * by the order of this list).
   *
   * @throws InvalidParameterException when a parameter's value cannot be used
   */
  public abstract List<Stage> stages(Parameters parameters);

  /**
   * How stage attempts that fail transiently are retried, unless a stage sets its own with {@link
   * Stage.Builder#retry(RetryPolicy)}. Defaults to {@link RetryPolicy#ofDefaults()}.
   */
  public RetryPolicy retryPolicy() {
    return RetryPolicy.ofDefaults();
  }
}
