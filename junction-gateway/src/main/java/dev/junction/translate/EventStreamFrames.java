package dev.junction.translate;

import dev.junction.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Splits AWS's binary event stream ({@code application/vnd.amazon.eventstream}, Bedrock's
 * {@code converse-stream}) into whole messages as bytes arrive: a prelude (total length, headers
 * length, the prelude's CRC32), typed headers, the payload, the message's CRC32. Each message comes
 * back as a frame named by its {@code :event-type} with its JSON payload; an exception message
 * ({@code :message-type} {@code exception} or {@code error}) as one named {@value #EXCEPTION} whose
 * payload carries the exception's {@code type} and {@code message}.
 *
 * <p>A length or checksum that does not hold is not a stream that can be read on: the messages before
 * it are given, then nothing more, and {@link #broken} says what was wrong.
 */
final class EventStreamFrames implements TranslatedStream.Frames {

  /** The frame name of a message that reports an exception. */
  static final String EXCEPTION = ":exception";

  private static final int PRELUDE = 12;
  /** Larger than any event Bedrock sends; a bigger length is a corrupt prelude. */
  private static final int MAX_MESSAGE = 16 * 1024 * 1024;

  private byte[] pending = new byte[1024];
  private int size;
  private @Nullable String broken;

  /**
   * The messages this chunk completes, in order, up to the first that does not hold; after that one,
   * nothing more is read and {@link #broken} says why.
   */
  @Override
  public List<SseFrames.Frame> feed(byte[] chunk) {
    if (broken != null) {
      return List.of();
    }
    if (size + chunk.length > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, size + chunk.length));
    }
    System.arraycopy(chunk, 0, pending, size, chunk.length);
    size += chunk.length;
    List<SseFrames.Frame> frames = new ArrayList<>(2);
    int start = 0;
    try {
      while (size - start >= PRELUDE) {
        int total = readInt(start);
        int headers = readInt(start + 4);
        if (crc(start, 8) != readInt(start + 8)) {
          throw new IllegalArgumentException("event stream prelude checksum mismatch");
        }
        if (total < PRELUDE + 4 || total > MAX_MESSAGE || headers < 0 || headers > total - PRELUDE - 4) {
          throw new IllegalArgumentException("event stream message length out of range");
        }
        if (size - start < total) {
          break;
        }
        if (crc(start, total - 4) != readInt(start + total - 4)) {
          throw new IllegalArgumentException("event stream message checksum mismatch");
        }
        frames.add(message(start + PRELUDE, headers, start + PRELUDE + headers, start + total - 4));
        start += total;
      }
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      broken = e instanceof IllegalArgumentException ? e.getMessage() : "event stream header overruns its message";
      size = 0;
      return frames;
    }
    System.arraycopy(pending, start, pending, 0, size - start);
    size -= start;
    return frames;
  }

  @Override
  public @Nullable String broken() {
    return broken;
  }

  private SseFrames.Frame message(int headersAt, int headersLength, int payloadAt, int payloadEnd) {
    String eventType = null;
    String messageType = null;
    String exceptionType = null;
    int at = headersAt;
    int end = headersAt + headersLength;
    while (at < end) {
      int nameLength = pending[at++] & 0xff;
      String name = new String(pending, at, nameLength, StandardCharsets.UTF_8);
      at += nameLength;
      int type = pending[at++];
      int valueLength = switch (type) {
        case 0, 1 -> 0;
        case 2 -> 1;
        case 3 -> 2;
        case 4 -> 4;
        case 5, 8 -> 8;
        case 9 -> 16;
        case 6, 7 -> {
          int length = ((pending[at] & 0xff) << 8) | (pending[at + 1] & 0xff);
          at += 2;
          yield length;
        }
        default -> throw new IllegalArgumentException("event stream header of unknown type " + type);
      };
      if (at + valueLength > end) {
        throw new IllegalArgumentException("event stream header overruns its headers");
      }
      if (type == 7) {
        String value = new String(pending, at, valueLength, StandardCharsets.UTF_8);
        switch (name) {
          case ":event-type" -> eventType = value;
          case ":message-type" -> messageType = value;
          case ":exception-type", ":error-code" -> exceptionType = value;
          default -> {}
        }
      }
      at += valueLength;
    }
    String payload = new String(pending, payloadAt, payloadEnd - payloadAt, StandardCharsets.UTF_8);
    if (messageType != null && !messageType.equals("event")) {
      return new SseFrames.Frame(null, EXCEPTION, exception(exceptionType, payload));
    }
    return new SseFrames.Frame(null, eventType, payload.isEmpty() ? "{}" : payload);
  }

  /** The exception's type beside its message, whatever the payload was. */
  private static String exception(@Nullable String type, String payload) {
    String message = payload;
    try {
      var node = Json.MAPPER.readTree(payload);
      if (node != null && node.path("message").isString()) message = node.path("message").asString();
      else if (node != null && node.path("Message").isString()) message = node.path("Message").asString();
    } catch (RuntimeException e) {
      // the raw payload is the message
    }
    return Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode()
        .put("type", type == null ? "exception" : type).put("message", message));
  }

  private int readInt(int at) {
    return ((pending[at] & 0xff) << 24) | ((pending[at + 1] & 0xff) << 16) | ((pending[at + 2] & 0xff) << 8)
        | (pending[at + 3] & 0xff);
  }

  private int crc(int at, int length) {
    CRC32 crc = new CRC32();
    crc.update(pending, at, length);
    return (int) crc.getValue();
  }
}
