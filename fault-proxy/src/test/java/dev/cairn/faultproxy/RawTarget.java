package dev.cairn.faultproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 that records every request's exact bytes and answers each
 * with the same canned bytes, keeping connections alive. Its request framing is its own (a
 * Content-Length, or a chunked body without trailers), independent of the proxy's parser.
 */
final class RawTarget implements AutoCloseable {
  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");
  private static final Pattern CHUNKED =
      Pattern.compile("(?im)^transfer-encoding:\\s*chunked\\s*$");

  private final ServerSocket server;
  private final byte[] response;
  final List<byte[]> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();

  RawTarget(byte[] response) throws IOException {
    this.response = response;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::accept, "raw-target");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(socket), "raw-target-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        if (!readUntil(in, request, "\r\n\r\n")) {
          return;
        }
        String head = request.toString(StandardCharsets.ISO_8859_1);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (CHUNKED.matcher(head).find()) {
          readUntil(in, request, "\r\n0\r\n\r\n");
        } else if (length.find()) {
          request.write(in.readNBytes(Integer.parseInt(length.group(1))));
        }
        requests.add(request.toByteArray());
        out.write(response);
        out.flush();
      }
    } catch (IOException gone) {
      // the proxy closed the connection
    }
  }

  private static boolean readUntil(InputStream in, ByteArrayOutputStream into, String end)
      throws IOException {
    byte[] marker = end.getBytes(StandardCharsets.ISO_8859_1);
    int matched = 0;
    int start = into.size();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (into.size() == start) {
          return false;
        }
        throw new IOException("closed mid-request");
      }
      into.write(b);
      matched = b == marker[matched] ? matched + 1 : (b == marker[0] ? 1 : 0);
      if (matched == marker.length) {
        return true;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
