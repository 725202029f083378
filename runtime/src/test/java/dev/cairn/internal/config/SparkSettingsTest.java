package dev.cairn.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Cairn sets on its SparkSession, and what it leaves to spark-submit and -D options. */
class SparkSettingsTest {
  private static final String APP_JAR = "/opt/cairn/cairn-jobs-app.jar";

  @Test
  void localMaster_bindsLoopback_listsInputsOnTheDriver_shipsNothing_noDecommissioning() {
    Map<String, String> settings =
        Spark.settings("local[*]", List.of(APP_JAR), "cairn flights-daily", Map.of());

    assertThat(settings)
        .containsEntry("spark.master", "local[*]")
        .containsEntry("spark.app.name", "cairn flights-daily")
        .containsEntry("spark.sql.extensions", Spark.DELTA_EXTENSION)
        .containsEntry("spark.driver.bindAddress", "127.0.0.1")
        .containsEntry("spark.sql.shuffle.partitions", "8")
        .containsEntry("spark.sql.sources.parallelPartitionDiscovery.threshold", "1000000")
        .doesNotContainKeys("spark.jars", "spark.decommission.enabled");
  }

  @Test
  void clusterMaster_shipsTheJars_andDecommissionsLeavingExecutorsGracefully() {
    Map<String, String> settings =
        Spark.settings(
            "spark://10.0.0.5:7077", List.of(APP_JAR, "s3://b/x.jar"), "cairn j", Map.of());

    assertThat(settings)
        .containsEntry("spark.master", "spark://10.0.0.5:7077")
        .containsEntry("spark.jars", APP_JAR + ",s3://b/x.jar")
        .containsEntry("spark.decommission.enabled", "true")
        .containsEntry("spark.storage.decommission.enabled", "true")
        .containsEntry("spark.storage.decommission.rddBlocks.enabled", "true")
        .containsEntry("spark.storage.decommission.shuffleBlocks.enabled", "true")
        .doesNotContainKeys(
            "spark.driver.host",
            "spark.driver.bindAddress",
            "spark.sql.shuffle.partitions",
            "spark.sql.sources.parallelPartitionDiscovery.threshold");
  }

  @Test
  void settingsGivenAsSystemProperties_likeSparkSubmitsConfAndJars_areNotOverridden() {
    Map<String, String> given =
        Map.of(
            "spark.master", "yarn",
            "spark.jars", "s3://bucket/cairn-jobs-app.jar",
            "spark.app.name", "nightly flights",
            "spark.storage.decommission.shuffleBlocks.enabled", "false",
            "spark.sql.session.timeZone", "Europe/Paris");

    Map<String, String> settings = Spark.settings("yarn", List.of(APP_JAR), "cairn j", given);

    assertThat(settings)
        .doesNotContainKeys(
            "spark.master",
            "spark.jars",
            "spark.app.name",
            "spark.storage.decommission.shuffleBlocks.enabled",
            "spark.sql.session.timeZone")
        .containsEntry("spark.decommission.enabled", "true");
  }

  @Test
  void sparkSubmitsDefaultAppName_theMainClass_isReplacedByTheJobsName() {
    Map<String, String> settings =
        Spark.settings(
            "yarn",
            List.of(),
            "cairn flights-daily",
            Map.of("spark.app.name", "dev.cairn.cli.CairnCli"));

    assertThat(settings).containsEntry("spark.app.name", "cairn flights-daily");
  }

  @Test
  void givenExtensions_withoutDeltas_getDeltasAdded_withDeltas_areLeftAlone() {
    assertThat(
            Spark.settings(
                "yarn", List.of(), "cairn j", Map.of("spark.sql.extensions", "org.example.Ext")))
        .containsEntry("spark.sql.extensions", "org.example.Ext," + Spark.DELTA_EXTENSION);
    assertThat(
            Spark.settings(
                "yarn",
                List.of(),
                "cairn j",
                Map.of("spark.sql.extensions", Spark.DELTA_EXTENSION + ", org.example.Ext")))
        .doesNotContainKey("spark.sql.extensions");
  }

  @Test
  void aDriversSession_writesSparksEventLog_underCairnHome(@TempDir Path home) {
    Map<String, String> settings = Spark.eventLog(home, Map.of());

    assertThat(settings)
        .containsEntry("spark.eventLog.enabled", "true")
        .containsEntry("spark.eventLog.dir", home.resolve("spark-events").toUri().toString());
    assertThat(home.resolve("spark-events")).isDirectory();
  }

  @Test
  void aGivenEventLogDir_wins_andAGivenFalse_turnsTheEventLogOff(@TempDir Path home) {
    assertThat(Spark.eventLog(home, Map.of("spark.eventLog.dir", "s3a://logs/spark")))
        .containsExactly(Map.entry("spark.eventLog.enabled", "true"));
    assertThat(Spark.eventLog(home, Map.of("spark.eventLog.enabled", "false"))).isEmpty();
    assertThat(home.resolve("spark-events")).doesNotExist();
  }
}
