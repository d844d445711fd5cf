package dev.junction.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads an upstream OpenAI event stream as it passes through: splits it into events, reads usage,
 * notices the first event that carries content (the point after which failover is no longer
 * invisible), the closing {@code [DONE]}, a provider error event or a broken chunk, and hands back the
 * bytes to forward, unchanged.
 *
 * <p>When the client did not ask for usage but the gateway did (for billing), the usage-only chunk is
 * withheld from the client. Not thread-safe: one per stream, used on its event loop.
 */
public final class SseScanner implements AnswerStream {

  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOTHING = new byte[0];

  private final boolean withholdUsage;
  private byte[] pending = new byte[512];
  private int pendingSize;
  private byte[] out = new byte[512];
  private int outSize;

  private boolean done;
  private boolean content;
  private int contentEvents;
  private @Nullable String error;
  private long inputTokens;
  private long outputTokens;
  private long cachedTokens;
  private boolean sawUsage;

  /** @param withholdUsage drop the usage-only chunk: the client did not ask for it */
  public SseScanner(boolean withholdUsage) {
    this.withholdUsage = withholdUsage;
  }

  /**
   * Consumes the next bytes of the stream.
   *
   * @return the complete events to forward now, possibly none
   */
  @Override
  public byte[] feed(byte[] chunk) {
    appendPending(chunk);
    outSize = 0;
    int eventStart = 0;
    int i = 0;
    while (i < pendingSize) {
      int boundary = Sse.boundaryAt(pending, pendingSize, i);
      if (boundary > 0) {
        int end = i + boundary;
        event(eventStart, end);
        eventStart = end;
        i = end;
      } else {
        i++;
      }
    }
    System.arraycopy(pending, eventStart, pending, 0, pendingSize - eventStart);
    pendingSize -= eventStart;
    return outSize == 0 ? NOTHING : Arrays.copyOf(out, outSize);
  }

  private void event(int start, int end) {
    int dataStart = -1;
    int dataEnd = -1;
    int line = start;
    while (line < end) {
      int lineEnd = line;
      while (lineEnd < end && pending[lineEnd] != '\n' && pending[lineEnd] != '\r') lineEnd++;
      if (Sse.startsWith(pending, line, lineEnd, "data:")) {
        dataStart = line + 5;
        if (dataStart < lineEnd && pending[dataStart] == ' ') dataStart++;
        dataEnd = lineEnd;
      }
      line = lineEnd + 1;
    }
    if (dataStart < 0) {
      forward(start, end); // comments and keep-alives pass through
      return;
    }
    if (dataEnd - dataStart == DONE.length && Arrays.equals(pending, dataStart, dataEnd, DONE, 0, DONE.length)) {
      done = true;
      forward(start, end);
      return;
    }
    if (chunk(dataStart, dataEnd)) {
      forward(start, end);
    }
  }

  /** Reads one JSON chunk; returns whether it is forwarded. */
  private boolean chunk(int start, int end) {
    ChunkFacts facts = new ChunkFacts();
    try (JsonParser p = Json.parser(pending, start, end - start)) {
      facts.read(p);
    } catch (JacksonException e) {
      error = "the provider sent a malformed stream chunk";
      return false;
    }
    if (facts.error != null) {
      error = facts.error;
      return false;
    }
    if (facts.usage) {
      sawUsage = true;
      inputTokens = facts.inputTokens;
      outputTokens = facts.outputTokens;
      cachedTokens = facts.cachedTokens;
    }
    if (facts.content) {
      content = true;
      contentEvents++;
    }
    return !(withholdUsage && facts.usage && facts.choices == 0);
  }

  private void forward(int start, int end) {
    int length = end - start;
    if (outSize + length > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, outSize + length));
    }
    System.arraycopy(pending, start, out, outSize, length);
    outSize += length;
  }

  private void appendPending(byte[] chunk) {
    if (pendingSize + chunk.length > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingSize + chunk.length));
    }
    System.arraycopy(chunk, 0, pending, pendingSize, chunk.length);
    pendingSize += chunk.length;
  }

  /** Whether {@code data: [DONE]} arrived: the stream ended as it should. */
  @Override
  public boolean done() {
    return done;
  }

  /** Whether an event with content (text, a tool call or a finish reason) has arrived. */
  @Override
  public boolean sawContent() {
    return content;
  }

  /** Events that carried content; the delivered-token estimate when a stream breaks before usage. */
  @Override
  public int contentEvents() {
    return contentEvents;
  }

  /** Why the stream is broken (an error event or a malformed chunk), or null. */
  @Override
  public @Nullable String error() {
    return error;
  }

  /** Bytes received that do not yet form a complete event. */
  public boolean hasPartialEvent() {
    return pendingSize > 0;
  }

  /** The usage the provider reported, or null if none arrived. */
  @Override
  public @Nullable Usage usage() {
    return sawUsage ? new Usage(inputTokens, outputTokens, cachedTokens) : null;
  }

  /** What one chunk says, read in a single streaming pass. */
  private static final class ChunkFacts {
    int choices;
    boolean content;
    boolean usage;
    long inputTokens;
    long outputTokens;
    long cachedTokens;
    @Nullable String error;

    void read(JsonParser p) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalStateException("not an object");
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "choices" -> choices(v, p);
          case "usage" -> usage(v, p);
          case "error" -> error(v, p);
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new IllegalStateException("trailing content");
      }
    }

    private void choices(JsonToken v, JsonParser p) {
      if (v != JsonToken.START_ARRAY) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        choices++;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          switch (name) {
            case "delta" -> delta(value, p);
            case "text" -> content |= value == JsonToken.VALUE_STRING && p.getStringLength() > 0;
            case "finish_reason" -> content |= value != JsonToken.VALUE_NULL;
            default -> p.skipChildren();
          }
        }
      }
    }

    private void delta(JsonToken v, JsonParser p) {
      if (v != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "role" -> {}
          case "tool_calls", "function_call" -> {
            content |= value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT;
            p.skipChildren();
          }
          default -> {
            content |= value == JsonToken.VALUE_STRING && p.getStringLength() > 0;
            p.skipChildren();
          }
        }
      }
    }

    private void usage(JsonToken v, JsonParser p) {
      if (v != JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      usage = true;
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "prompt_tokens" -> inputTokens = count(value, p);
          case "completion_tokens" -> outputTokens = count(value, p);
          case "prompt_tokens_details" -> cachedTokens = cached(value, p);
          default -> p.skipChildren();
        }
      }
    }

    private void error(JsonToken v, JsonParser p) {
      if (v == JsonToken.VALUE_NULL) {
        return;
      }
      error = "the provider reported an error mid-stream";
      p.skipChildren();
    }
  }

  static long count(JsonToken v, JsonParser p) {
    return v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
  }

  static long cached(JsonToken v, JsonParser p) {
    long cached = 0;
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return 0;
    }
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("cached_tokens")) {
        cached = count(value, p);
      } else {
        p.skipChildren();
      }
    }
    return cached;
  }
}
