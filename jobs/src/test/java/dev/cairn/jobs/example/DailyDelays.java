package dev.cairn.jobs.example;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import dev.cairn.CairnJob;
import dev.cairn.Input;
import dev.cairn.Output;
import dev.cairn.Parameter;
import dev.cairn.Parameters;
import dev.cairn.Stage;
import java.util.List;

/** The job-author example of README.md, compiled and checked so the README stays true. */
public final class DailyDelays extends CairnJob {
  @Override
  public String name() {
    return "daily-delays";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(Parameter.location("flights", "Parquet of flights"));
  }

  @Override
  public List<Stage> stages(Parameters params) {
    return List.of(
        Stage.named("clean")
            .reads(Input.files("flights")) // planned once per run
            .output(Output.table("flights_clean").partitionedBy("flight_date"))
            .compute(
                ctx ->
                    ctx.spark()
                        .read()
                        .parquet(ctx.files("flights").toArray(String[]::new))
                        .where("origin IS NOT NULL")
                        .withColumn("flight_date", to_date(col("date")))),
        Stage.named("per_airport")
            .dependsOn("clean")
            .output(Output.table("airport_delays").mergeOn("flight_date", "origin"))
            .compute(
                ctx ->
                    ctx.input("clean") // read at clean's committed version
                        .groupBy("flight_date", "origin")
                        .agg(avg("delay").alias("avg_delay"))));
  }
}
