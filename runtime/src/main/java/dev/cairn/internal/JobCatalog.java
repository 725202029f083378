package dev.cairn.internal;

import dev.cairn.CairnJob;
import dev.cairn.internal.errors.ConfigErrors;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The jobs on the classpath, found through {@code META-INF/services/dev.cairn.CairnJob}. */
public final class JobCatalog {
  private final Map<String, CairnJob> jobs;

  private JobCatalog(Map<String, CairnJob> jobs) {
    this.jobs = jobs;
  }

  public static JobCatalog fromClasspath() {
    Map<String, CairnJob> jobs = new TreeMap<>();
    ServiceLoader.load(CairnJob.class).forEach(job -> jobs.put(job.name(), job));
    return new JobCatalog(jobs);
  }

  public static JobCatalog of(List<CairnJob> list) {
    Map<String, CairnJob> jobs = new TreeMap<>();
    list.forEach(job -> jobs.put(job.name(), job));
    return new JobCatalog(jobs);
  }

  /** The job named {@code name}. */
  public CairnJob job(String name) {
    CairnJob job = jobs.get(name);
    if (job == null) {
      throw ConfigErrors.noSuchJob(name, jobs.keySet());
    }
    return job;
  }

  public List<CairnJob> all() {
    return List.copyOf(jobs.values());
  }
}
