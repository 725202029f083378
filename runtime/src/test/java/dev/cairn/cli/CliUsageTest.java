package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.config.EmbeddedDynamoDb;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage errors: refused with exit code 2 and a message saying what to do, before the checkpoint
 * store is touched (so no store server is started for them).
 */
class CliUsageTest {
  @TempDir Path home;
  private Cli cli;

  @BeforeEach
  void cli() {
    cli = new Cli(home);
  }

  @AfterEach
  void noStoreWasStarted() {
    // A usage error must not start the embedded store; stop one anyway so a failure leaks nothing.
    boolean stopped = EmbeddedDynamoDb.stop(home);
    assertThat(stopped).as("a store server was started for a usage error").isFalse();
    assertThat(Files.exists(home.resolve("dynamodb"))).isFalse();
  }

  @Test
  void run_unknownJob_isAUsageError_namingTheJobsThereAre() {
    Cli.Result result = cli.run("run", "nosuchjob");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: no job named 'nosuchjob'. Fix: use one of: demo, other"
                + System.lineSeparator());
    assertThat(result.out()).isEmpty();
  }

  @Test
  void run_unknownParameter_isAUsageError_namingItAndTheAcceptedOnes() {
    Cli.Result result = cli.run("run", "demo", "-p", "date=2001-01-05", "-p", "nope=1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("cairn: job 'demo' has no parameter 'nope'")
        .contains("Fix: use one of: date, region");
  }

  @Test
  void run_unknownParameterOfJobWithoutParameters_saysToRunWithoutThem() {
    Cli.Result result = cli.run("run", "other", "--param", "date=2001-01-05");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("cairn: job 'other' has no parameter 'date'")
        .contains("Fix: run it without -p");
  }

  @Test
  void run_missingRequiredParameter_isAUsageError_sayingHowToGiveIt() {
    Cli.Result result = cli.run("run", "demo", "-p", "region=west");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("cairn: job 'demo' needs parameter 'date' (the day to load)")
        .contains("Fix: add -p date=<value>");
  }

  @Test
  void run_parameterWithoutValue_isRefusedByTheParser() {
    Cli.Result result = cli.run("run", "demo", "-p", "date");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("should be in KEY=VALUE format").contains("Usage: cairn run");
  }

  @Test
  void run_withoutJob_printsTheUsageOfRun() {
    Cli.Result result = cli.run("run");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("Missing required parameter: '<job>'")
        .contains("Usage: cairn run");
  }

  @Test
  void unknownCommand_isAUsageError() {
    Cli.Result result = cli.run("rewind", "demo");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Unmatched arguments").contains("rewind");
  }

  @Test
  void rerun_withoutFrom_isAUsageError_showingItsUsage() {
    Cli.Result result = cli.run("rerun", "demo-123");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("Missing required option: '--from=<from>'")
        .contains("Usage: cairn rerun");
  }

  @Test
  void rerun_jsonWithoutDryRun_isAUsageError() {
    Cli.Result result = cli.run("rerun", "demo-123", "--from", "clean", "--json");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: --json prints the plan of a --dry-run. Fix: add --dry-run, or leave out"
                + " --json"
                + System.lineSeparator());
  }

  @Test
  void runs_limitBelowOne_isAUsageError_withAnExample() {
    Cli.Result result = cli.run("runs", "--limit", "0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "cairn: --limit 0 must be at least 1. Fix: e.g. --limit 20" + System.lineSeparator());
    assertThat(result.out()).isEmpty();
  }

  @Test
  void runs_limitBelowOne_isRefusedBeforeAnyRuntimeIsBuilt() {
    Cli.Result result = cli.run("runs", "--limit", "-3");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--limit -3 must be at least 1");
    assertThat(cli.runtimesBuilt()).isZero();
  }

  @Test
  void runs_limitNotANumber_isRefusedByTheParser() {
    Cli.Result result = cli.run("runs", "--limit", "many");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Invalid value for option '--limit'").contains("'many'");
  }

  @Test
  void help_listsTheCommandsAndTheExitCodes() {
    Cli.Result result = cli.run("--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("Usage: cairn")
        .containsPattern("(?m)^\\s+run\\s+Start the run of a job")
        .containsPattern("(?m)^\\s+resume\\s+Continue a run")
        .containsPattern("(?m)^\\s+status\\s+A run's stages")
        .containsPattern("(?m)^\\s+runs\\s+List runs")
        .contains("Exit codes:")
        .containsPattern("(?m)^\\s+0\\s+success")
        .containsPattern("(?m)^\\s+1\\s+failed \\(permanent\\)")
        .containsPattern("(?m)^\\s+2\\s+usage error")
        .containsPattern("(?m)^\\s+3\\s+the run is held by another driver")
        .containsPattern("(?m)^\\s+4\\s+state unknown; `cairn resume` decides")
        .containsPattern("(?m)^\\s+75\\s+interrupted; resume later");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void helpOfStatus_documentsTheJsonOption() {
    Cli.Result result = cli.run("help", "status");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage: cairn status").contains("--json").contains("<runId>");
  }

  @Test
  void run_masterThatIsNotAMasterUrl_isAUsageError_namingTheFormsThereAre() {
    Cli.Result result =
        cli.run("run", "demo", "-p", "date=2001-01-05", "--master", "127.0.0.1:7077");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith(
            "cairn: --master '127.0.0.1:7077' is not a Spark master URL. Fix: use local[*] (this"
                + " JVM), spark://host:7077 (a standalone master), yarn (EMR)");
  }

  @Test
  void helpOfRunAndResume_documentsTheMasterOption() {
    for (String command : new String[] {"run", "resume"}) {
      Cli.Result result = cli.run("help", command);

      assertThat(result.exitCode()).isZero();
      assertThat(result.out()).contains("--master=<url>").contains("Wins over CAIRN_SPARK_MASTER");
    }
  }
}
