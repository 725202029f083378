package dev.cairn.internal.config;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** A Hadoop configuration as Spark builds one, for code that runs before Spark does. */
public final class HadoopConf {
  private HadoopConf() {}

  /**
   * {@code base}, then the {@code *-site.xml} files on the classpath and the {@code spark.hadoop.*}
   * settings ({@code spark-submit} passes them as system properties), which win.
   */
  public static Configuration asSparkBuildsIt(Map<String, String> base) {
    Configuration conf = new Configuration();
    base.forEach(conf::set);
    for (Map.Entry<Object, Object> p : System.getProperties().entrySet()) {
      String key = String.valueOf(p.getKey());
      if (key.startsWith("spark.hadoop.")) {
        conf.set(key.substring("spark.hadoop.".length()), String.valueOf(p.getValue()));
      }
    }
    return conf;
  }
}
