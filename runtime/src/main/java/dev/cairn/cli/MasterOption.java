package dev.cairn.cli;

import dev.cairn.internal.config.CairnConfig;
import picocli.CommandLine.Option;

/** {@code --master}: the Spark master of the commands that run something (a picocli mixin). */
final class MasterOption {
  @Option(
      names = "--master",
      paramLabel = "<url>",
      description =
          "The Spark master: local[*], spark://host:7077, yarn, k8s://... Wins over"
              + " CAIRN_SPARK_MASTER (default: local[*]); under spark-submit, give it there.")
  String master;

  /** {@code config} with this master, if one was given. */
  CairnConfig apply(CairnConfig config) {
    return master == null ? config : config.withSparkMaster(master);
  }
}
