package dev.cairn.dynamodblocal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBServerHandler;

/**
 * Runs DynamoDB Local 3.3.1 as a separate process that only this machine can reach.
 *
 * <p>Usage: {@code LoopbackDynamoDbLocal --port N --db-path DIR [--ready-file FILE]
 * [--idle-exit-seconds S --clients-dir DIR]}.
 *
 * <ul>
 *   <li><b>Binding:</b> listens on {@code 127.0.0.1:N} only, never on other interfaces.
 *   <li><b>Persistence:</b> one shared database ({@code -sharedDb} semantics: every credential and
 *       region sees the same tables) in {@code DIR/shared-local-instance.db}; the directory is
 *       created if missing. Telemetry is never initialised.
 *   <li><b>Readiness:</b> once the port accepts connections, {@code --ready-file} is atomically
 *       replaced with {@code port=N} and {@code pid=P} lines; it is removed again on a clean stop.
 *   <li><b>Idle exit:</b> with {@code --idle-exit-seconds S > 0}, each client creates an empty file
 *       named by its pid in {@code --clients-dir}. Every 5 s files of dead pids are deleted; once
 *       no live client file has been seen for S seconds (counted from startup), the server stops.
 *   <li><b>Exit codes:</b> 0 after an idle exit, 1 if the server could not start (e.g. the port is
 *       taken), 2 on bad arguments (one line on stderr naming the argument and the fix). SIGTERM
 *       stops the server cleanly.
 * </ul>
 *
 * <p>Nothing is written to stdout; DynamoDB Local's own logging goes to stderr at WARN and above.
 */
public final class LoopbackDynamoDbLocal {

  private static final String HOST = "127.0.0.1";
  private static final long POLL_MILLIS = 5_000;
  private static final String USAGE =
      "usage: --port N --db-path DIR [--ready-file FILE] [--idle-exit-seconds S --clients-dir DIR]";
  private static final Set<String> OPTIONS =
      Set.of("--port", "--db-path", "--ready-file", "--idle-exit-seconds", "--clients-dir");

  // Held strongly: java.util.logging keeps loggers weakly, so a level set on an unreferenced
  // logger can be lost to GC before sqlite4java asks for it.
  private static final Logger SQLITE_LOG = Logger.getLogger("com.almworks.sqlite4java");

  private LoopbackDynamoDbLocal() {}

  public static void main(String[] args) throws InterruptedException {
    int port;
    Path dbPath;
    Path readyFile;
    long idleExitSeconds;
    Path clientsDir;
    try {
      Map<String, String> opts = parse(args);
      port = intOption(opts, "--port", -1, 1, 65535);
      dbPath = directoryOption(opts, "--db-path");
      readyFile = opts.containsKey("--ready-file") ? Path.of(opts.get("--ready-file")) : null;
      idleExitSeconds = intOption(opts, "--idle-exit-seconds", 0, 0, Integer.MAX_VALUE);
      clientsDir =
          opts.containsKey("--clients-dir") ? directoryOption(opts, "--clients-dir") : null;
      if (idleExitSeconds > 0 && clientsDir == null) {
        throw new IllegalArgumentException(
            "--idle-exit-seconds "
                + idleExitSeconds
                + " needs --clients-dir DIR: pass the directory where clients create pid files");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("cairn-dynamodb-local: " + e.getMessage());
      System.exit(2);
      return;
    }

    // Must run before any DynamoDB Local class is loaded: their static loggers would otherwise
    // pick up the log4j2.xml inside DynamoDBLocal.jar, which logs to stdout.
    configureLogging();

    LocalDynamoDBRequestHandler requests;
    LocalDynamoDBServerHandler handler;
    Server jetty;
    try {
      // Mirrors ServerRunner.createServer for "-sharedDb -dbPath DIR" (authority level 0, not in
      // memory, no transient-status delays, no CORS) but skips Telemetry.configureTelemetry, so
      // telemetry is off by construction rather than by flag or environment variable.
      requests = new LocalDynamoDBRequestHandler(0, false, dbPath.toString(), true, false);
      // Opens the database (and loads sqlite4java's native library) now, so a broken native
      // library or an unusable db-path fails startup instead of the first client request.
      requests.listTables("cairn", "local", ListTablesRequest.builder().build());
      handler = new LocalDynamoDBServerHandler(requests, null);

      // Built here rather than via DynamoDBProxyServer: that class creates `new Server(port)`,
      // whose connector binds every interface, and keeps the Server in a private final field.
      // Building the same handler tree (ContextHandlerCollection > ContextHandler > handler, as in
      // DynamoDBProxyServer.setUpHandler) on our own connector sets the host with public API only.
      jetty = new Server();
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost(HOST);
      connector.setPort(port);
      jetty.addConnector(connector);
      ContextHandler context = new ContextHandler();
      context.setHandler(handler);
      jetty.setHandler(new ContextHandlerCollection(context));
      jetty.start();
    } catch (Exception | LinkageError e) {
      // LinkageError: a missing sqlite4java native library surfaces as ExceptionInInitializerError.
      System.err.println(
          "cairn-dynamodb-local: could not start on " + HOST + ":" + port + ": " + e);
      System.exit(1);
      return;
    }

    String readyContent = "port=" + port + "\npid=" + ProcessHandle.current().pid() + "\n";
    AtomicBoolean stopped = new AtomicBoolean();
    Server server = jetty;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (stopped.getAndSet(true)) {
                    return;
                  }
                  try {
                    server.stop();
                  } catch (Exception e) {
                    System.err.println("cairn-dynamodb-local: stopping Jetty failed: " + e);
                  }
                  // Closes SQLite cleanly instead of leaving journal recovery to the next start.
                  handler.close();
                  deleteReadyFileIfOurs(readyFile, readyContent);
                },
                "dynamodb-local-shutdown"));

    if (readyFile != null) {
      try {
        writeAtomically(readyFile, readyContent);
      } catch (IOException e) {
        System.err.println(
            "cairn-dynamodb-local: could not write --ready-file " + readyFile + ": " + e);
        System.exit(1);
      }
    }

    if (idleExitSeconds > 0) {
      awaitIdle(clientsDir, idleExitSeconds);
      System.exit(0); // the shutdown hook stops the server
    }
    jetty.join();
  }

  /** Returns once no live client pid file has been seen for {@code idleSeconds}. */
  private static void awaitIdle(Path clientsDir, long idleSeconds) throws InterruptedException {
    long idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    // Counting from startup gives the client that launched us time to register its pid file.
    long lastLive = System.nanoTime();
    while (true) {
      if (pruneAndCheckLiveClients(clientsDir)) {
        lastLive = System.nanoTime();
      } else if (System.nanoTime() - lastLive >= idleNanos) {
        return;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Deletes pid files of dead processes and reports whether any live client remains. */
  private static boolean pruneAndCheckLiveClients(Path clientsDir) {
    boolean anyLive = false;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(clientsDir)) {
      for (Path file : files) {
        long pid;
        try {
          pid = Long.parseLong(file.getFileName().toString());
        } catch (NumberFormatException e) {
          continue; // not a client registration (e.g. a client's temp file); leave it alone
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          anyLive = true;
        } else {
          // A client that crashed never removes its file; without this it would keep us alive.
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      // Treated as "no clients": if the directory stays unreadable we still exit after the idle
      // period instead of running forever.
      System.err.println(
          "cairn-dynamodb-local: cannot scan --clients-dir " + clientsDir + ": " + e);
    }
    return anyLive;
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    // Same directory as the target so the rename is atomic: readers see no file or a whole one.
    Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void deleteReadyFileIfOurs(Path readyFile, String ourContent) {
    if (readyFile == null) {
      return;
    }
    try {
      // Another server may have replaced the file since; only remove our own announcement.
      if (Files.exists(readyFile) && Files.readString(readyFile).equals(ourContent)) {
        Files.delete(readyFile);
      }
    } catch (IOException e) {
      // Best effort: a stale file still names our pid, which readers can see is dead.
    }
  }

  /** Sends all log4j output (DynamoDB Local's only logging API) to stderr at WARN and above. */
  private static void configureLogging() {
    // log4j's own shutdown hook races ours: Jetty logs while we stop it, which re-creates a
    // logger context after log4j's hook stopped it, and that prints a status warning to stdout.
    // Logging simply stays up until the JVM is gone (the appender is unbuffered stderr).
    System.setProperty("log4j.shutdownHookEnabled", "false");
    ConfigurationBuilder<BuiltConfiguration> config =
        ConfigurationBuilderFactory.newConfigurationBuilder();
    config.add(
        config
            .newAppender("stderr", "Console")
            .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
            .add(
                config
                    .newLayout("PatternLayout")
                    .addAttribute("pattern", "%d{ISO8601} %-5level %c{1} - %msg%n")));
    config.add(config.newRootLogger(Level.WARN).add(config.newAppenderRef("stderr")));
    Configurator.initialize(config.build());
    // sqlite4java logs through java.util.logging, whose default INFO level is chatty.
    SQLITE_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown argument '" + name + "'; " + USAGE);
      }
      if (i + 1 >= args.length || args[i + 1].isEmpty()) {
        throw new IllegalArgumentException(name + " needs a value; " + USAGE);
      }
      if (opts.put(name, args[i + 1]) != null) {
        throw new IllegalArgumentException(name + " given twice; pass it once");
      }
    }
    return opts;
  }

  private static int intOption(Map<String, String> opts, String name, int def, int min, int max) {
    String value = opts.get(name);
    if (value == null) {
      if (def < min) {
        throw new IllegalArgumentException(name + " is required; " + USAGE);
      }
      return def;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " '" + value + "' is invalid: pass a whole number from " + min + " to " + max);
  }

  private static Path directoryOption(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required; " + USAGE);
    }
    Path dir = Path.of(value).toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          name + " '" + value + "' is not a usable directory (" + e + "): pass a writable one");
    }
    return dir;
  }
}
