package dev.cairn.faultproxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The proxy's command line, parsed; see {@link FaultProxy#main}. */
record CommandLine(FaultProxyConfig config, Path readyFile, Path statsFile) {
  static final String USAGE =
      "usage: FaultProxy --target http://127.0.0.1:PORT [--listen-port N] [--fault-rate 0.25]"
          + " [--faults "
          + Fault.allCliNames()
          + "] [--protocol dynamodb|s3] [--seed S] [--ready-file F] [--stats-file F]";
  private static final Set<String> OPTIONS =
      Set.of(
          "--target",
          "--listen-port",
          "--fault-rate",
          "--faults",
          "--protocol",
          "--seed",
          "--ready-file",
          "--stats-file");

  /** The options, or null if help was asked for. */
  static CommandLine parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        return null;
      }
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown argument '" + name + "'; " + USAGE);
      }
      if (i + 1 >= args.length || args[i + 1].isEmpty()) {
        throw new IllegalArgumentException(name + " needs a value; " + USAGE);
      }
      if (given.put(name, args[i + 1]) != null) {
        throw new IllegalArgumentException(name + " given twice: pass it once");
      }
    }
    String target = given.get("--target");
    if (target == null) {
      throw new IllegalArgumentException(
          "--target is required: pass the server to forward to, e.g. --target"
              + " http://127.0.0.1:8000");
    }
    FaultProxyConfig.Builder config =
        option("--target", () -> FaultProxyConfig.builder(uri(target)));
    if (given.containsKey("--listen-port")) {
      option("--listen-port", () -> config.listenPort(parseInt(given.get("--listen-port"))));
    }
    String rate = given.getOrDefault("--fault-rate", "0.25");
    option("--fault-rate", () -> config.faultRate(parseDouble(rate)));
    if (given.containsKey("--faults")) {
      option(
          "--faults",
          () -> {
            Set<Fault> faults = EnumSet.noneOf(Fault.class);
            for (String name : given.get("--faults").split(",")) {
              faults.add(Fault.ofCliName(name));
            }
            return config.faults(faults);
          });
    }
    if (given.containsKey("--protocol")) {
      option("--protocol", () -> config.protocol(Protocol.ofCliName(given.get("--protocol"))));
    }
    if (given.containsKey("--seed")) {
      option("--seed", () -> config.seed(parseLong(given.get("--seed"))));
    }
    return new CommandLine(
        option("--fault-rate", config::build),
        path(given.get("--ready-file")),
        path(given.get("--stats-file")));
  }

  /** Runs one option's parsing and validation; its error message starts with the option. */
  private static <T> T option(String name, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  private static URI uri(String value) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a URL: pass e.g. http://127.0.0.1:8000");
    }
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }

  private static int parseInt(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
  }

  private static double parseDouble(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a number: pass a share from 0 to 1, e.g. 0.25");
    }
  }
}
