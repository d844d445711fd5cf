package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.ClientFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Answers written straight to a connection's socket, below Vert.x: for a connection the gateway
 * will not serve (over the connection cap) or is closing (a request sent too slowly). Each closes the
 * connection, so it says so.
 */
final class Refusals {

  /** HTTP/2's "REFUSED_STREAM": no request was processed, so a client may safely retry it elsewhere. */
  private static final int REFUSED_STREAM = 0x7;
  private static final byte SETTINGS = 0x4;
  private static final byte GOAWAY = 0x7;

  private Refusals() {}

  /** A complete HTTP/1.1 response carrying the error in OpenAI's format, then the end of the connection. */
  static byte[] http1(ApiError error) {
    byte[] body = ClientFormat.OPENAI.errorBody(error);
    StringBuilder head = new StringBuilder(192)
        .append("HTTP/1.1 ").append(error.status()).append(' ').append(reason(error.status())).append("\r\n")
        .append("content-type: application/json\r\n")
        .append("content-length: ").append(body.length).append("\r\n");
    if (error.retryAfter() != null) {
      head.append("retry-after: ").append(error.retryAfter()).append("\r\n");
    }
    head.append("connection: close\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(headBytes.length + body.length).put(headBytes).put(body).array();
  }

  /**
   * What an HTTP/2 client that sent its connection preface gets instead: the server's (empty)
   * SETTINGS, which must come first, then a GOAWAY that processed no stream, the error as its debug data.
   */
  static byte[] http2(ApiError error) {
    byte[] debug = ClientFormat.OPENAI.errorBody(error);
    ByteBuffer frames = ByteBuffer.allocate(9 + 9 + 8 + debug.length);
    frameHeader(frames, 0, SETTINGS);
    frameHeader(frames, 8 + debug.length, GOAWAY);
    frames.putInt(0).putInt(REFUSED_STREAM).put(debug);
    return frames.array();
  }

  private static void frameHeader(ByteBuffer frames, int length, byte type) {
    frames.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length).put(type).put((byte) 0).putInt(0);
  }

  private static String reason(int status) {
    return switch (status) {
      case 408 -> "Request Timeout";
      case 503 -> "Service Unavailable";
      default -> "Error";
    };
  }
}
