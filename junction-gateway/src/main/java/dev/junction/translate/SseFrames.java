package dev.junction.translate;

import dev.junction.api.Sse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits a server-sent event stream into whole events as bytes arrive, keeping each event's bytes (to
 * forward unchanged) with its {@code event:} name and {@code data:} text (to read). Comments and
 * keep-alives come back as frames without data.
 */
final class SseFrames implements TranslatedStream.Frames {

  /** One event: its bytes as received (when kept), its name (or null) and its data (or null). */
  record Frame(byte @Nullable [] raw, @Nullable String event, @Nullable String data) {}

  private final boolean keepRaw;

  private byte[] pending = new byte[512];
  private int size;

  /** @param keepRaw whether each frame keeps its bytes, to be forwarded as they came */
  SseFrames(boolean keepRaw) {
    this.keepRaw = keepRaw;
  }

  @Override
  public List<Frame> feed(byte[] chunk) {
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

  /** One event's name and data, its lines read in place (no pattern, no copy but the fields'). */
  private Frame frame(int start, int end) {
    String event = null;
    StringBuilder data = null;
    int line = start;
    while (line < end) {
      int lineEnd = line;
      while (lineEnd < end && pending[lineEnd] != '\n' && pending[lineEnd] != '\r') lineEnd++;
      if (Sse.startsWith(pending, line, lineEnd, "event:")) {
        event = new String(pending, line + 6, lineEnd - line - 6, StandardCharsets.UTF_8).strip();
      } else if (Sse.startsWith(pending, line, lineEnd, "data:")) {
        int from = line + 5 < lineEnd && pending[line + 5] == ' ' ? line + 6 : line + 5;
        String value = new String(pending, from, lineEnd - from, StandardCharsets.UTF_8);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
      line = lineEnd + 1;
    }
    return new Frame(keepRaw ? Arrays.copyOfRange(pending, start, end) : null, event,
        data == null ? null : data.toString());
  }
}
