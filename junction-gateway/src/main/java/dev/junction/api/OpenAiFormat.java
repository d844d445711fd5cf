package dev.junction.api;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.io.JsonStringEncoder;

/** OpenAI's error format, written by hand: it is small, and written for every failed request. */
final class OpenAiFormat implements ClientFormat {

  static final OpenAiFormat INSTANCE = new OpenAiFormat();

  private OpenAiFormat() {}

  @Override
  public String name() {
    return "openai";
  }

  @Override
  public Family family() {
    return Family.OPENAI;
  }

  @Override
  public byte[] errorBody(ApiError error) {
    String message = error.getMessage();
    StringBuilder json = new StringBuilder(96 + message.length());
    json.append("{\"error\":{\"message\":");
    quote(json, message);
    json.append(",\"type\":");
    quote(json, error.type());
    json.append(",\"param\":");
    quote(json, error.param());
    json.append(",\"code\":");
    quote(json, error.code());
    json.append("}}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code data: <the error body>} and a blank line; no {@code [DONE]} follows. */
  @Override
  public byte[] errorEvent(ApiError error) {
    byte[] json = errorBody(error);
    byte[] event = new byte[json.length + 8];
    System.arraycopy(Sse.DATA_PREFIX, 0, event, 0, 6);
    System.arraycopy(json, 0, event, 6, json.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }

  static void quote(StringBuilder json, @Nullable String value) {
    if (value == null) {
      json.append("null");
      return;
    }
    json.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, json);
    json.append('"');
  }
}
