package dev.junction.api;

import java.nio.charset.StandardCharsets;

/**
 * The Responses API's errors: OpenAI's error body with OpenAI's statuses, and, for a stream broken
 * after it started, its {@code event: error}. The stream itself writes that event when it can (it
 * knows the next {@code sequence_number}, see {@link AnswerStream#errorEvent}); this one, numbered 0,
 * is only for a stream that broke before any event of its own.
 */
final class ResponsesFormat implements ClientFormat {

  static final ResponsesFormat INSTANCE = new ResponsesFormat();

  private ResponsesFormat() {}

  @Override
  public String name() {
    return "responses";
  }

  @Override
  public Family family() {
    return Family.RESPONSES;
  }

  @Override
  public byte[] errorBody(ApiError error) {
    return OpenAiFormat.INSTANCE.errorBody(error);
  }

  @Override
  public byte[] errorEvent(ApiError error) {
    return errorEvent(error, 0).getBytes(StandardCharsets.UTF_8);
  }

  /** {@code event: error} with its data: the error's code, message and parameter, and its sequence number. */
  static String errorEvent(ApiError error, int sequence) {
    StringBuilder out = new StringBuilder(128).append("event: error\ndata: {\"type\":\"error\",\"code\":");
    OpenAiFormat.quote(out, error.code());
    out.append(",\"message\":");
    OpenAiFormat.quote(out, error.getMessage());
    out.append(",\"param\":");
    OpenAiFormat.quote(out, error.param());
    return out.append(",\"sequence_number\":").append(sequence).append("}\n\n").toString();
  }
}
