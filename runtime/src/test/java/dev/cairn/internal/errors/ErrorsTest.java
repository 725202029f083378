package dev.cairn.internal.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.BadInputException;
import dev.cairn.CairnException;
import dev.cairn.FailureClass;
import dev.cairn.InvalidParameterException;
import dev.cairn.RunHeldException;
import dev.cairn.RunInterruptedException;
import dev.cairn.StageFailedException;
import dev.cairn.StateUnknownException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The errors Cairn builds: each carries its failure class (or none, when its cause decides), names
 * what it is about and says how to fix it. Fast: no Spark, no store.
 */
class ErrorsTest {
  private static final Instant PLANNED_AT = Instant.parse("2026-12-04T10:15:30Z");

  // --- the public exceptions carry their class ---

  @Test
  void publicExceptions_carryTheirFailureClass() {
    assertThat(new BadInputException("p", "f").failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(new BadInputException("p", "f", new IOException("x")).failureClass())
        .contains(FailureClass.BAD_INPUT);
    assertThat(new InvalidParameterException("p", "f").failureClass())
        .contains(FailureClass.PERMANENT);
    assertThat(new RunHeldException("p").failureClass()).contains(FailureClass.LEASE_LOST);
    assertThat(new StateUnknownException("p", new IOException("x")).failureClass())
        .contains(FailureClass.STATE_UNKNOWN);
    assertThat(new RunInterruptedException("p").failureClass()).contains(FailureClass.INTERRUPTED);
  }

  @Test
  void cairnException_isUnclassifiedUnlessGivenAClass_soItsCauseDecides() {
    IOException cause = new IOException("503 Slow Down");
    assertThat(new CairnException("p").failureClass()).isEmpty();
    assertThat(new CairnException("p", cause).failureClass()).isEmpty();
    assertThat(new CairnException(FailureClass.TRANSIENT, "p").failureClass())
        .contains(FailureClass.TRANSIENT);
    CairnException classified = new CairnException(FailureClass.PERMANENT, "p", cause);
    assertThat(classified.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(classified).hasMessage("p").hasCause(cause);
    assertThatThrownBy(() -> new CairnException(null, "p"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("failureClass");
  }

  @Test
  void stageFailedException_carriesTheStageFailuresClass_orNoneFromTheOldConstructor() {
    Exception cause = new IllegalStateException("boom");
    StageFailedException unstated = new StageFailedException("clean", "stage clean failed", cause);
    assertThat(unstated.failureClass()).isEmpty();
    assertThat(unstated.stage()).isEqualTo("clean");
    StageFailedException bad =
        new StageFailedException("clean", FailureClass.BAD_INPUT, "stage clean failed", cause);
    assertThat(bad.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(bad).hasMessage("stage clean failed").hasCause(cause);
    assertThat(bad.stage()).isEqualTo("clean");
  }

  @Test
  void failureClass_onlyTransientIsRetryable() {
    for (FailureClass c : FailureClass.values()) {
      assertThat(c.retryable()).as(c.name()).isEqualTo(c == FailureClass.TRANSIENT);
    }
    assertThat(FailureClass.values())
        .extracting(Enum::name)
        .containsExactly(
            "TRANSIENT",
            "PERMANENT",
            "BAD_INPUT",
            "DATA_QUALITY",
            "STATE_UNKNOWN",
            "INTERRUPTED",
            "LEASE_LOST");
  }

  // --- configuration: PERMANENT, except where the cause decides ---

  @Test
  void config_aSettingThatCannotBeUsed_isAPermanentInvalidParameter() {
    InvalidParameterException table = ConfigErrors.notADynamoDbTableName("ab");
    assertThat(table.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(table)
        .hasMessage(
            "CAIRN_CHECKPOINT_TABLE='ab' is not a valid DynamoDB table name. Fix: use 3 to 255"
                + " characters from a-z, A-Z, 0-9, '_', '-' and '.'");
    assertThat(ConfigErrors.notANumberOfSeconds("CAIRN_LEASE_TTL_SECONDS", "2"))
        .hasMessage(
            "CAIRN_LEASE_TTL_SECONDS='2' is not a number of seconds >= 3. Fix: set it to e.g. 30");
    assertThat(ConfigErrors.notANumberOfDays("CAIRN_RETENTION_DAYS", "0"))
        .hasMessage(
            "CAIRN_RETENTION_DAYS='0' is not a number of days from 1 to 36500. Fix: set it to"
                + " e.g. 90");
    assertThat(ConfigErrors.notANumberOfAttempts("-Daws.maxAttempts", "x", 10))
        .hasMessage(
            "-Daws.maxAttempts='x' is not a number of attempts >= 1. Fix: set it to e.g. 10, or"
                + " unset it for the default");
    assertThat(ConfigErrors.notAnS3Endpoint("AWS_ENDPOINT_URL", "host:9000"))
        .hasMessage(
            "AWS_ENDPOINT_URL='host:9000' is not an http(s) URL. Fix: set it to the S3 endpoint,"
                + " e.g. http://127.0.0.1:9000 or https://s3.eu-west-1.amazonaws.com, or unset it"
                + " to use AWS's own");
    assertThat(ConfigErrors.sparkJarNotAFile("/no/app.jar"))
        .hasMessage(
            "CAIRN_SPARK_JARS names /no/app.jar, which is not a file. Fix: build the application"
                + " jar (`mvn -Dmaven.test.skip=true package` writes"
                + " jobs/target/cairn-jobs-app.jar) or point CAIRN_SPARK_JARS at yours");
  }

  @Test
  void config_sparkMaster_namesWhereItWasGiven() {
    assertThat(ConfigErrors.notASparkMaster("--master", "sprak://h:7077"))
        .hasMessage(
            "--master 'sprak://h:7077' is not a Spark master URL. Fix: use local[*] (this JVM),"
                + " spark://host:7077 (a standalone master), yarn (EMR) or k8s://https://host:443");
    InvalidParameterException conflict =
        ConfigErrors.masterDisagreesWithSparkSubmit("CAIRN_SPARK_MASTER", "local[2]", "yarn");
    assertThat(conflict.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(conflict)
        .hasMessage(
            "CAIRN_SPARK_MASTER 'local[2]' disagrees with the master spark-submit gave this"
                + " driver, 'yarn' (system property spark.master). Fix: give the master in one"
                + " place: spark-submit --master, and no CAIRN_SPARK_MASTER");
  }

  @Test
  void config_noSuchJob_listsTheJobsThere_orSaysToPutThemOnTheClasspath() {
    assertThat(ConfigErrors.noSuchJob("flights", List.of("a-job", "b-job")))
        .hasMessage("no job named 'flights'. Fix: use one of: a-job, b-job");
    InvalidParameterException none = ConfigErrors.noSuchJob("flights", List.of());
    assertThat(none.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(none)
        .hasMessage(
            "no job named 'flights'. Fix: put the jobs jar on the classpath (./cairn does)");
  }

  @Test
  void config_aWarehouseOrStoreThatFailsOnIo_isUnclassified_andKeepsItsCause() {
    IOException denied = new IOException("Access Denied");
    CairnException warehouse = ConfigErrors.warehouseNotWritable("s3a://b/w", denied);
    assertThat(warehouse.failureClass()).isEmpty();
    assertThat(warehouse)
        .hasCause(denied)
        .hasMessage(
            "warehouse s3a://b/w is not writable: IOException: Access Denied. Fix: check"
                + " CAIRN_WAREHOUSE, that the file system's scheme is on the classpath (s3a needs"
                + " hadoop-aws), and that the credentials allow creating and deleting files under"
                + " it (on S3: AWS_REGION, AWS_ENDPOINT_URL_S3 if not AWS's, and s3:PutObject,"
                + " s3:DeleteObject, s3:ListBucket on the prefix)");
    CairnException prepare = ConfigErrors.embeddedStoreNotPrepared(Path.of("/h/dynamodb"), denied);
    assertThat(prepare.failureClass()).isEmpty();
    assertThat(prepare)
        .hasCause(denied)
        .hasMessage(
            "cannot prepare the embedded checkpoint store in /h/dynamodb (Access Denied). Fix:"
                + " make CAIRN_HOME a writable local directory, or set CAIRN_CHECKPOINT_TABLE to"
                + " use DynamoDB");
    CairnException stop =
        ConfigErrors.embeddedStoreNotStopped(
            Path.of("/h"), Path.of("/h/dynamodb/server.properties"), denied);
    assertThat(stop.failureClass()).isEmpty();
    assertThat(stop)
        .hasMessage(
            "cannot stop the embedded checkpoint store in /h (Access Denied). Fix: stop the pid"
                + " in /h/dynamodb/server.properties by hand; it also exits by itself when idle");
    CairnException slow =
        ConfigErrors.embeddedStoreDidNotStart(90, Path.of("/h/dynamodb/server.log"));
    assertThat(slow.failureClass()).isEmpty();
    assertThat(slow)
        .hasMessage(
            "the embedded checkpoint store (DynamoDB Local) did not start within 90 s. Fix: read"
                + " /h/dynamodb/server.log for its error");
  }

  @Test
  void config_embeddedStoreWithoutItsJars_isPermanent() {
    CairnException notGiven = ConfigErrors.embeddedStoreJarsNotGiven();
    assertThat(notGiven.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(notGiven)
        .hasMessage(
            "the embedded checkpoint store needs the DynamoDB Local server's jars, and neither"
                + " -Dcairn.dynamodbLocal.lib nor CAIRN_DYNAMODB_LOCAL_LIB is set. Fix: start"
                + " Cairn with ./cairn, or set CAIRN_CHECKPOINT_TABLE to use DynamoDB");
    CairnException missing = ConfigErrors.embeddedStoreJarsMissing(Path.of("/lib"));
    assertThat(missing.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(missing)
        .hasMessage(
            "the DynamoDB Local server's jars are not in /lib. Fix: build them with `mvn -B -q"
                + " -DskipTests package` (./cairn does it on first use)");
  }

  // --- inputs: BAD_INPUT, except a listing that failed ---

  @Test
  void input_atPlanning_isBadInput_namingTheInputStageAndLocation() {
    BadInputException empty = InputErrors.noDataFiles("run-1", "clean", "flights", "s3a://b/in");
    assertThat(empty.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(empty)
        .hasMessage(
            "input 'flights' of stage clean (s3a://b/in) has no data files. Fix: put the files"
                + " there, or give the job the right location, then `cairn resume run-1`");
    BadInputException manifestGone =
        InputErrors.manifestMissing("run-1", "clean", "flights", "s3a://w/_cairn/inputs/m.jsonl");
    assertThat(manifestGone.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(manifestGone)
        .hasMessage(
            "the plan of input 'flights' (read by stage clean of run run-1) is kept in manifest"
                + " s3a://w/_cairn/inputs/m.jsonl, which does not exist (deleted by hand, or by a"
                + " cleanup of the warehouse's _cairn directory); without it the stage cannot read"
                + " what the run planned. Fix: restore the manifest from a backup and `cairn"
                + " resume run-1`, or re-plan the stage on the files there now with `cairn rerun"
                + " run-1 --from clean`");
    FileNotFoundException absent = new FileNotFoundException("s3a://b/in");
    BadInputException missing =
        InputErrors.inputMissing("run-1", "clean", "flights", "s3a://b/in", absent);
    assertThat(missing.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(missing)
        .hasCause(absent)
        .hasMessage(
            "input 'flights' of stage clean (s3a://b/in) does not exist. Fix: give the job the"
                + " right location, then `cairn resume run-1`");
  }

  @Test
  void input_aListingThatFailed_isUnclassified_soAThrottledListingStaysTransient() {
    IOException throttled = new IOException("503 Slow Down");
    CairnException error =
        InputErrors.inputNotListable("run-1", "clean", "flights", "s3a://b/in", throttled);
    assertThat(error.failureClass()).isEmpty();
    assertThat(error)
        .hasCause(throttled)
        .hasMessage(
            "cannot list input 'flights' of stage clean (s3a://b/in): 503 Slow Down. Fix: check"
                + " that its file system is reachable and readable, then `cairn resume run-1`");
  }

  @Test
  void input_aPlannedFileVanishedOrChanged_isBadInput_offeringResumeAndRerun() {
    BadInputException vanished =
        InputErrors.fileVanished("run-1", "clean", "flights", PLANNED_AT, "s3a://b/in/part-0");
    assertThat(vanished.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(vanished)
        .hasMessage(
            "input file s3a://b/in/part-0 of 'flights', planned for stage clean of run run-1 at"
                + " 2026-12-04T10:15:30Z, has vanished; the stage must read exactly the files it"
                + " planned. Fix: restore the file and `cairn resume run-1`, or re-plan the stage"
                + " on the files there now with `cairn rerun run-1 --from clean`");
    BadInputException changed =
        InputErrors.fileChanged(
            "run-1",
            "clean",
            "flights",
            PLANNED_AT,
            "s3a://b/in/part-0",
            200,
            "etag:\"b\"",
            201,
            "etag:\"b2\"");
    assertThat(changed.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(changed)
        .hasMessage(
            "input file s3a://b/in/part-0 of 'flights' changed since it was planned for stage"
                + " clean of run run-1 at 2026-12-04T10:15:30Z (planned 200 bytes, etag:\"b\"; now"
                + " 201 bytes, etag:\"b2\"); the stage must read exactly the files it planned. Fix:"
                + " restore the planned file and `cairn resume run-1`, or re-plan the stage on the"
                + " files there now with `cairn rerun run-1 --from clean`");
  }

  // --- tables: PERMANENT when the table's contents refuse the write ---

  @Test
  void table_aRerunOfAnAppendThatCannotBeDoneSafely_isPermanent() {
    CairnException leftLog = TableErrors.appendedCommitLeftTheLog("/w/t", "app", 1);
    assertThat(leftLog.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(leftLog)
        .hasMessage(
            "cannot replace the rows that generation 1 of app appended to /w/t: its commit is no"
                + " longer in the table's log (log retention cleaned it), so the files holding"
                + " those rows are unknown, and appending again would duplicate them. Nothing was"
                + " written. Fix: Cairn cannot do this safely; delete those rows from the table"
                + " yourself, then write them with a new run (`cairn run` with a parameter"
                + " changed), or leave the table as it is");
    CairnException rewritten = TableErrors.appendedFilesRewritten("/w/t", "app", 1, 7, 2, 3);
    assertThat(rewritten.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(rewritten)
        .hasMessage(
            "cannot replace the rows that generation 1 of app appended to /w/t (commit 7): 2 of"
                + " its 3 files were since rewritten or removed (OPTIMIZE, DELETE or another"
                + " writer), so its rows can no longer be removed exactly and appending again"
                + " would duplicate them. Nothing was written. Fix: Cairn cannot do this safely;"
                + " delete the rows that version 7 added yourself, then write them with a new run"
                + " (`cairn run` with a parameter changed), or leave the table as it is");
  }

  @Test
  void table_columnsThatDiffer_arePermanent_andListBothSides() {
    Map<String, String> rows = new TreeMap<>(Map.of("id", "BIGINT"));
    Map<String, String> table = new TreeMap<>(Map.of("id", "BIGINT", "name", "STRING"));
    CairnException chunk = TableErrors.chunkColumnsDiffer("/w/t", rows, table);
    assertThat(chunk.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(chunk)
        .hasMessage(
            "the rows to append to /w/t have columns {id=BIGINT} but the table has {id=BIGINT,"
                + " name=STRING}; a chunked stage publishes all its chunks in one commit, so"
                + " every chunk must have the table's columns (or, for a new table, its first"
                + " chunk's). Fix: make the stage's compute return the table's columns for every"
                + " chunk, then resume the run");
    assertThat(TableErrors.rerunAppendColumnsDiffer("/w/t", rows, table))
        .hasMessage(
            "the rows to append to /w/t have columns {id=BIGINT} but the table has {id=BIGINT,"
                + " name=STRING}; a rerun of an append replaces the previous rows in place and"
                + " needs the table's schema. Fix: make the stage produce the table's columns, or"
                + " rerun from a stage that overwrites the table");
  }

  @Test
  void table_stagedChunksThatCannotBePublished_arePermanent_andSayHowToWriteThemAgain() {
    CairnException missing = TableErrors.stagedChunkMissing("/w/t", "cairn:r:s#g1", 3);
    assertThat(missing.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(missing)
        .hasMessage(
            "cannot publish the chunks of cairn:r:s#g1 to /w/t: chunk 3 is recorded as staged but"
                + " its manifest under /w/t/_cairn/staged is missing or cut short. Nothing was"
                + " published. Fix: `cairn rerun <run> --from <stage>` writes the stage again from"
                + " its first chunk");
    assertThat(TableErrors.stagedFilesGone("/w/t", "cairn:r:s#g1", 2, "d=1/part-0.parquet"))
        .hasMessageStartingWith(
            "cannot publish the chunks of cairn:r:s#g1 to /w/t: chunk 2's staged file"
                + " d=1/part-0.parquet is gone (VACUUM removes files")
        .hasMessageEndingWith(
            "resume a chunked stage within the table's deletedFileRetentionDuration (7 days by"
                + " default)");
    assertThat(
            TableErrors.tableChangedSinceStaging("/w/t", "cairn:r:s#g1", "its columns are now {}"))
        .hasMessage(
            "cannot publish the chunks of cairn:r:s#g1 to /w/t: the table changed since they were"
                + " staged (its columns are now {}), so the files they wrote would not be read as"
                + " the table now is. Nothing was published. Fix: `cairn rerun <run> --from"
                + " <stage>` writes the stage again into the table as it is");
    assertThat(
            TableErrors.chunkedPredicateNotOnPartitions(
                "/w/t", "origin = 'SFO'", "origin", List.of("flight_date")))
        .hasMessage(
            "cannot write the chunks of /w/t with replaceWhere(origin = 'SFO'): it names column"
                + " 'origin', which the table is not partitioned by ([flight_date]); a chunked"
                + " stage replaces whole partitions in the commit that publishes it. Nothing was"
                + " written. Fix: partition the output by the predicate's columns"
                + " (Output.partitionedBy), or do not chunk the stage");
  }

  @Test
  void table_aWriteWhoseCommitIsNotInTheLog_isUnclassified() {
    CairnException error = TableErrors.writeLeftNoCommit("/w/t", "app", 2);
    assertThat(error.failureClass()).isEmpty();
    assertThat(error)
        .hasMessage(
            "the write to /w/t returned but its log holds no commit with transaction (app, 2)."
                + " Fix: check that nothing else rewrites the table's _delta_log, then resume the"
                + " run");
  }

  @Test
  void table_theFencesRefusal_namesWhatAndTheDriver() {
    assertThat(TableErrors.fencedCommitRefused("Delta commit /w/t/_delta_log/1.json", "host-a"))
        .isEqualTo(
            "refusing to publish Delta commit /w/t/_delta_log/1.json: driver host-a could not"
                + " renew its lease in time (frozen, paused or cut off from the checkpoint table),"
                + " so another driver may have taken the run over. Nothing was published. Fix:"
                + " check `cairn status`; `cairn resume` continues the run");
  }

  @Test
  void table_aTransactionWhoseCommitLeftTheLog_isUnclassified_andOffersARerun() {
    CairnException cleaned =
        TableErrors.commitCleanedFromLog(
            "s3://w/t", "cairn-r1-load", 3, " of chunk 2", "r1", "load");
    assertThat(cleaned.failureClass()).isEmpty();
    assertThat(cleaned)
        .hasMessage(
            "table s3://w/t holds transaction (cairn-r1-load, 3) of chunk 2 but its log no longer"
                + " has the commit (log retention cleaned it). Fix: `cairn rerun r1 --from load`"
                + " to write the stage again");
  }

  // --- runs and stages: each its own class ---

  @Test
  void run_unknownOrColliding_isAPermanentInvalidParameter() {
    InvalidParameterException none = RunErrors.noSuchRun("r1");
    assertThat(none.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(none).hasMessage("no run 'r1'. Fix: list runs with `cairn runs`");
    assertThat(RunErrors.noSuchRun("r1", "cairn-checkpoints"))
        .hasMessage(
            "no run 'r1' in checkpoint table cairn-checkpoints. Fix: list runs with `cairn runs`");
    assertThat(RunErrors.parametersCollide("r1", "daily|day=1"))
        .hasMessage(
            "run r1 exists with other parameters (daily|day=1). Fix: this is a run id collision;"
                + " change any parameter value to get a new run");
  }

  @Test
  void run_heldByAnotherDriver_isLeaseLost_namingTheHolderAndTheLease() {
    Instant since = PLANNED_AT;
    Instant expires = PLANNED_AT.plusSeconds(30);
    RunHeldException held = RunErrors.runHeld("r1", "host-a pid 42", since, expires);
    assertThat(held.failureClass()).contains(FailureClass.LEASE_LOST);
    assertThat(held)
        .hasMessage(
            "run r1 is held by host-a pid 42 since 2026-12-04T10:15:30Z (lease expires"
                + " 2026-12-04T10:16:00Z). Fix: wait for it to finish and check `cairn status r1`;"
                + " if that driver is dead on another host, run `cairn resume r1` after the lease"
                + " expires");
    assertThat(RunErrors.leaseStillRenewed("r1", "host-a pid 42", since, expires))
        .hasMessage(
            "run r1 is held by host-a pid 42 since 2026-12-04T10:15:30Z, and its lease is being"
                + " renewed (it expires 2026-12-04T10:16:00Z): that driver looks alive. Fix: stop"
                + " that driver; if you know it is dead (its machine is gone), `cairn lease break"
                + " r1 --force`");
    RunHeldException changed = RunErrors.changedWhileBreakingLease("r1");
    assertThat(changed.failureClass()).contains(FailureClass.LEASE_LOST);
    assertThat(changed)
        .hasMessage(
            "run r1 changed while its lease was being broken (another driver took it, or it"
                + " finished). Nothing was changed. Fix: check `cairn status r1` and try again if"
                + " still needed");
  }

  @Test
  void run_interrupted_isInterrupted_andSaysWhereItContinues() {
    RunInterruptedException stop = RunErrors.runInterrupted("r1", "spot notice", "load");
    assertThat(stop.failureClass()).contains(FailureClass.INTERRUPTED);
    assertThat(stop)
        .hasMessage(
            "run r1 was interrupted (spot notice). It is recorded INTERRUPTED and its lease is"
                + " released; committed stages stay committed. Fix: `cairn resume r1` (on this or"
                + " any machine) continues from stage load");
  }

  @Test
  void stage_failedForGood_carriesItsClass_andNamesTheAttemptsOnlyWhenRetryable() {
    IOException cause = new IOException("503 Slow Down");
    StageFailedException transientFailure =
        RunErrors.stageFailed("load", "r1", FailureClass.TRANSIENT, "S3 said slow down", 3, cause);
    assertThat(transientFailure.failureClass()).contains(FailureClass.TRANSIENT);
    assertThat(transientFailure.stage()).isEqualTo("load");
    assertThat(transientFailure)
        .hasCause(cause)
        .hasMessage(
            "stage 'load' of run r1 failed after 3 attempts (TRANSIENT): S3 said slow down."
                + " Nothing from it was published. Fix: check the service named above is healthy"
                + " (throttling, outage), then `cairn resume r1`; `cairn runbook r1` shows the"
                + " recovery commands");
    StageFailedException badInput =
        RunErrors.stageFailed("load", "r1", FailureClass.BAD_INPUT, "file x vanished", 3, cause);
    assertThat(badInput.failureClass()).contains(FailureClass.BAD_INPUT);
    assertThat(badInput)
        .hasMessage(
            "stage 'load' of run r1 failed (BAD_INPUT): file x vanished. Nothing from it was"
                + " published. Fix: correct the input named above, then `cairn resume r1`; `cairn"
                + " runbook r1` shows the recovery commands");
    assertThat(RunErrors.stageFailed("load", "r1", FailureClass.PERMANENT, "no column y", 3, cause))
        .hasMessageEndingWith(
            "Fix: correct the cause, then `cairn resume r1`; `cairn runbook r1` shows the"
                + " recovery commands");
    InterruptedException interrupted = new InterruptedException();
    StageFailedException waiting = RunErrors.interruptedWhileWaiting("load", "r1", interrupted);
    assertThat(waiting.failureClass()).isEmpty();
    assertThat(waiting)
        .hasCause(interrupted)
        .hasMessage(
            "stage 'load' of run r1 was interrupted while waiting to retry. Fix: `cairn resume"
                + " r1`");
  }

  // --- jobs, parameters and command options: PERMANENT ---

  @Test
  void job_aDeclarationThatCannotRun_isAPermanentInvalidParameter() {
    InvalidParameterException twice = JobErrors.stageDeclaredTwice("daily", "load");
    assertThat(twice.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(twice)
        .hasMessage("job 'daily' declares stage 'load' twice. Fix: rename one of them");
    assertThat(JobErrors.tableWrittenTwice("daily", "load", "clean", "events"))
        .hasMessage(
            "job 'daily' stages 'load' and 'clean' both write table 'events'. Fix: give each"
                + " stage its own output table");
    assertThat(JobErrors.unknownDependency("daily", "clean", "lod", List.of("load", "clean")))
        .hasMessage(
            "job 'daily' stage 'clean' depends on unknown stage 'lod'. Fix: declare it, or use"
                + " one of: load, clean");
    assertThat(JobErrors.dependencyCycle("daily", List.of("a", "b")))
        .hasMessage(
            "job 'daily' has a dependency cycle among stages [a, b]. Fix: remove one dependency");
  }

  @Test
  void job_parametersOfARunOrARerun_nameTheJobAndTheFix() {
    assertThat(JobErrors.unknownParameter("daily", "dya", List.of("day", "region")))
        .hasMessage("job 'daily' has no parameter 'dya'. Fix: use one of: day, region");
    assertThat(JobErrors.unknownParameter("daily", "day", List.of()))
        .hasMessage("job 'daily' has no parameter 'day'. Fix: run it without -p");
    assertThat(JobErrors.unknownRerunParameter("daily", "day", List.of()))
        .hasMessage("job 'daily' has no parameter 'day'. Fix: rerun it without -p");
    assertThat(JobErrors.missingParameter("daily", "day", "the day to load"))
        .hasMessage("job 'daily' needs parameter 'day' (the day to load). Fix: add -p day=<value>");
    assertThat(JobErrors.rerunParameterWithoutValue("day"))
        .hasMessage(
            "-p day= gives parameter 'day' no value. Fix: a rerun changes a parameter's value,"
                + " e.g. -p day=<value>; it cannot remove it");
    assertThat(JobErrors.noStageToRerunFrom("r1", "daily", "lod", List.of("load", "clean")))
        .hasMessage(
            "run r1 (job daily) has no stage 'lod'. Fix: rerun from one of its stages: load,"
                + " clean");
    InvalidParameterException wide = JobErrors.rerunTooWide("load", 91, 90);
    assertThat(wide.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(wide)
        .hasMessage(
            "a rerun from stage 'load' would invalidate 91 stages; one rerun invalidates at most"
                + " 90. Fix: rerun from a stage further downstream");
  }

  @Test
  void command_optionsThatCannotBeUsed_andATimeoutSetting_arePermanent() {
    assertThat(CommandErrors.limitBelowOne(0).failureClass()).contains(FailureClass.PERMANENT);
    assertThat(CommandErrors.limitBelowOne(0))
        .hasMessage("--limit 0 must be at least 1. Fix: e.g. --limit 20");
    assertThat(CommandErrors.notARunState("DONE"))
        .hasMessage(
            "--status DONE is not a run state. Fix: use one of RUNNING, SUCCEEDED, FAILED,"
                + " INTERRUPTED");
    assertThat(CommandErrors.jsonWithoutDryRun())
        .hasMessage(
            "--json prints the plan of a --dry-run. Fix: add --dry-run, or leave out --json");
    assertThat(ConfigErrors.notAWholeNumberOfSeconds("CAIRN_X_SECONDS", "-1", 30))
        .hasMessage(
            "environment variable CAIRN_X_SECONDS='-1' is not a number of seconds. Fix: set it to"
                + " a whole number, e.g. CAIRN_X_SECONDS=30");
  }

  // --- the checkpoint store ---

  private enum Status {
    PENDING,
    RUNNING,
    COMMITTED
  }

  @Test
  void store_aLostLease_isLeaseLost_andAnUnknownOutcome_isStateUnknown() {
    RunHeldException taken = StoreErrors.leaseLost("r1", 4, "renewing its lease", "host-b", 5);
    assertThat(taken.failureClass()).contains(FailureClass.LEASE_LOST);
    assertThat(taken)
        .hasMessage(
            "this driver lost run r1 while renewing its lease: the run is now held by host-b at"
                + " epoch 5, so this driver's writes are refused (epoch fencing). Fix: nothing to"
                + " do if the other driver is working; otherwise `cairn resume r1`");
    assertThat(StoreErrors.leaseLost("r1", 4, "renewing its lease", null, 0))
        .hasMessageContaining("the run is no longer held at epoch 4, so");
    IOException write = new IOException("timed out");
    IOException read = new IOException("connection refused");
    StateUnknownException unknown =
        StoreErrors.outcomeUnknown("the commit of stage 'load'", "cp", write, read);
    assertThat(unknown.failureClass()).contains(FailureClass.STATE_UNKNOWN);
    assertThat(unknown)
        .hasCause(read)
        .hasMessage(
            "the outcome of the commit of stage 'load' in checkpoint table cp is unknown: the"
                + " write failed (timed out) and reading it back failed too (connection refused)."
                + " Nothing was guessed. Fix: when DynamoDB is reachable again, run `cairn resume`"
                + " on the run; it reads the state and decides");
  }

  @Test
  void store_aTableThatIsNotCairns_isPermanent_andAnIndexStillBuilding_isUnclassified() {
    CairnException ttl = StoreErrors.ttlOnOtherAttribute("cp", "ttl", "expiresAt");
    assertThat(ttl.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(ttl)
        .hasMessage(
            "checkpoint table cp has TTL on attribute 'ttl', but Cairn expires finished runs with"
                + " 'expiresAt' (a table has one TTL attribute). Fix: give Cairn a table of its own"
                + " (CAIRN_CHECKPOINT_TABLE), or disable TTL on 'ttl' (aws dynamodb"
                + " update-time-to-live --table-name cp --time-to-live-specification"
                + " Enabled=false,AttributeName=ttl) and run `cairn init` again");
    CairnException foreign = StoreErrors.notACheckpointTable("cp", Map.of("id", "HASH"));
    assertThat(foreign.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(foreign)
        .hasMessage(
            "table cp exists but is not a Cairn checkpoint table: its key is {id=HASH}, expected"
                + " {pk=HASH, sk=RANGE}. Fix: set CAIRN_CHECKPOINT_TABLE to another name and run"
                + " `cairn init` to create it");
    assertThat(StoreErrors.ttlBeingDisabled("cp").failureClass()).isEmpty();
    CairnException building = StoreErrors.indexStillBuilding("runs", "cp", 10);
    assertThat(building.failureClass()).isEmpty();
    assertThat(building)
        .hasMessage(
            "index runs of checkpoint table cp is still being built after 10 minutes. Fix: run"
                + " `cairn init` again later; it waits for it");
    InterruptedException interrupted = new InterruptedException();
    assertThat(StoreErrors.interruptedWaitingForIndex("runs", "cp", interrupted))
        .hasCause(interrupted)
        .hasMessage(
            "interrupted while waiting for index runs of checkpoint table cp to be built. Fix:"
                + " run `cairn init` again; it waits for it");
  }

  @Test
  void store_theMessagesOfItsOwnTypes_nameTheRunAndTheFix() {
    assertThat(StoreErrors.readFailedMessage("run r1", "cp", "throttled"))
        .isEqualTo(
            "could not read run r1 from checkpoint table cp (throttled). Fix: check the table is"
                + " reachable (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, credentials) and try again");
    assertThat(StoreErrors.runNotCreatedMessage("r1", "cp"))
        .isEqualTo(
            "could not create run r1 in checkpoint table cp: the write did not land. Fix: check"
                + " the table is reachable, then run the same command again");
    assertThat(
            StoreErrors.stageTransitionRefusedMessage(
                "r1", "load", Status.COMMITTED, Status.RUNNING, List.of(Status.PENDING)))
        .isEqualTo(
            "stage 'load' of run r1 is COMMITTED and cannot move to RUNNING (allowed from"
                + " [PENDING]). Fix: check `cairn status r1`; another driver may have moved it");
    assertThat(StoreErrors.notPlannableMessage("r1", "load", 2, null, 0))
        .isEqualTo(
            "cannot freeze the chunk plan of stage 'load' of run r1 at generation 2: the stage is"
                + " not started. Fix: check `cairn status r1`; another driver may have moved it");
  }

  // --- runbooks ---

  @Test
  void runbook_noEntryAtAll_isPermanent_andAnUnreadableOne_isUnclassified() {
    CairnException none = RunbookErrors.noEntry("bad_input.md", Path.of("/h/runbooks"));
    assertThat(none.failureClass()).contains(FailureClass.PERMANENT);
    assertThat(none)
        .hasMessage(
            "no runbook entry bad_input.md and no default.md, neither in /h/runbooks nor bundled"
                + " in the runtime jar. Fix: reinstall Cairn (its jar bundles them), or put a"
                + " default.md in /h/runbooks");
    IOException denied = new IOException("Permission denied");
    CairnException unreadable =
        RunbookErrors.entryUnreadable(Path.of("/h/runbooks/bad_input.md"), denied);
    assertThat(unreadable.failureClass()).isEmpty();
    assertThat(unreadable)
        .hasCause(denied)
        .hasMessage(
            "cannot read runbook entry /h/runbooks/bad_input.md: Permission denied. Fix: make it"
                + " readable, or remove it to use the bundled one");
  }
}
