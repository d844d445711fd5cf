package dev.junction.translate;

import dev.junction.api.Endpoint;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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

  /** An Anthropic Messages request. */
  static InspectedRequest anthropic(String body) {
    return RequestInspector.inspect(Endpoint.CHAT, Family.ANTHROPIC, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }
}
