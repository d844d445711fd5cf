package dev.junction.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 on a socket of the test's own, one response at a time, so that a test sees exactly what
 * reached the client and when the connection ended.
 */
final class RawHttp implements AutoCloseable {

  /** One response: its head as sent, and its body with any chunked framing removed. */
  record Response(String head, String body) {
    int status() {
      return Integer.parseInt(head.substring(9, 12));
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  final Socket socket;
  private final URI base;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(String baseUrl) throws IOException {
    this.base = URI.create(baseUrl);
    this.socket = new Socket(base.getHost(), base.getPort());
    // A test waiting on a connection that never ends fails rather than hangs.
    socket.setSoTimeout(30_000);
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Sends a chat completions request; the connection stays open for the next. */
  RawHttp post(String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + base.getPath() + "/chat/completions HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one whole response; throws EOFException when the connection ends before it does. */
  Response read() throws IOException {
    String head = line();
    for (String line = line(); !line.isEmpty(); line = line()) {
      head += "\r\n" + line;
    }
    Response response = new Response(head, "");
    String length = response.header("content-length");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else if ("chunked".equals(lower(response.header("transfer-encoding")))) {
      for (int size = Integer.parseInt(line(), 16); size > 0; size = Integer.parseInt(line(), 16)) {
        body.write(in.readNBytes(size));
        line();
      }
      line();
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(head, body.toString(StandardCharsets.UTF_8));
  }

  /** Reads bytes as they come, framing and all, until the text has arrived; returns them. */
  String readUntil(String text) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("the connection ended before \"" + text + "\"; read: " + seen);
      }
      seen.write(c);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  /** Everything until the server ends the connection, framing and all. */
  String rest() throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Blocks until the server ends the connection; true when it did so without sending anything more. */
  boolean endsQuietly() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      throw stillOpen;
    } catch (IOException reset) {
      return true;
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the connection ended; read so far: " + line);
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static String lower(String value) {
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
