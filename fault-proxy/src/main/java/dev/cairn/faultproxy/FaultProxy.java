package dev.cairn.faultproxy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting HTTP/1.1 proxy on 127.0.0.1, put between a client and a plain-HTTP server
 * (DynamoDB Local, an S3 stand-in) to test how the client copes with a failing network and service.
 *
 * <p>Each request is read in full, then, with probability {@link FaultProxyConfig#faultRate()},
 * gets one {@link Fault} drawn from the configured kinds; otherwise it is forwarded. Forwarding is
 * byte for byte: the request's bytes (start line, every header including {@code Host}, body) reach
 * the target unchanged, so AWS SigV4 signatures stay valid, and the target's response comes back
 * unchanged. Connections are kept alive on both sides, many requests per connection, one target
 * connection per client connection. A request with {@code Expect: 100-continue} gets the proxy's
 * own {@code 100 Continue}; interim responses from the target are not relayed.
 *
 * <p>Use it in-process ({@link #start}, {@link #port}, {@link #stats}, {@link #close}) or as a
 * process: {@code java -cp fault-proxy/target/fault-proxy-*.jar dev.cairn.faultproxy.FaultProxy
 * --target http://127.0.0.1:8000 --fault-rate 0.25 --ready-file F --stats-file S} (see {@link
 * #main}).
 *
 * <p>Thread-safe. Each client connection is served on its own thread.
 */
public final class FaultProxy implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(FaultProxy.class.getName());
  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final int TARGET_READ_TIMEOUT_MILLIS = 300_000;
  private static final long PROBE_AFTER_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final FaultProxyConfig config;
  private final List<Fault> faults;
  private final ServerSocket server;
  private final Random random;
  private final ExecutorService connections;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong upstreamFailures = new AtomicLong();
  private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
  private volatile boolean closed;

  private FaultProxy(FaultProxyConfig config, ServerSocket server) {
    this.config = config;
    this.faults = new ArrayList<>(config.faults());
    this.faults.sort(null); // enum order: the draw does not depend on Set iteration order
    this.server = server;
    this.random = new Random(config.seed());
    for (Fault fault : Fault.values()) {
      injected.put(fault, new AtomicLong());
    }
    AtomicInteger ids = new AtomicInteger();
    this.connections =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fault-proxy-conn-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
    this.acceptor.setDaemon(true);
  }

  /**
   * Binds 127.0.0.1:{@code config.listenPort()} and starts accepting connections.
   *
   * @throws IOException the port could not be bound (e.g. it is taken)
   */
  public static FaultProxy start(FaultProxyConfig config) throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.bind(
          new InetSocketAddress(InetAddress.getByName("127.0.0.1"), config.listenPort()), 128);
    } catch (IOException e) {
      server.close();
      throw new IOException(
          "cannot listen on 127.0.0.1:"
              + config.listenPort()
              + " ("
              + e.getMessage()
              + "): pass a free port, or 0 for any",
          e);
    }
    FaultProxy proxy = new FaultProxy(config, server);
    proxy.acceptor.start();
    return proxy;
  }

  /** The port the proxy listens on, on 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** The configuration it runs with. */
  public FaultProxyConfig config() {
    return config;
  }

  /** A snapshot of the counts so far. */
  public FaultProxyStats stats() {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    injected.forEach((fault, count) -> counts.put(fault, count.get()));
    return new FaultProxyStats(requests.get(), forwarded.get(), counts, upstreamFailures.get());
  }

  /** Stops listening and closes every connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the listening socket failed", e);
    }
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    connections.shutdownNow();
    try {
      acceptor.join(5_000);
      connections.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until {@link #close()} was called (by a shutdown hook, for the process). */
  void awaitClose() throws InterruptedException {
    acceptor.join();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.log(System.Logger.Level.WARNING, "accepting a connection failed", e);
        }
        continue;
      }
      open.add(client);
      try {
        connections.execute(() -> serve(client));
      } catch (RuntimeException rejected) { // closing
        open.remove(client);
        closeQuietly(client);
      }
    }
  }

  /** One client connection: request after request until either side closes or a fault drops it. */
  private void serve(Socket client) {
    Target target = null;
    try {
      client.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = new BufferedOutputStream(client.getOutputStream());
      while (!closed) {
        HttpWire.Head head = HttpWire.readHead(in);
        if (head == null) {
          return; // the client closed its idle connection
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream(head.raw().length + 256);
        request.write(head.raw());
        boolean hasBody = head.chunked() || head.contentLength() > 0;
        if (hasBody && head.fieldHas("Expect", "100-continue")) {
          out.write(CONTINUE);
          out.flush();
        }
        HttpWire.readRequestBody(head, in, request);
        requests.incrementAndGet();
        String method = head.first();
        boolean clientCloses = closesAfter(head.last(), head);

        Draw draw = draw();
        if (draw.fault() == Fault.DROP_BEFORE) {
          injected.get(Fault.DROP_BEFORE).incrementAndGet();
          return;
        }
        if (draw.fault() == Fault.THROTTLE || draw.fault() == Fault.SERVER_ERROR) {
          injected.get(draw.fault()).incrementAndGet();
          out.write(draw.error().bytes(method.equals("HEAD"), clientCloses));
          out.flush();
          if (clientCloses) {
            return;
          }
          continue;
        }

        Exchange exchange;
        try {
          if (target == null || !target.usable()) {
            if (target != null) {
              open.remove(target.socket);
              target.close();
            }
            target = Target.connect(config);
            open.add(target.socket);
          }
          exchange = target.exchange(request.toByteArray(), method);
        } catch (IOException failed) {
          upstreamFailures.incrementAndGet();
          LOG.log(
              System.Logger.Level.WARNING,
              "forwarding " + head.startLine() + " to " + config.target() + " failed: " + failed);
          if (target == null || target.sentNothing) {
            out.write(badGateway(failed));
            out.flush();
          }
          return; // the client sees a closed connection if part of a response was lost
        }
        if (draw.fault() == Fault.DROP_AFTER) {
          injected.get(Fault.DROP_AFTER).incrementAndGet();
          return; // the target applied it; the client never hears
        }
        forwarded.incrementAndGet(); // before the client can see the response and ask for stats
        out.write(exchange.response());
        out.flush();
        if (!exchange.reusable()) {
          open.remove(target.socket);
          target.close();
          target = null;
          return; // the response was framed by the close, or said Connection: close
        }
        if (clientCloses) {
          return;
        }
      }
    } catch (EOFException | SocketException clientGone) {
      LOG.log(System.Logger.Level.DEBUG, "client connection ended: " + clientGone);
    } catch (IOException broken) {
      LOG.log(System.Logger.Level.WARNING, "client connection failed: " + broken);
    } finally {
      if (target != null) {
        open.remove(target.socket);
        target.close();
      }
      open.remove(client);
      closeQuietly(client);
    }
  }

  /** The fault for the next request (null: forward it), and the error body if it answers one. */
  private record Draw(Fault fault, Protocol.ErrorResponse error) {}

  private Draw draw() {
    synchronized (random) {
      if (faults.isEmpty() || random.nextDouble() >= config.faultRate()) {
        return new Draw(null, null);
      }
      Fault fault = faults.get(random.nextInt(faults.size()));
      Protocol.ErrorResponse error =
          switch (fault) {
            case THROTTLE -> config.protocol().throttle(random);
            case SERVER_ERROR -> config.protocol().serverError(random);
            default -> null;
          };
      return new Draw(fault, error);
    }
  }

  /** Whether the connection closes after this message (RFC 9112 9.3). */
  private static boolean closesAfter(String version, HttpWire.Head head) {
    if (head.fieldHas("Connection", "close")) {
      return true;
    }
    return !version.equals("HTTP/1.1") && !head.fieldHas("Connection", "keep-alive");
  }

  private byte[] badGateway(IOException failed) {
    byte[] body =
        ("fault-proxy: cannot forward to "
                + config.target()
                + ": "
                + failed.getMessage()
                + ". Fix: start the target server, or pass its address with --target\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to do with it
    }
  }

  /** A target's response to one request. */
  private record Exchange(byte[] response, boolean reusable) {}

  /** One kept-alive connection to the target. */
  private static final class Target {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    long lastUsed = System.nanoTime();
    boolean sentNothing = true;

    private Target(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    static Target connect(FaultProxyConfig config) throws IOException {
      Socket socket = new Socket();
      try {
        socket.setTcpNoDelay(true);
        socket.connect(
            new InetSocketAddress(config.target().getHost(), config.targetPort()),
            CONNECT_TIMEOUT_MILLIS);
        socket.setSoTimeout(TARGET_READ_TIMEOUT_MILLIS);
        return new Target(socket);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }

    /**
     * Whether the connection still looks open. After a pause the target may have closed it as idle;
     * a short read sees its FIN, so the next request goes on a new connection instead of failing on
     * a dead one.
     */
    boolean usable() {
      if (socket.isClosed()) {
        return false;
      }
      if (System.nanoTime() - lastUsed < PROBE_AFTER_IDLE_NANOS) {
        return true;
      }
      try {
        socket.setSoTimeout(1);
        // -1: closed by the target; a byte: it sent something unasked, so don't trust it
        in.read();
        return false;
      } catch (SocketTimeoutException stillOpen) {
        return true;
      } catch (IOException broken) {
        return false;
      } finally {
        try {
          socket.setSoTimeout(TARGET_READ_TIMEOUT_MILLIS);
        } catch (SocketException e) {
          // a broken socket fails on first use
        }
      }
    }

    Exchange exchange(byte[] request, String method) throws IOException {
      sentNothing = false;
      out.write(request);
      out.flush();
      while (true) {
        HttpWire.Head head = HttpWire.readHead(in);
        if (head == null) {
          throw new EOFException("the target closed the connection without answering");
        }
        int status = head.status();
        ByteArrayOutputStream response = new ByteArrayOutputStream(head.raw().length + 1024);
        response.write(head.raw());
        if (status / 100 == 1 && status != 101) {
          continue; // interim (100 Continue): the client already got the proxy's own
        }
        boolean framed = HttpWire.readResponseBody(head, method, in, response);
        lastUsed = System.nanoTime();
        boolean reusable = framed && !closesAfter(head.first(), head) && status != 101;
        return new Exchange(response.toByteArray(), reusable);
      }
    }

    void close() {
      closeQuietly(socket);
    }
  }

  /**
   * Runs the proxy as a process until SIGTERM/SIGINT.
   *
   * <pre>
   * --target URL        the plain-HTTP server to forward to, e.g. http://127.0.0.1:8000 (required)
   * --listen-port N     port on 127.0.0.1 (default 0: any free port)
   * --fault-rate R      share of requests to fail, 0 to 1 (default 0.25)
   * --faults LIST       comma-separated kinds: throttle,server-error,drop-before,drop-after (default all)
   * --protocol P        dynamodb or s3: what injected errors look like (default dynamodb)
   * --seed S            seed of the random choices (default 1)
   * --ready-file F      once listening, F is atomically replaced with the port number
   * --stats-file F      counts as name=value lines, rewritten every 200 ms and on exit
   * </pre>
   *
   * <p>Exit codes: 0 after SIGTERM/SIGINT, 1 if it cannot listen or write its files, 2 on bad
   * arguments (one line on stderr naming the argument and the fix). One line on stderr says where
   * it listens; stdout stays empty.
   */
  public static void main(String[] args) throws InterruptedException {
    CommandLine options;
    try {
      options = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("fault-proxy: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options == null) {
      System.err.println(CommandLine.USAGE);
      return;
    }
    FaultProxy proxy;
    try {
      proxy = start(options.config());
    } catch (IOException e) {
      System.err.println("fault-proxy: " + e.getMessage());
      System.exit(1);
      return;
    }
    ScheduledExecutorService statsWriter = null;
    if (options.statsFile() != null) {
      statsWriter =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "fault-proxy-stats");
                t.setDaemon(true);
                return t;
              });
      Path statsFile = options.statsFile();
      statsWriter.scheduleWithFixedDelay(
          () -> writeStatsQuietly(proxy, statsFile), 0, 200, TimeUnit.MILLISECONDS);
    }
    ScheduledExecutorService writer = statsWriter;
    String port = Integer.toString(proxy.port());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  proxy.close();
                  if (writer != null) {
                    writer.shutdownNow();
                    writeStatsQuietly(proxy, options.statsFile());
                  }
                  deleteIfHolds(options.readyFile(), port + "\n");
                },
                "fault-proxy-shutdown"));
    if (options.readyFile() != null) {
      try {
        writeAtomically(options.readyFile(), port + "\n");
      } catch (IOException e) {
        System.err.println(
            "fault-proxy: cannot write --ready-file " + options.readyFile() + ": " + e);
        System.exit(1);
      }
    }
    FaultProxyConfig config = options.config();
    System.err.println(
        "fault-proxy: listening on 127.0.0.1:"
            + port
            + ", forwarding to "
            + config.target()
            + "; failing "
            + config.faultRate()
            + " of requests with "
            + config.faults().stream().sorted().map(Fault::cliName).toList()
            + " ("
            + config.protocol().cliName()
            + " errors, seed "
            + config.seed()
            + ")");
    proxy.awaitClose();
  }

  private static void writeStatsQuietly(FaultProxy proxy, Path file) {
    try {
      writeAtomically(file, proxy.stats().toProperties());
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot write --stats-file " + file + ": " + e);
    }
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    // Same directory, so the rename is atomic: readers see the old file or the new one.
    Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void deleteIfHolds(Path file, String content) {
    if (file == null) {
      return;
    }
    try {
      if (Files.exists(file) && Files.readString(file).equals(content)) {
        Files.delete(file);
      }
    } catch (IOException e) {
      // best effort: a stale ready file names a port nobody listens on
    }
  }
}
