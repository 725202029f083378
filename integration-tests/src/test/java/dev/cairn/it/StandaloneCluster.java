package dev.cairn.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A Spark standalone cluster on this machine, as separate processes: one master on 127.0.0.1 and
 * workers on 127.0.0.2, 127.0.0.3, ... (one loopback address each, so that losing one worker loses
 * only the shuffle files on its "host"), each with 1 core and 1 GiB for executors.
 *
 * <p>The cluster is a Spark installation without Cairn: its {@code SPARK_HOME/jars} holds the jars
 * of the launcher classpath ({@code jobs/target/lib}) except those the application jar ({@code
 * jobs/target/cairn-jobs-app.jar}) bundles, so the jobs, Cairn and Delta reach the executors only
 * as a user's would, shipped by the driver.
 *
 * <p>Each daemon runs in its own process group (setsid), and the executors a worker launches join
 * its group: {@link Worker#killNode()} takes a whole worker "node" away, as the loss of a Spot task
 * node does.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Path JOBS_LIB =
      Path.of(System.getProperty("cairn.jobs.lib")).toAbsolutePath().normalize();
  static final Path APP_JAR =
      Path.of(System.getProperty("cairn.jobs.app")).toAbsolutePath().normalize();
  private static final List<String> JVM_OPTIONS =
      Arrays.stream(System.getProperty("cairn.jvm.options").trim().split("\\s+")).toList();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path sparkHome;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Process> daemons = new ArrayList<>();
  private final List<Worker> workers = new ArrayList<>();
  private int masterPort;
  private int masterUiPort;

  private StandaloneCluster(Path dir) {
    this.dir = dir;
    this.sparkHome = dir.resolve("spark-home");
  }

  /** Starts a master and {@code workers} workers; returns once all are ALIVE in the master. */
  static StandaloneCluster start(Path dir, int workers) throws IOException {
    StandaloneCluster cluster = new StandaloneCluster(dir);
    try {
      cluster.installSpark();
      cluster.startMaster();
      for (int i = 1; i <= workers; i++) {
        cluster.workers.add(cluster.startWorker(i));
      }
      cluster.awaitAliveWorkers(workers);
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code spark://127.0.0.1:<port>}. */
  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The Spark installation's {@code jars/}: Spark and its dependencies, no Cairn, no Delta. */
  Path sparkJars() {
    return sparkHome.resolve("jars");
  }

  Worker worker(int number) {
    return workers.get(number - 1);
  }

  /** The master's view: {@code http://127.0.0.1:<ui>/json/}. */
  JsonNode masterState() {
    return getJson(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"));
  }

  private void installSpark() throws IOException {
    Set<String> bundled = new HashSet<>();
    try (ZipFile app = new ZipFile(APP_JAR.toFile())) {
      app.stream().map(ZipEntry::getName).forEach(bundled::add);
    }
    Path jars = Files.createDirectories(sparkJars());
    try (Stream<Path> lib = Files.list(JOBS_LIB)) {
      for (Path jar : lib.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        if (!bundled.contains(firstClass(jar))) {
          Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
        }
      }
    }
    Files.createDirectories(sparkHome.resolve("conf"));
  }

  /** The first class a jar holds; a jar whose first class the application jar has is bundled. */
  private static String firstClass(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream()
          .map(ZipEntry::getName)
          .filter(name -> name.endsWith(".class") && !name.endsWith("module-info.class"))
          .findFirst()
          .orElse("(no class in " + jar + ")");
    }
  }

  private void startMaster() throws IOException {
    masterPort = freePort();
    masterUiPort = freePort();
    daemons.add(
        daemon(
            "master",
            "127.0.0.1",
            List.of(),
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(masterPort),
            "--webui-port",
            Integer.toString(masterUiPort)));
  }

  private Worker startWorker(int number) throws IOException {
    String host = "127.0.0." + (number + 1);
    int port = freePort();
    Path work = Files.createDirectories(dir.resolve("worker-" + number));
    Process process =
        daemon(
            "worker-" + number,
            host,
            // Without it a worker ignores SIGPWR (Spark's decommission signal).
            List.of("-Dspark.decommission.enabled=true"),
            "org.apache.spark.deploy.worker.Worker",
            "--host",
            host,
            "--port",
            Integer.toString(port),
            "--cores",
            "1",
            "--memory",
            "1g",
            "--webui-port",
            "0",
            "--work-dir",
            work.toString(),
            masterUrl());
    daemons.add(process);
    return new Worker(number, host, port, process);
  }

  /**
   * Replaces every worker that is gone or not ALIVE (killed, decommissioned) by a fresh one on the
   * same address, and waits until all are ALIVE.
   */
  void restoreWorkers() throws IOException, InterruptedException {
    for (int i = 0; i < workers.size(); i++) {
      Worker worker = workers.get(i);
      if (!worker.process.isAlive() || !worker.state().equals("ALIVE")) {
        worker.killNode();
        workers.set(i, startWorker(worker.number));
      }
    }
    awaitAliveWorkers(workers.size());
  }

  private Process daemon(
      String name, String host, List<String> properties, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(JVM_OPTIONS);
    command.addAll(properties);
    command.add("-cp");
    command.add(sparkJars() + "/*");
    command.add(mainClass);
    command.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("SPARK_LOCAL_IP", host);
    // Executors' scratch space (shuffle files, blocks) under the test's directory, per worker.
    builder
        .environment()
        .put("SPARK_LOCAL_DIRS", Files.createDirectories(dir.resolve(name + "-local")).toString());
    builder.environment().remove("SPARK_CONF_DIR");
    return builder.start();
  }

  private void awaitAliveWorkers(int count) {
    await("workers ALIVE in the master")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .failFast(
            "a cluster daemon exited; logs in " + dir,
            () -> !daemons.get(0).isAlive() || workers.stream().anyMatch(w -> !w.process.isAlive()))
        .until(
            () -> {
              int alive = 0;
              for (JsonNode worker : masterState().get("workers")) {
                if (worker.get("state").asText().equals("ALIVE")) {
                  alive++;
                }
              }
              return alive == count;
            });
  }

  JsonNode getJson(URI uri) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("GET " + uri + " answered " + response.statusCode());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL to every daemon's process group (their executors with them). */
  @Override
  public void close() {
    for (Process daemon : daemons) {
      signalGroup("KILL", daemon.pid());
    }
    for (Process daemon : daemons) {
      try {
        daemon.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void signalGroup(String signal, long leader) {
    signal(signal, "-" + leader);
  }

  private static void signal(String signal, String target) {
    try {
      new ProcessBuilder("kill", "-" + signal, "--", target)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** One worker "node": the Worker JVM and the executors it launched. */
  final class Worker {
    final int number;
    final String host;
    final int port;
    final Process process;

    Worker(int number, String host, int port, Process process) {
      this.number = number;
      this.host = host;
      this.port = port;
      this.process = process;
    }

    /** The master's entry for this worker, or null before it registered. */
    private JsonNode entry() {
      for (JsonNode worker : masterState().get("workers")) {
        if (worker.get("host").asText().equals(host) && worker.get("port").asInt() == port) {
          return worker;
        }
      }
      return null;
    }

    /** What the master says of it: ALIVE, DEAD, DECOMMISSIONED..., or UNREGISTERED. */
    String state() {
      JsonNode entry = entry();
      return entry == null ? "UNREGISTERED" : entry.get("state").asText();
    }

    /** SIGKILL to the worker and its executors at once: the node is gone, nothing is told. */
    void killNode() throws InterruptedException {
      signalGroup("KILL", process.pid());
      process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGPWR to the Worker JVM, Spark's decommission signal ({@code spark.worker.decommission
     * .signal}, default PWR): the worker tells the master, which tells the drivers, which
     * decommission the worker's executors.
     */
    void decommission() {
      signal("PWR", Long.toString(process.pid()));
    }
  }
}
