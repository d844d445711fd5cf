package dev.junction.api;

import java.util.List;

/**
 * A wire family: the shape of requests, answers, streams and errors that a client speaks or a
 * provider kind accepts. A request whose client and provider share a family is passed through as its
 * bytes; across families it is translated ({@code dev.junction.translate}).
 */
public enum Family {
  /** OpenAI Chat Completions (and every OpenAI-compatible server). */
  OPENAI("openai", List.of()),
  /** Anthropic Messages: the API version and the beta features a client asks for. */
  ANTHROPIC("anthropic", List.of("anthropic-version", "anthropic-beta")),
  /** Amazon Bedrock Runtime's Converse API: a provider family only, no client speaks it. */
  BEDROCK("bedrock", List.of()),
  /**
   * OpenAI's Responses API: a client family only. No provider kind speaks it, so its requests are
   * always translated, to whichever family serves the model.
   */
  RESPONSES("responses", List.of()),
  /** Google's Gemini API (generateContent): a provider family; the model is in the URL. */
  GEMINI("gemini", List.of()),
  /** Cohere's Chat API v2 ({@code /v2/chat}): a provider family only, no client speaks it. */
  COHERE("cohere", List.of());

  private final String kind;
  private final List<String> clientHeaders;

  Family(String kind, List<String> clientHeaders) {
    this.kind = kind;
    this.clientHeaders = clientHeaders;
  }

  /** Headers of a client of this family that a provider of the same family is passed. */
  public List<String> clientHeaders() {
    return clientHeaders;
  }

  /** Whether providers of this family exist ({@code kind:}), so that a request may pass through to one. */
  public boolean providerKind() {
    return this != RESPONSES;
  }

  /**
   * The wire family of a provider of this {@code kind:}; the self-hosted engines, Azure OpenAI
   * ({@code azure}, OpenAI's bodies at its own paths) and every other OpenAI-compatible server speak
   * OpenAI's.
   */
  public static Family ofProviderKind(String kind) {
    for (Family family : values()) {
      if (family.providerKind() && family.kind.equals(kind)) {
        return family;
      }
    }
    return OPENAI;
  }

  /** The name used in config ({@code kind:}) and in messages. */
  public String kind() {
    return kind;
  }
}
