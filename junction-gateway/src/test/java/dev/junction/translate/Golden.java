package dev.junction.translate;

import dev.junction.api.AnswerStream;
import dev.junction.api.Endpoint;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.RequestInspector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The payloads written from the providers' published API references, under {@code translate/} in
 * the test resources, and client requests inspected as the gateway inspects them before translating.
 */
final class Golden {

  private Golden() {}

  static byte[] resource(String name) {
    try (InputStream in = Golden.class.getResourceAsStream("/translate/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Chat Completions request. */
  static InspectedRequest openAi(byte[] body) {
    return RequestInspector.inspect(Endpoint.CHAT, Family.OPENAI, body, Map.of());
  }

  static InspectedRequest openAi(String body) {
    return openAi(body.getBytes(StandardCharsets.UTF_8));
  }

  /** What a stream hands the client when the provider's bytes arrive in pieces of this size. */
  static String feed(AnswerStream stream, byte[] bytes, int piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int at = 0; at < bytes.length; at += piece) {
      out.writeBytes(stream.feed(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + piece))));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The JSON of each SSE {@code data:} line. */
  static List<JsonNode> dataEvents(String sse) {
    List<JsonNode> events = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        events.add(Json.MAPPER.readTree(line.substring(6)));
      }
    }
    return events;
  }

  /**
   * An OpenAI stream put together: its text, its reasoning, each call's arguments (by the call's
   * index), its finish reason and its usage chunk's usage.
   */
  record OpenAiStream(String text, String reasoning, List<String> arguments, @Nullable String finish,
      @Nullable JsonNode usage) {

    static OpenAiStream of(String sse) {
      StringBuilder text = new StringBuilder();
      StringBuilder reasoning = new StringBuilder();
      List<StringBuilder> arguments = new ArrayList<>();
      JsonNode usage = null;
      String finish = null;
      for (JsonNode chunk : dataEvents(sse)) {
        if (chunk.has("usage") && !chunk.get("usage").isNull()) usage = chunk.get("usage");
        for (JsonNode choice : chunk.path("choices")) {
          text.append(choice.path("delta").path("content").asString(""));
          reasoning.append(choice.path("delta").path("reasoning_content").asString(""));
          for (JsonNode call : choice.path("delta").path("tool_calls")) {
            int index = call.path("index").asInt();
            while (arguments.size() <= index) arguments.add(new StringBuilder());
            arguments.get(index).append(call.path("function").path("arguments").asString(""));
          }
          if (choice.path("finish_reason").isString()) finish = choice.path("finish_reason").asString();
        }
      }
      return new OpenAiStream(text.toString(), reasoning.toString(),
          arguments.stream().map(StringBuilder::toString).toList(), finish, usage);
    }
  }

  /** An Anthropic Messages request. */
  static InspectedRequest anthropic(String body) {
    return RequestInspector.inspect(Endpoint.CHAT, Family.ANTHROPIC, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }
}
