package dev.junction.translate;

import dev.junction.api.AnswerStream;
import dev.junction.api.ApiError;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.ResponseReader;
import dev.junction.api.SseScanner;
import dev.junction.api.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The one place a request's family meets a provider's: what is sent, how the answer is read and how
 * it reaches the client. Same family, the client's bytes go through (the OpenAI path exactly as
 * before: spliced, scanned, never re-serialised); across families, both codecs meet in the neutral
 * {@link Chat} model, chunk by chunk for streams.
 */
public final class Translation {

  private Translation() {}

  /**
   * The body for a provider of another family than the client's.
   *
   * @param model the provider's model id
   * @param streamUsage whether the provider is asked for usage on streams (OpenAI's {@code stream_options})
   * @param provider the provider's name, for the error
   * @throws ApiError 400 naming the first parameter the provider's family cannot honour
   */
  public static byte[] request(InspectedRequest r, Family target, String model, boolean streamUsage, String provider) {
    Chat.Request asked = Codecs.of(r.family()).decodeRequest(r.body());
    List<String> refused = new ArrayList<>(asked.untranslatable());
    refused.addAll(Codecs.of(target).unsupported(asked, r.family()));
    if (!refused.isEmpty()) {
      String param = refused.getFirst();
      throw ApiError.invalid(param, "'" + param + "' cannot be honoured by provider " + provider + " (kind "
          + target.kind() + "): it has no equivalent in that API, and the gateway does not drop parameters. "
          + (r.family().providerKind() ? "Remove it, or route to a provider of kind " + r.family().kind() + "."
          : "Remove it."));
    }
    Chat.Request sent = new Chat.Request(model, asked.system(), asked.messages(), asked.tools(), asked.toolChoice(),
        asked.parallelToolCalls(), asked.format(), asked.maxTokens(), asked.temperature(), asked.topP(), asked.stop(),
        asked.stream(), asked.stream() && streamUsage, asked.thinkingBudget(), asked.user(), asked.untranslatable());
    return Codecs.of(target).encodeRequest(sent);
  }

  /** How a streamed answer from a provider of this family is read and passed to the request's client. */
  public static AnswerStream stream(InspectedRequest r, Family upstream) {
    if (r.family() == upstream) {
      return upstream == Family.OPENAI ? new SseScanner(!r.clientWantsUsage())
          : new TranslatedStream(Codecs.of(upstream).decoder(null), null);
    }
    Chat.Request asked = Codecs.of(r.family()).decodeRequest(r.body());
    if (upstream == Family.BEDROCK) {
      return new TranslatedStream(new EventStreamFrames(), Codecs.of(upstream).decoder(asked),
          Codecs.of(r.family()).encoder(asked));
    }
    return new TranslatedStream(Codecs.of(upstream).decoder(asked), Codecs.of(r.family()).encoder(asked));
  }

  /** A whole answer for the client, and its usage. */
  public record Whole(byte[] body, Usage usage) {}

  /**
   * A provider's whole answer as the request's client reads it.
   *
   * @throws IllegalArgumentException when the body is not an answer of the provider's family
   */
  public static Whole whole(InspectedRequest r, Family upstream, byte[] body) {
    if (r.family() == upstream) {
      if (upstream == Family.OPENAI) {
        return new Whole(body, ResponseReader.usage(body));
      }
      Chat.Tokens tokens = AnthropicCodec.tokens(tree(body).get("usage"));
      return new Whole(body, tokens == null ? Usage.NONE : tokens.usage());
    }
    Chat.Request asked = Codecs.of(r.family()).decodeRequest(r.body());
    Chat.Response response = Codecs.of(upstream).decodeResponse(body, asked);
    byte[] out = Codecs.of(r.family()).encodeResponse(response, asked);
    return new Whole(out, response.tokens() == null ? Usage.NONE : response.tokens().usage());
  }

  /**
   * A tool call's arguments as the object families other than OpenAI's carry them; text that is not
   * one (a model's malformed arguments) is kept, as a string under {@code arguments}.
   */
  static JsonNode arguments(@Nullable String json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json == null || json.isBlank() ? "{}" : json);
      if (node.isObject()) return node;
    } catch (RuntimeException e) {
      // Kept as text below.
    }
    return Json.MAPPER.createObjectNode().put("arguments", json);
  }

  /** The strings of a JSON array, such as a request's stop sequences. */
  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(s -> out.add(s.asString()));
    return out;
  }

  /** A provider's JSON object; anything else is its fault, reported as an argument error. */
  static JsonNode tree(byte[] json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return node;
    } catch (JacksonException e) {
      throw new IllegalArgumentException("malformed JSON", e);
    }
  }

  static JsonNode tree(String json) {
    return tree(json.getBytes(StandardCharsets.UTF_8));
  }
}
