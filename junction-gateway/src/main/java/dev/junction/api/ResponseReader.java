package dev.junction.api;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** Reads what the gateway needs from a complete (non-streaming) provider response. */
public final class ResponseReader {

  private ResponseReader() {}

  /**
   * The usage of a successful response, checking on the way that the whole body is well-formed JSON.
   *
   * @return the usage, {@link Usage#NONE} when the provider sent none
   * @throws IllegalArgumentException when the body is not a JSON object
   */
  public static Usage usage(byte[] body) {
    Usage usage = Usage.NONE;
    try (JsonParser p = Json.parser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("usage") && v == JsonToken.START_OBJECT) {
          usage = readUsage(p);
        } else {
          p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing content");
      }
    } catch (JacksonException e) {
      throw new IllegalArgumentException("malformed JSON", e);
    }
    return usage;
  }

  private static Usage readUsage(JsonParser p) {
    long input = 0;
    long output = 0;
    long cached = 0;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "prompt_tokens" -> input = SseScanner.count(v, p);
        case "completion_tokens" -> output = SseScanner.count(v, p);
        case "prompt_tokens_details" -> cached = SseScanner.cached(v, p);
        default -> p.skipChildren();
      }
    }
    return new Usage(input, output, cached);
  }

  /**
   * A provider's error body, read leniently: OpenAI's {@code {"error":{...}}} shape when it is one,
   * AWS's and Cohere's top-level {@code message}, else the start of the raw text.
   */
  public static UpstreamError error(byte[] body) {
    try (JsonParser p = Json.parser(body)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (name.equals("error") && v == JsonToken.START_OBJECT) {
            return readError(p);
          }
          if (name.equals("error") && v == JsonToken.VALUE_STRING) {
            return new UpstreamError(p.getString(), null, null);
          }
          // AWS's JSON errors (Bedrock): {"message": ...}, the type in a header; Cohere's: {"id", "message"}.
          if ((name.equals("message") || name.equals("Message")) && v == JsonToken.VALUE_STRING) {
            return new UpstreamError(p.getString(), null, null);
          }
          p.skipChildren();
        }
      }
    } catch (JacksonException e) {
      // Not JSON: fall through to the raw text.
    }
    String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
    return new UpstreamError(text.isEmpty() ? null : text, null, null);
  }

  private static UpstreamError readError(JsonParser p) {
    String message = null;
    String param = null;
    String code = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      String text = v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT ? p.getString() : null;
      switch (name) {
        case "message" -> message = text;
        case "param" -> param = text;
        case "code" -> code = text;
        default -> p.skipChildren();
      }
    }
    return new UpstreamError(message, param, code);
  }

  /** What a provider said went wrong; any field may be null. */
  public record UpstreamError(@Nullable String message, @Nullable String param, @Nullable String code) {}
}
