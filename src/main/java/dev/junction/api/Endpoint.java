package dev.junction.api;

/** The proxied OpenAI endpoints, with the path each has under a provider's base URL. */
public enum Endpoint {
  CHAT("chat.completions", "/chat/completions"),
  COMPLETIONS("completions", "/completions"),
  EMBEDDINGS("embeddings", "/embeddings");

  private final String ledgerName;
  private final String path;

  Endpoint(String ledgerName, String path) {
    this.ledgerName = ledgerName;
    this.path = path;
  }

  /** The name the ledger records. */
  public String ledgerName() {
    return ledgerName;
  }

  /** The path appended to a provider's base URL. */
  public String path() {
    return path;
  }
}
