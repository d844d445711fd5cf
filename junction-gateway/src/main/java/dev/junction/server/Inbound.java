package dev.junction.server;

import dev.junction.api.ClientFormat;
import dev.junction.api.Endpoint;
import java.util.List;

/**
 * One way in: the path a client posts to, the operation it asks for, and the format it is answered
 * in. The operation is what routing and providers know; the format stays at this edge. A new client
 * API is a new entry here with its {@link ClientFormat}, and a codec in {@code dev.junction.translate}
 * for its family.
 *
 * @param ledgerName the endpoint its records name: the operation's, unless the API is told apart
 */
record Inbound(String path, Endpoint endpoint, ClientFormat format, String ledgerName) {

  Inbound(String path, Endpoint endpoint, ClientFormat format) {
    this(path, endpoint, format, endpoint.ledgerName());
  }

  static final Inbound CHAT = new Inbound("/v1/chat/completions", Endpoint.CHAT, ClientFormat.OPENAI);
  static final Inbound COMPLETIONS = new Inbound("/v1/completions", Endpoint.COMPLETIONS, ClientFormat.OPENAI);
  static final Inbound EMBEDDINGS = new Inbound("/v1/embeddings", Endpoint.EMBEDDINGS, ClientFormat.OPENAI);
  /** Anthropic Messages: the chat operation, in Anthropic's format. */
  static final Inbound MESSAGES = new Inbound("/v1/messages", Endpoint.CHAT, ClientFormat.ANTHROPIC);

  /** OpenAI's Responses API: the chat operation, in its format, recorded as {@code responses}. */
  static final Inbound RESPONSES = new Inbound("/v1/responses", Endpoint.CHAT, ClientFormat.RESPONSES, "responses");

  /** Every proxied route, in the order they are registered. */
  static final List<Inbound> ALL = List.of(CHAT, COMPLETIONS, EMBEDDINGS, MESSAGES, RESPONSES);
}
