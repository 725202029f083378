package dev.cairn.cli;

import dev.cairn.internal.CairnRuntime;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code cairn init}: creates or completes the checkpoint table and checks the warehouse. */
@Command(
    name = "init",
    description =
        "Create the checkpoint table (on-demand billing, TTL on finished runs) or complete an"
            + " existing one, and check the warehouse is writable. Safe to run again.")
final class InitCommand extends CliCommand {

  @Override
  public Integer call() {
    CairnRuntime runtime = runtime();
    CairnRuntime.InitReport report = runtime.init();
    PrintWriter out = out();
    out.println(report.table().describe());
    if (runtime.config().embeddedStore()) {
      out.printf(
          "        (embedded DynamoDB Local on 127.0.0.1, kept in %s)%n",
          runtime.config().home().resolve("dynamodb"));
    }
    out.println(report.warehouse().describe());
    return done();
  }
}
