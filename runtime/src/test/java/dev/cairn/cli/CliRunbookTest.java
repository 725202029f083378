package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.FailureClass;
import dev.cairn.internal.CairnRuntime;
import dev.cairn.internal.config.EmbeddedDynamoDb;
import dev.cairn.internal.store.CheckpointStore;
import dev.cairn.internal.store.Lease;
import dev.cairn.internal.store.RunStatus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cairn runbook} in-process against the embedded checkpoint store: for a run left in each
 * failure class, it names the stage, the class and the message, and prints the recovery commands of
 * that class's entry filled in for the run.
 */
class CliRunbookTest {
  private static final String NL = System.lineSeparator();
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final Map<String, String> PARAMS =
      Map.of("date", "2001-01-05", "input", "/data/in/flights.parquet");

  private static Path home;
  private static Cli cli;
  private static CairnRuntime setup;
  private static CheckpointStore store;
  private static Checkpoints checkpoints;

  @BeforeAll
  static void startStore() throws Exception {
    home = Files.createTempDirectory("cairn-cli-runbook-test");
    cli = new Cli(home);
    setup = cli.newRuntime();
    store = setup.store();
    checkpoints = new Checkpoints(store);
  }

  @AfterAll
  static void stopStore() throws Exception {
    if (setup != null) {
      setup.close();
    }
    EmbeddedDynamoDb.stop(home);
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  @Test
  void badInput_namesTheInputParameter_andPrintsResumeAndARerunOnACorrectedCopy() {
    String message =
        "RuntimeException: file:/data/in/flights.parquet is not a Parquet file. Expected magic"
            + " number at tail, but found [0, 0, 0, 0]";
    String runId = failedRun("ingest", "raw_flights", "BAD_INPUT", message);

    String out = runbook(runId);

    assertThat(out)
        .startsWith(
            "Run     "
                + runId
                + "  (job demo)"
                + NL
                + "Status  FAILED"
                + NL
                + NL
                + "Stage ingest failed: BAD_INPUT"
                + NL
                + "    "
                + message
                + NL
                + "(runbook entry bad_input.md, bundled)"
                + NL
                + NL
                + "## BAD_INPUT: an input of stage `ingest` is unreadable")
        .contains("The input is parameter `input` = `/data/in/flights.parquet`.")
        .contains(NL + "       cairn resume " + runId + NL)
        .contains("`ingest` and what depends on it (clean, report) are written again")
        .contains(
            NL
                + "       cairn rerun "
                + runId
                + " --from ingest -p input=<corrected copy> --dry-run"
                + NL)
        .contains(
            NL + "       cairn rerun " + runId + " --from ingest -p input=<corrected copy>" + NL)
        .doesNotContain("{")
        .doesNotContain("<parameter>");
  }

  @Test
  void badInput_whoseMessageNamesNoParameter_asksForTheParameter() {
    String runId = failedRun("clean", "clean_flights", "BAD_INPUT", "column `delay` is a string");

    assertThat(runbook(runId))
        .doesNotContain("The input is parameter")
        .contains("cairn rerun " + runId + " --from clean -p <parameter>=<corrected copy>")
        .contains("`clean` and what depends on it (report) are written again");
  }

  @Test
  void transient_printsResumeAfterCheckingTheService() {
    String runId = failedRun("clean", "clean_flights", "TRANSIENT", "S3 SlowDown (503)");

    assertThat(runbook(runId))
        .contains("Stage clean failed: TRANSIENT" + NL + "    S3 SlowDown (503)" + NL)
        .contains("## TRANSIENT: stage `clean` kept failing")
        .contains(NL + "       cairn resume " + runId + NL);
  }

  @Test
  void permanent_printsResume_andHowToRerunWithAnotherParameterValue() {
    String runId =
        failedRun("clean", "clean_flights", "PERMANENT", "AnalysisException: no column `dly`");

    assertThat(runbook(runId))
        .contains("(runbook entry permanent.md, bundled)")
        .contains(NL + "       cairn resume " + runId + NL)
        .contains("`clean` and what depends on it (report)")
        .contains("cairn rerun " + runId + " --from clean -p <parameter>=<value> --dry-run");
  }

  @Test
  void permanent_whoseMessageNamesAnInput_offersARerunOnACorrectedCopyOfIt() {
    String runId =
        failedRun(
            "ingest",
            "raw_flights",
            "PERMANENT",
            "RuntimeException: file:/data/in/flights.parquet is not a Parquet file");

    assertThat(runbook(runId))
        .contains("The message names parameter `input` = `/data/in/flights.parquet`.")
        .contains(
            NL + "       cairn rerun " + runId + " --from ingest -p input=<corrected copy>" + NL)
        .doesNotContain("<parameter>");
  }

  @Test
  void dataQuality_printsResume() {
    String runId =
        failedRun("report", "daily_report", "DATA_QUALITY", "3 rows have a negative delay");

    assertThat(runbook(runId))
        .contains("## DATA_QUALITY: the rows of stage `report` failed a declared expectation")
        .contains(NL + "       cairn resume " + runId + NL);
  }

  @Test
  void stateUnknown_saysResumeDecides_andNotToRerun() {
    String runId = failedRun("clean", "clean_flights", "STATE_UNKNOWN", "read-back failed");

    assertThat(runbook(runId))
        .contains("## STATE_UNKNOWN")
        .contains(NL + "       cairn resume " + runId + NL)
        .contains("Do not rerun");
  }

  @Test
  void aClassWithNoEntry_getsTheDefaultEntry() {
    String runId = failedRun("clean", "clean_flights", "java.io.IOException", "disk full");

    assertThat(runbook(runId))
        .contains("Stage clean failed: java.io.IOException")
        .contains("(runbook entry default.md, bundled)")
        .contains("## java.io.IOException: the run did not finish")
        .contains("Stage `clean` failed; nothing from it was published.")
        .contains(NL + "       cairn resume " + runId + NL);
  }

  @Test
  void interruptedRun_printsItsReason_andResume() {
    String runId = checkpoints.openRun(T0, PARAMS);
    Lease lease = checkpoints.lease(runId, T0);
    checkpoints.committed(lease, "ingest", "raw_flights", 0, T0);
    store.finishRun(lease, RunStatus.INTERRUPTED, "spot instance-action: terminate", T0);

    assertThat(runbook(runId))
        .contains("Status  INTERRUPTED" + NL + NL + "INTERRUPTED" + NL)
        .contains("    spot instance-action: terminate" + NL)
        .contains("(runbook entry interrupted.md, bundled)")
        .contains(NL + "    cairn resume " + runId + NL);
  }

  @Test
  void runAbandonedByADriverWhoseLeaseExpired_isInterrupted_withResume() {
    String runId = checkpoints.openRun(T0, PARAMS);
    checkpoints.lease(runId, T0);

    assertThat(runbook(runId))
        .contains("Status  RUNNING" + NL + NL + "INTERRUPTED" + NL)
        .contains(
            "    the driver holding it (host test-host, pid 4242) stopped without finishing; its"
                + " lease expired at "
                + T0.plus(Checkpoints.TTL))
        .contains(NL + "    cairn resume " + runId + NL);
  }

  @Test
  void runThatLostItsLease_printsStatusAndResume() {
    String runId = checkpoints.openRun(T0, PARAMS);
    Lease lease = checkpoints.lease(runId, T0);
    store.finishRun(
        lease,
        RunStatus.FAILED,
        "this driver lost run "
            + runId
            + " while moving stage clean to COMMITTED: the run is now held by host other, pid 9"
            + " at epoch 2, so this driver's writes are refused (epoch fencing)",
        Optional.of(FailureClass.LEASE_LOST),
        T0);

    assertThat(runbook(runId))
        .contains(NL + "LEASE_LOST" + NL)
        .contains("(runbook entry lease_lost.md, bundled)")
        .contains(NL + "       cairn status " + runId + NL)
        .contains(NL + "       cairn resume " + runId + NL);
  }

  @Test
  void runFailedWithoutAClass_usesTheDefaultEntry_whateverItsReasonSays() {
    String runId = checkpoints.openRun(T0, PARAMS);
    Lease lease = checkpoints.lease(runId, T0);
    store.finishRun(lease, RunStatus.FAILED, "lost run (epoch fencing)", T0);

    assertThat(runbook(runId)).contains(NL + "default" + NL).doesNotContain("LEASE_LOST");
  }

  @Test
  void runInProgress_saysThereIsNothingToRecover() {
    Instant now = Instant.now();
    String runId = checkpoints.openRun(now, PARAMS);
    checkpoints.lease(runId, now);

    assertThat(runbook(runId))
        .contains(NL + "RUNNING" + NL)
        .contains("Run " + runId + " is held by host test-host, pid 4242, whose lease is current")
        .contains(NL + "    cairn status " + runId + NL);
  }

  @Test
  void succeededRun_showsHowToPlanARerun() {
    String runId = checkpoints.openRun(T0, PARAMS);
    Lease lease = checkpoints.lease(runId, T0);
    checkpoints.committed(lease, "ingest", "raw_flights", 0, T0);
    store.finishRun(lease, RunStatus.SUCCEEDED, "", T0);

    assertThat(runbook(runId))
        .contains("## The run succeeded")
        .contains(NL + "    cairn rerun " + runId + " --from ingest --dry-run" + NL);
  }

  @Test
  void anOperatorsEntry_isPreferredToTheBundledOne() throws Exception {
    Path own = home.resolve("runbooks");
    Files.createDirectories(own);
    Files.writeString(
        own.resolve("quota_exceeded.md"),
        "## {errorClass} in {stage}\n\nPage the data team, then:\n\n    cairn resume {runId} # {job}\n");
    String runId = failedRun("report", "daily_report", "QUOTA_EXCEEDED", "warehouse quota");

    String out = runbook(runId);

    assertThat(out)
        .contains(
            "(runbook entry quota_exceeded.md, from " + own.resolve("quota_exceeded.md") + ")")
        .endsWith(
            "## QUOTA_EXCEEDED in report"
                + NL
                + NL
                + "Page the data team, then:"
                + NL
                + NL
                + "    cairn resume "
                + runId
                + " # demo"
                + NL);
  }

  @Test
  void unknownRun_isAUsageError() {
    Cli.Result result = cli.run("runbook", "demo-nope");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo("cairn: no run 'demo-nope'. Fix: list runs with `cairn runs`" + NL);
  }

  /** A FAILED demo run: stages before {@code stage} committed, {@code stage} failed. */
  private static String failedRun(String stage, String table, String errorClass, String message) {
    String runId = checkpoints.openRun(T0, PARAMS);
    Lease lease = checkpoints.lease(runId, T0);
    Map<String, String> tables =
        Map.of("ingest", "raw_flights", "clean", "clean_flights", "report", "daily_report");
    for (String before : new String[] {"ingest", "clean", "report"}) {
      if (before.equals(stage)) {
        break;
      }
      checkpoints.committed(lease, before, tables.get(before), 0, T0);
    }
    checkpoints.failed(lease, stage, table, errorClass, message, T0);
    store.finishRun(lease, RunStatus.FAILED, "stage " + stage + " failed: " + message, T0);
    return runId;
  }

  private static String runbook(String runId) {
    Cli.Result result = cli.run("runbook", runId);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).isEmpty();
    return result.out();
  }
}
