package dev.junction.api;

import java.nio.charset.StandardCharsets;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Anthropic's error format: {@code {"type":"error","error":{"type","message"}}}, with Anthropic's
 * error types and statuses (an overloaded or unavailable upstream is 529 {@code overloaded_error}),
 * and as an {@code event: error} that ends a broken stream.
 */
final class AnthropicFormat implements ClientFormat {

  static final AnthropicFormat INSTANCE = new AnthropicFormat();
  /** Anthropic's status for an overloaded API. */
  static final int OVERLOADED = 529;
  private static final byte[] EVENT = "event: error\ndata: ".getBytes(StandardCharsets.US_ASCII);

  private AnthropicFormat() {}

  @Override
  public String name() {
    return "anthropic";
  }

  @Override
  public Family family() {
    return Family.ANTHROPIC;
  }

  @Override
  public int status(ApiError error) {
    return error.status() == 503 ? OVERLOADED : error.status();
  }

  /** Anthropic's error type for a status, as its API reference lists them. */
  static String type(int status) {
    return switch (status) {
      case 400, 405, 408, 409, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, OVERLOADED -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> "api_error";
    };
  }

  @Override
  public byte[] errorBody(ApiError error) {
    String message = error.getMessage();
    StringBuilder json = new StringBuilder(64 + message.length());
    json.append("{\"type\":\"error\",\"error\":{\"type\":\"").append(type(error.status())).append("\",\"message\":\"");
    JsonStringEncoder.getInstance().quoteAsString(message, json);
    json.append("\"}}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code event: error}, its data the error body, and a blank line. */
  @Override
  public byte[] errorEvent(ApiError error) {
    byte[] json = errorBody(error);
    byte[] event = new byte[EVENT.length + json.length + 2];
    System.arraycopy(EVENT, 0, event, 0, EVENT.length);
    System.arraycopy(json, 0, event, EVENT.length, json.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }
}
