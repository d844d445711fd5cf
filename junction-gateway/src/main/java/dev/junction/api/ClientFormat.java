package dev.junction.api;

/**
 * How one kind of client is answered: the encoding of errors, whole and in a stream, in its API's own
 * format. Requests and answers in the client's family pass through as bytes; what the gateway itself
 * writes goes through here, so that an error never reaches a client in another API's shape.
 *
 * <p>A new client format is a new implementation of this, chosen by the
 * inbound route, and a codec in {@code dev.junction.translate} for its requests and answers.
 */
public interface ClientFormat {

  /** OpenAI's: {@code {"error":{"message","type","param","code"}}}, and that as a {@code data:} event. */
  ClientFormat OPENAI = OpenAiFormat.INSTANCE;

  /** Anthropic's: {@code {"type":"error","error":{"type","message"}}}, and that as an {@code event: error}. */
  ClientFormat ANTHROPIC = AnthropicFormat.INSTANCE;

  /**
   * The Responses API's: OpenAI's error body, and in a stream an {@code event: error} with the
   * event's {@code sequence_number} (written by the stream itself, which numbers its events).
   */
  ClientFormat RESPONSES = ResponsesFormat.INSTANCE;

  /** A short name for logs and records, e.g. {@code openai}. */
  String name();

  /** The wire family its requests and answers are in. */
  Family family();

  /** The HTTP status an error goes out with: the error's own, unless the API names it otherwise. */
  default int status(ApiError error) {
    return error.status();
  }

  /** The body of an error response, UTF-8 JSON. */
  byte[] errorBody(ApiError error);

  /** The event that ends a stream broken after it started: never a clean end. */
  byte[] errorEvent(ApiError error);
}
