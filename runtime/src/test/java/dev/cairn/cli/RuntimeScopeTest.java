package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.internal.metrics.EmbeddedMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Every command runs in one {@link RuntimeScope}: one runtime, closed when the command ends, and
 * the metric lines of its runs in {@code $CAIRN_HOME/logs/metrics.emf}, never on the console.
 * Checked with a test subcommand that reports a run's end as the engine does (a real run would need
 * Spark).
 */
class RuntimeScopeTest {
  @TempDir Path home;
  private Cli cli;
  private final List<String> elsewhere = new CopyOnWriteArrayList<>();
  private EmbeddedMetrics.Sink original;

  @BeforeEach
  void recordWhatGoesElsewhere() {
    cli = new Cli(home);
    original = EmbeddedMetrics.routeTo(elsewhere::add);
  }

  @AfterEach
  void restore() {
    EmbeddedMetrics.routeTo(original);
  }

  /** Ends a run named by its argument, as the engine does at the end of a run. */
  @Command(name = "emit")
  static final class Emit extends CliCommand {
    @CommandLine.Parameters(index = "0")
    String runId;

    @Override
    public Integer call() {
      runtime();
      EmbeddedMetrics.runEnded(Instant.EPOCH, "demo", runId, "SUCCEEDED", 1234);
      out().println("Run " + runId + " SUCCEEDED");
      return done();
    }
  }

  private record Result(int exitCode, String out, String err) {}

  private Result run(RuntimeScope.LogFormat format, String... args) {
    CommandLine commandLine = CairnCli.commandLine(cli::newRuntime, format);
    commandLine.addSubcommand("emit", new Emit());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void metricLines_ofACommandsRuns_areAppendedToTheMetricsFile_notPrinted() throws Exception {
    Result first = run(RuntimeScope.LogFormat.TEXT, "emit", "demo-1");
    Result second = run(RuntimeScope.LogFormat.TEXT, "emit", "demo-2");

    assertThat(first.exitCode()).isZero();
    assertThat(first.out()).isEqualTo("Run demo-1 SUCCEEDED" + System.lineSeparator());
    assertThat(first.err()).isEmpty();
    assertThat(second.out()).doesNotContain("_aws");
    List<String> lines = Files.readAllLines(home.resolve("logs").resolve("metrics.emf"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .startsWith("{\"_aws\":{\"Timestamp\":0,")
        .contains("\"runId\":\"demo-1\"", "\"RunSucceeded\":1", "\"RunDurationMs\":1234");
    assertThat(lines.get(1)).contains("\"runId\":\"demo-2\"");
    assertThat(elsewhere).isEmpty();
  }

  @Test
  void afterTheCommand_metricLinesGoWhereTheyWentBefore() {
    run(RuntimeScope.LogFormat.TEXT, "emit", "demo-1");

    EmbeddedMetrics.runEnded(Instant.EPOCH, "demo", "outside", "FAILED", 1);

    assertThat(elsewhere).singleElement().asString().contains("\"runId\":\"outside\"");
  }

  @Test
  void jsonLogFormat_sendsMetricLinesToTheLog_andWritesNoFile() {
    Result result = run(RuntimeScope.LogFormat.JSON, "emit", "demo-1");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).doesNotContain("_aws");
    assertThat(home.resolve("logs")).doesNotExist();
    assertThat(elsewhere).isEmpty();
  }

  @Test
  void aCommandThatNeedsNoRuntime_buildsNoneAndWritesNoFile() {
    Result result = run(RuntimeScope.LogFormat.TEXT, "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(cli.runtimesBuilt()).isZero();
    assertThat(home.resolve("logs")).doesNotExist();
  }

  @Test
  void logFormat_isJsonOnlyWhenTheLauncherSaysSo() {
    assertThat(RuntimeScope.LogFormat.fromEnvironment(java.util.Map.of("CAIRN_LOG_FORMAT", "json")))
        .isEqualTo(RuntimeScope.LogFormat.JSON);
    assertThat(RuntimeScope.LogFormat.fromEnvironment(java.util.Map.of("CAIRN_LOG_FORMAT", "text")))
        .isEqualTo(RuntimeScope.LogFormat.TEXT);
    assertThat(RuntimeScope.LogFormat.fromEnvironment(java.util.Map.of()))
        .isEqualTo(RuntimeScope.LogFormat.TEXT);
  }
}
