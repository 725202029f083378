package dev.cairn.faultproxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads HTTP/1.1 messages off a stream as the exact bytes that were sent, with just enough parsing
 * to find where each one ends (RFC 9112 section 6): the head up to the empty line, then a body
 * framed by {@code Transfer-Encoding: chunked}, by {@code Content-Length}, or (responses only) by
 * the connection closing.
 */
final class HttpWire {
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_LINE_BYTES = 8 * 1024;

  private HttpWire() {}

  /** A message's head: its start line and header fields, and the bytes they came in. */
  record Head(String startLine, List<String[]> fields, byte[] raw) {
    /** The value of the last field named {@code name} (case-insensitive), or null. */
    String field(String name) {
      String value = null;
      for (String[] field : fields) {
        if (field[0].equalsIgnoreCase(name)) {
          value = field[1];
        }
      }
      return value;
    }

    /** Whether a comma-separated field such as Connection holds {@code token}. */
    boolean fieldHas(String name, String token) {
      for (String[] field : fields) {
        if (field[0].equalsIgnoreCase(name)) {
          for (String part : field[1].split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
              return true;
            }
          }
        }
      }
      return false;
    }

    /** Whether the last transfer coding is chunked. */
    boolean chunked() {
      String codings = field("Transfer-Encoding");
      if (codings == null) {
        return false;
      }
      String[] all = codings.split(",");
      return all[all.length - 1].trim().equalsIgnoreCase("chunked");
    }

    /** The Content-Length, or -1 without one. */
    long contentLength() throws IOException {
      String value = field("Content-Length");
      if (value == null) {
        return -1;
      }
      try {
        long length = Long.parseLong(value.trim());
        if (length >= 0) {
          return length;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IOException("bad Content-Length '" + value + "'");
    }

    /** The start line's first word: a request's method or a response's protocol version. */
    String first() {
      int space = startLine.indexOf(' ');
      return space < 0 ? startLine : startLine.substring(0, space);
    }

    /** A request's protocol version (the start line's last word). */
    String last() {
      int space = startLine.lastIndexOf(' ');
      return space < 0 ? startLine : startLine.substring(space + 1);
    }

    /** A response's status code. */
    int status() throws IOException {
      String[] parts = startLine.split(" ", 3);
      try {
        return Integer.parseInt(parts[1]);
      } catch (RuntimeException e) {
        throw new IOException("bad status line '" + startLine + "'");
      }
    }
  }

  /**
   * Reads a head, or returns null if the stream ends cleanly before its first byte (the peer closed
   * an idle keep-alive connection).
   */
  static Head readHead(InputStream in) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
    List<String> lines = new ArrayList<>();
    while (true) {
      int before = raw.size();
      String line = readLine(in, raw, before == 0);
      if (line == null) {
        return null;
      }
      if (line.isEmpty()) {
        if (lines.isEmpty()) {
          continue; // RFC 9112 2.2: ignore empty lines before the start line
        }
        break;
      }
      lines.add(line);
      if (raw.size() > MAX_HEAD_BYTES) {
        throw new IOException("message head longer than " + MAX_HEAD_BYTES + " bytes");
      }
    }
    List<String[]> fields = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad header line '" + line + "'");
      }
      fields.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
    }
    return new Head(lines.get(0), fields, raw.toByteArray());
  }

  /** Copies a request's body (per its head) from {@code in} to {@code out}. */
  static void readRequestBody(Head head, InputStream in, ByteArrayOutputStream out)
      throws IOException {
    if (head.chunked()) {
      readChunked(in, out);
    } else {
      long length = head.contentLength();
      if (length > 0) {
        readFixed(in, out, length);
      }
    }
  }

  /**
   * Copies a response's body from {@code in} to {@code out}. Returns false if the body ran to the
   * end of the connection (so the connection cannot be reused).
   */
  static boolean readResponseBody(
      Head response, String requestMethod, InputStream in, ByteArrayOutputStream out)
      throws IOException {
    int status = response.status();
    if (requestMethod.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
      return true;
    }
    if (response.chunked()) {
      readChunked(in, out);
      return true;
    }
    long length = response.contentLength();
    if (length >= 0) {
      readFixed(in, out, length);
      return true;
    }
    in.transferTo(out);
    return false;
  }

  private static void readFixed(InputStream in, ByteArrayOutputStream out, long length)
      throws IOException {
    byte[] buffer = new byte[8192];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException("body ended " + left + " bytes short of its length " + length);
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static void readChunked(InputStream in, ByteArrayOutputStream out) throws IOException {
    while (true) {
      String sizeLine = readLine(in, out, false);
      if (sizeLine == null) {
        throw new EOFException("chunked body ended before its last chunk");
      }
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
      long size;
      try {
        size = Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size line '" + sizeLine + "'");
      }
      if (size == 0) {
        // trailer fields, then the empty line that ends the message
        while (true) {
          String trailer = readLine(in, out, false);
          if (trailer == null) {
            throw new EOFException("chunked body ended inside its trailer");
          }
          if (trailer.isEmpty()) {
            return;
          }
        }
      }
      readFixed(in, out, size);
      String end = readLine(in, out, false);
      if (end == null || !end.isEmpty()) {
        throw new IOException("chunk of " + size + " bytes not followed by CRLF");
      }
    }
  }

  /**
   * Reads one line (ending in LF, CR LF accepted as well) into {@code raw} and returns it without
   * its line end; null on end of stream before the first byte if {@code eofOk}.
   */
  private static String readLine(InputStream in, ByteArrayOutputStream raw, boolean eofOk)
      throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(80);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (eofOk && line.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed in the middle of a line");
      }
      raw.write(b);
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
      if (line.size() > MAX_LINE_BYTES) {
        throw new IOException("line longer than " + MAX_LINE_BYTES + " bytes");
      }
    }
  }
}
