package dev.junction.api;

/**
 * What a proxied request asks for, whatever API it came in by and whatever provider serves it: the
 * inbound route maps a client's path to one of these, and each provider kind maps it to its own.
 */
public enum Endpoint {
  CHAT("chat.completions"),
  COMPLETIONS("completions"),
  EMBEDDINGS("embeddings");

  private final String ledgerName;

  Endpoint(String ledgerName) {
    this.ledgerName = ledgerName;
  }

  /** The name the ledger records. */
  public String ledgerName() {
    return ledgerName;
  }
}
