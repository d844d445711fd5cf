package dev.junction.api;

import java.nio.charset.StandardCharsets;

/**
 * Client-chosen text, cut to size before it reaches a response header, a metric label, a log line or
 * the ledger. A client may send a model name (or a key, or a value) as long as the body limit allows:
 * copied whole, one request could write a megabyte into every place that names it.
 *
 * <p>Cut text keeps its start and says how much is missing, {@code …(+N chars)}, and never exceeds
 * its bound, marker included. Each bound is in characters (UTF-16 units, as Java counts them).
 */
public final class Bounded {

  /** A model name, key or value echoed in the ledger, an error message or a header. */
  public static final int NAME = 256;
  /** A client-chosen metric label; a longer one shares the label {@code other} instead of being cut. */
  public static final int LABEL = 128;
  /** The whole {@code x-junction-route} header. */
  public static final int ROUTE = 1024;
  /** An error message: the client's error body and the ledger's {@code error}. */
  public static final int MESSAGE = 4096;
  /** The error of one attempt in the ledger's {@code attempt_log}. */
  public static final int ATTEMPT_ERROR = 1024;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Bounded() {}

  /** The text itself when it fits, else its start and {@code …(+N chars)}; null stays null. */
  public static String text(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int keep = keep(text, max - marker(text.length()).length());
    return text.substring(0, keep) + marker(text.length() - keep);
  }

  /**
   * The text as a header value may carry it: printable ASCII stays, anything else (and space, {@code %},
   * {@code ,} and {@code ;}, which separate a header's parts) is percent-encoded as UTF-8, and the
   * result is cut to {@code max} with an ASCII marker {@code ...(+N chars)} counting the characters of
   * the original text left out.
   */
  public static String header(String text, int max) {
    int encoded = 0;
    int i = 0;
    while (i < text.length() && encoded <= max) {
      int c = text.codePointAt(i);
      encoded += encodedLength(c);
      i += Character.charCount(c);
    }
    if (encoded <= max) {
      return encode(new StringBuilder(encoded), text, text.length()).toString();
    }
    // Room for the longest marker this text could need: cut at a character, never inside an escape.
    int budget = max - asciiMarker(text.length()).length();
    int end = 0;
    int length = 0;
    while (end < text.length()) {
      int c = text.codePointAt(end);
      if (length + encodedLength(c) > budget) {
        break;
      }
      length += encodedLength(c);
      end += Character.charCount(c);
    }
    return encode(new StringBuilder(max), text, end).append(asciiMarker(text.length() - end)).toString();
  }

  private static StringBuilder encode(StringBuilder out, String text, int end) {
    for (int i = 0; i < end; ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (plain(c)) {
        out.append((char) c);
      } else {
        for (byte b : Character.toString(c).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
      }
    }
    return out;
  }

  private static boolean plain(int c) {
    return c > 0x20 && c < 0x7f && c != '%' && c != ',' && c != ';';
  }

  private static int encodedLength(int c) {
    if (plain(c)) return 1;
    if (c < 0x80) return 3;
    if (c < 0x800) return 6;
    if (c < 0x10000) return 9;
    return 12;
  }

  /** How many leading chars to keep so that a surrogate pair is never split. */
  private static int keep(String text, int max) {
    int keep = Math.max(0, max);
    return keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1)) ? keep - 1 : keep;
  }

  private static String marker(int cut) {
    return "…(+" + cut + " chars)";
  }

  private static String asciiMarker(int cut) {
    return "...(+" + cut + " chars)";
  }
}
