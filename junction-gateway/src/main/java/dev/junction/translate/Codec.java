package dev.junction.translate;

import dev.junction.api.ApiError;
import dev.junction.api.Family;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One wire family's codec: requests, whole answers and stream events, each way between the family's
 * JSON and the neutral {@link Chat} model. A new family (Bedrock, Cohere) is one new
 * implementation, registered in {@link Codecs}.
 *
 * <p>Decoding reads bodies the gateway has already validated, or a provider's answers; it is lenient
 * where a family is, and throws {@link IllegalArgumentException} only on what is not that family's
 * JSON at all. Encoding never drops a field silently: what the target cannot take is named in
 * {@link Chat.Request#untranslatable()} by the decoder, and refused before anything is sent.
 */
public interface Codec {

  Family family();

  /** A client's request body, validated by {@code RequestInspector}. */
  Chat.Request decodeRequest(byte[] body);

  /**
   * What of this request a provider of this family cannot honour although the neutral model carries
   * it, named as a client of {@code client}'s format states it; refused before anything is sent.
   */
  default List<String> unsupported(Chat.Request request, Family client) {
    return List.of();
  }

  /** The body sent to a provider of this family. */
  byte[] encodeRequest(Chat.Request request);

  /**
   * A provider's whole answer.
   *
   * @param asked the request it answers, for what was emulated (a forced tool for a JSON schema)
   * @throws IllegalArgumentException when the body is not an answer of this family
   */
  Chat.Response decodeResponse(byte[] body, Chat.Request asked);

  /** The whole answer as a client of this family reads it. */
  byte[] encodeResponse(Chat.Response response, Chat.Request asked);

  /** Reads a provider's stream of this family, event by event. */
  StreamDecoder decoder(Chat.@Nullable Request asked);

  /** Writes a stream of this family for a client, event by event. */
  StreamEncoder encoder(Chat.Request asked);

  /** One family's stream events, read into neutral ones. */
  interface StreamDecoder {
    /**
     * @param event the SSE {@code event:} name, or null
     * @param data the SSE {@code data:} text
     * @return the neutral events it means, possibly none
     * @throws IllegalArgumentException when the data is not an event of this family
     */
    List<Chat.Event> decode(@Nullable String event, String data);
  }

  /** Neutral events, written as one family's stream. */
  interface StreamEncoder {
    /** Appends the SSE frames of this event, possibly none. */
    void encode(Chat.Event event, StringBuilder out);

    /**
     * The frames that end this stream when it breaks, when the family's error event carries the
     * stream's own state (the Responses API's sequence numbers); null to leave it to the client format.
     */
    default @Nullable String failure(ApiError error) {
      return null;
    }

    /** The whole answer, once the stream has ended, for a family whose stream states it (the Responses API); else null. */
    default @Nullable String answer() {
      return null;
    }
  }
}
