package dev.cairn.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.InvalidParameterException;
import dev.cairn.internal.config.CairnConfig.MasterOrigin;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Spark master a driver uses, and which jars it ships, from where they were given. */
class SparkMasterConfigTest {
  private static final Map<String, String> NO_PROPERTIES = Map.of();

  @Test
  void nothingGiven_isLocalOnAllCores_shippingNothing() {
    CairnConfig config = CairnConfig.fromEnvironment(Map.of(), NO_PROPERTIES);

    assertThat(config.sparkMaster()).isEqualTo("local[*]");
    assertThat(config.sparkMasterOrigin()).isEqualTo(MasterOrigin.DEFAULT);
    assertThat(config.localMaster()).isTrue();
    assertThat(config.sparkJars()).isEmpty();
  }

  @Test
  void environment_givesTheMasterAndTheJars_relativeJarsMadeAbsolute() {
    CairnConfig config =
        CairnConfig.fromEnvironment(
            Map.of(
                "CAIRN_SPARK_MASTER",
                " spark://10.0.0.5:7077 ",
                "CAIRN_SPARK_JARS",
                "app.jar, s3://bucket/extra.jar,"),
            NO_PROPERTIES);

    assertThat(config.sparkMaster()).isEqualTo("spark://10.0.0.5:7077");
    assertThat(config.sparkMasterOrigin()).isEqualTo(MasterOrigin.ENVIRONMENT);
    assertThat(config.localMaster()).isFalse();
    assertThat(config.sparkJars())
        .containsExactly(Path.of("app.jar").toAbsolutePath().toString(), "s3://bucket/extra.jar");
  }

  @Test
  void masterOption_winsOverTheEnvironment() {
    CairnConfig config =
        CairnConfig.fromEnvironment(Map.of("CAIRN_SPARK_MASTER", "local[2]"), NO_PROPERTIES)
            .withSparkMaster("yarn");

    assertThat(config.sparkMaster()).isEqualTo("yarn");
    assertThat(config.sparkMasterOrigin()).isEqualTo(MasterOrigin.OPTION);
  }

  @Test
  void sparkSubmitsMaster_isTheMaster() {
    CairnConfig config =
        CairnConfig.fromEnvironment(Map.of(), Map.of("spark.master", "spark://emr:7077"));

    assertThat(config.sparkMaster()).isEqualTo("spark://emr:7077");
    assertThat(config.sparkMasterOrigin()).isEqualTo(MasterOrigin.SPARK_SUBMIT);
    assertThat(config.withSparkMaster("spark://emr:7077").sparkMaster())
        .isEqualTo("spark://emr:7077");
  }

  @Test
  void environmentMaster_disagreeingWithSparkSubmits_isRefused_notIgnored() {
    assertThatThrownBy(
            () ->
                CairnConfig.fromEnvironment(
                    Map.of("CAIRN_SPARK_MASTER", "local[*]"), Map.of("spark.master", "yarn")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "CAIRN_SPARK_MASTER 'local[*]' disagrees with the master spark-submit gave this"
                + " driver, 'yarn' (system property spark.master). Fix: give the master in one"
                + " place: spark-submit --master, and no CAIRN_SPARK_MASTER");
  }

  @Test
  void masterOption_disagreeingWithSparkSubmits_isRefused() {
    CairnConfig submitted = CairnConfig.fromEnvironment(Map.of(), Map.of("spark.master", "yarn"));

    assertThatThrownBy(() -> submitted.withSparkMaster("spark://127.0.0.1:7077"))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith(
            "--master 'spark://127.0.0.1:7077' disagrees with the master spark-submit gave this"
                + " driver, 'yarn'");
  }

  @Test
  void notAMasterUrl_isRefused_namingWhereItCameFromAndTheFormsThereAre() {
    assertThatThrownBy(
            () ->
                CairnConfig.fromEnvironment(
                    Map.of("CAIRN_SPARK_MASTER", "127.0.0.1:7077"), NO_PROPERTIES))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage(
            "CAIRN_SPARK_MASTER '127.0.0.1:7077' is not a Spark master URL. Fix: use local[*]"
                + " (this JVM), spark://host:7077 (a standalone master), yarn (EMR) or"
                + " k8s://https://host:443");
    CairnConfig config = CairnConfig.fromEnvironment(Map.of(), NO_PROPERTIES);
    assertThatThrownBy(() -> config.withSparkMaster("sprak://host:7077"))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("--master 'sprak://host:7077' is not a Spark master URL");
  }

  @Test
  void localForms_areLocal_clusterFormsAreNot() {
    assertThat(CairnConfig.isLocal("local")).isTrue();
    assertThat(CairnConfig.isLocal("local[4]")).isTrue();
    assertThat(CairnConfig.isLocal("local[*,3]")).isTrue();
    assertThat(CairnConfig.isLocal("local-cluster[2,1,1024]")).isFalse();
    assertThat(CairnConfig.isLocal("spark://127.0.0.1:7077")).isFalse();
    assertThat(CairnConfig.isLocal("yarn")).isFalse();
  }
}
