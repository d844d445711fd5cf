package dev.junction.api;

import java.nio.charset.StandardCharsets;

/** Server-sent events framing, pre-encoded. */
public final class Sse {

  static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

  /** The last event of an OpenAI stream. */
  public static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private Sse() {}

  /**
   * The length of the blank line that ends an event at {@code i} in the first {@code size} bytes
   * ({@code \n\n}, {@code \n\r\n} or {@code \r\n\r\n}), or 0 when none ends there.
   */
  public static int boundaryAt(byte[] bytes, int size, int i) {
    byte b = bytes[i];
    if (b == '\n') {
      if (i + 1 < size && bytes[i + 1] == '\n') return 2;
      if (i + 2 < size && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return 3;
    } else if (b == '\r' && i + 3 < size && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
      return 4;
    }
    return 0;
  }

  /** Whether the bytes from {@code from} to {@code to} begin with the ASCII {@code prefix}: a field of an event's line. */
  public static boolean startsWith(byte[] bytes, int from, int to, String prefix) {
    if (to - from < prefix.length()) return false;
    for (int k = 0; k < prefix.length(); k++) {
      if (bytes[from + k] != prefix.charAt(k)) return false;
    }
    return true;
  }
}
