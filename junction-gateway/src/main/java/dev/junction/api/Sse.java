package dev.junction.api;

import java.nio.charset.StandardCharsets;

/** Server-sent events framing, pre-encoded. */
public final class Sse {

  static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

  /** The last event of an OpenAI stream. */
  public static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private Sse() {}
}
