package dev.cairn.cli;

import dev.cairn.CairnJob;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import java.util.List;

/**
 * A job of three stages declared out of dependency order: {@code report} reads {@code clean}, which
 * reads {@code ingest}. The CLI tests never execute it (computing would need Spark), so each
 * compute fails loudly if called.
 */
final class DemoJob extends CairnJob {
  static final String NAME = "demo";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        Parameter.required("date", "the day to load"),
        Parameter.optional("region", "only this region"));
  }

  @Override
  public List<Stage> stages(Parameters parameters) {
    return List.of(
        stage("report", "daily_report", "clean"),
        stage("clean", "clean_flights", "ingest"),
        stage("ingest", "raw_flights"));
  }

  private static Stage stage(String name, String table, String... dependencies) {
    return Stage.named(name)
        .dependsOn(dependencies)
        .output(Output.table(table))
        .compute(
            context -> {
              throw new AssertionError("the CLI tests never compute stage " + name);
            });
  }

  /** A second job, so that lists of jobs have more than one entry. */
  static final class Other extends CairnJob {
    @Override
    public String name() {
      return "other";
    }

    @Override
    public List<Stage> stages(Parameters parameters) {
      return List.of(DemoJob.stage("only", "only_table"));
    }
  }
}
