package dev.junction.api;

/**
 * How one kind of client is answered: the encoding of errors, whole and in a stream, in its API's own
 * format. Requests and answers in the client's family pass through as bytes; what the gateway itself
 * writes goes through here, so that an error never reaches a client in another API's shape.
 *
 * <p>A new client format (Anthropic Messages, the Responses API) is a new implementation of this,
 * chosen by the inbound route.
 */
public interface ClientFormat {

  /** OpenAI's: {@code {"error":{"message","type","param","code"}}}, and that as a {@code data:} event. */
  ClientFormat OPENAI = OpenAiFormat.INSTANCE;

  /** A short name for logs and records, e.g. {@code openai}. */
  String name();

  /** The body of an error response, UTF-8 JSON. */
  byte[] errorBody(ApiError error);

  /** The event that ends a stream broken after it started: never a clean end. */
  byte[] errorEvent(ApiError error);
}
