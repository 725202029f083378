package dev.cairn.internal.config;

import dev.cairn.internal.errors.ConfigErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The embedded default's checkpoint store: one DynamoDB Local server per state directory, shared by
 * every driver using that directory, persisted on disk, bound to 127.0.0.1.
 *
 * <p>The server runs as its own process in its own session ({@code setsid}), so killing a driver's
 * whole process group leaves the store up for the next driver. Each driver registers its pid in
 * {@code dynamodb/clients/}; the server exits by itself after ten minutes with no live client. A
 * file lock makes concurrent drivers start at most one server.
 */
public final class EmbeddedDynamoDb {
  private static final Logger LOG = LogManager.getLogger(EmbeddedDynamoDb.class);
  private static final String MAIN = "dev.cairn.dynamodblocal.LoopbackDynamoDbLocal";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final int IDLE_EXIT_SECONDS = 600;

  private EmbeddedDynamoDb() {}

  /** The endpoint of the server for {@code home}, starting it if none is running. */
  public static URI ensureRunning(Path home, Optional<Path> lib) {
    Path dir = home.resolve("dynamodb");
    Path readyFile = dir.resolve("server.properties");
    try {
      Files.createDirectories(dir.resolve("db"));
      Files.createDirectories(dir.resolve("clients"));
      Path me = dir.resolve("clients").resolve(Long.toString(ProcessHandle.current().pid()));
      Files.writeString(me, "");
      me.toFile().deleteOnExit();
      Optional<URI> running = runningServer(readyFile);
      if (running.isPresent()) {
        return running.get();
      }
      try (FileChannel channel =
              FileChannel.open(
                  dir.resolve("start.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        running = runningServer(readyFile);
        if (running.isPresent()) {
          return running.get();
        }
        return start(dir, readyFile, lib);
      }
    } catch (IOException e) {
      throw ConfigErrors.embeddedStoreNotPrepared(dir, e);
    }
  }

  /**
   * Stops the server for {@code home} if one runs (tests; a server otherwise exits by itself when
   * idle). Returns whether one was stopped.
   */
  public static boolean stop(Path home) {
    Path readyFile = home.resolve("dynamodb").resolve("server.properties");
    try {
      if (runningServer(readyFile).isEmpty()) {
        return false;
      }
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(readyFile)) {
        props.load(in);
      }
      Optional<ProcessHandle> server = ProcessHandle.of(Long.parseLong(props.getProperty("pid")));
      server.ifPresent(ProcessHandle::destroy);
      server.ifPresent(p -> p.onExit().join());
      Files.deleteIfExists(readyFile);
      return server.isPresent();
    } catch (IOException e) {
      throw ConfigErrors.embeddedStoreNotStopped(home, readyFile, e);
    }
  }

  private static Optional<URI> runningServer(Path readyFile) throws IOException {
    if (!Files.exists(readyFile)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(readyFile)) {
      props.load(in);
    }
    long pid = Long.parseLong(props.getProperty("pid", "-1"));
    int port = Integer.parseInt(props.getProperty("port", "-1"));
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (alive && accepts(port)) {
      return Optional.of(URI.create("http://127.0.0.1:" + port));
    }
    return Optional.empty();
  }

  private static URI start(Path dir, Path readyFile, Optional<Path> lib) throws IOException {
    Path libDir = lib.orElseThrow(ConfigErrors::embeddedStoreJarsNotGiven);
    if (!Files.isDirectory(libDir)) {
      throw ConfigErrors.embeddedStoreJarsMissing(libDir);
    }
    Files.deleteIfExists(readyFile);
    int port = freePort();
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      command.add("/usr/bin/setsid");
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-cp",
            libDir.toAbsolutePath() + "/*",
            MAIN,
            "--port",
            Integer.toString(port),
            "--db-path",
            dir.resolve("db").toString(),
            "--ready-file",
            readyFile.toString(),
            "--clients-dir",
            dir.resolve("clients").toString(),
            "--idle-exit-seconds",
            Integer.toString(IDLE_EXIT_SECONDS)));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("DDB_LOCAL_TELEMETRY", "0");
    LOG.info("Starting the embedded checkpoint store (DynamoDB Local) on 127.0.0.1:{}", port);
    Process process = builder.start();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      Optional<URI> up = runningServer(readyFile);
      if (up.isPresent()) {
        return up.get();
      }
      if (!process.isAlive() && !Files.exists(readyFile)) {
        break;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw ConfigErrors.embeddedStoreDidNotStart(
        START_TIMEOUT.toSeconds(), dir.resolve("server.log"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
