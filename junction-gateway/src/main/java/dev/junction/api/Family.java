package dev.junction.api;

/**
 * A wire family: the shape of requests, answers, streams and errors that a client speaks or a
 * provider kind accepts. A request whose client and provider share a family is passed through as its
 * bytes; across families it is translated ({@code dev.junction.translate}).
 */
public enum Family {
  /** OpenAI Chat Completions (and every OpenAI-compatible server). */
  OPENAI("openai"),
  /** Anthropic Messages. */
  ANTHROPIC("anthropic");

  private final String kind;

  Family(String kind) {
    this.kind = kind;
  }

  /** The name used in config ({@code kind:}) and in messages. */
  public String kind() {
    return kind;
  }
}
