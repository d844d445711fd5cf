package dev.junction.translate;

import dev.junction.api.Sse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a server-sent event stream into whole events as bytes arrive, keeping each event's bytes (to
 * forward unchanged) with its {@code event:} name and {@code data:} text (to read). Comments and
 * keep-alives come back as frames without data.
 */
final class SseFrames {

  /** One event: its bytes as received, its name (or null) and its data (or null). */
  record Frame(byte[] raw, String event, String data) {}

  private byte[] pending = new byte[512];
  private int size;

  /** The events completed by this chunk, in order. */
  List<Frame> feed(byte[] chunk) {
    if (size + chunk.length > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, size + chunk.length));
    }
    System.arraycopy(chunk, 0, pending, size, chunk.length);
    size += chunk.length;
    List<Frame> frames = new ArrayList<>(2);
    int start = 0;
    int i = 0;
    while (i < size) {
      int boundary = Sse.boundaryAt(pending, size, i);
      if (boundary > 0) {
        int end = i + boundary;
        frames.add(frame(start, end));
        start = end;
        i = end;
      } else {
        i++;
      }
    }
    System.arraycopy(pending, start, pending, 0, size - start);
    size -= start;
    return frames;
  }

  /** Whether bytes arrived that do not form a whole event yet. */
  boolean partial() {
    return size > 0;
  }

  private Frame frame(int start, int end) {
    String text = new String(pending, start, end - start, StandardCharsets.UTF_8);
    String event = null;
    StringBuilder data = null;
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        String value = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return new Frame(Arrays.copyOfRange(pending, start, end), event, data == null ? null : data.toString());
  }
}
