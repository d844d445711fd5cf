package dev.junction.api;

import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON stack: a shared factory for streaming reads and a mapper for trees. */
public final class Json {

  /**
   * Thread-safe, shared: creating factories is expensive. Parsing runs on a few long-lived event
   * loops, so each keeps its own buffers: the default shared pool made every parser take and return
   * them through a concurrent deque.
   */
  public static final JsonFactory FACTORY = JsonFactory.builder()
      .recyclerPool(JsonRecyclerPools.threadLocalPool())
      .build();

  public static final JsonMapper MAPPER = JsonMapper.builder(FACTORY).build();

  /**
   * For client request bodies: a key that appears twice in one object is an error. The gateway reads
   * one of the two values and a provider might read the other, so a request could be routed and
   * billed as one model while another serves it.
   */
  private static final JsonFactory REQUESTS =
      FACTORY.rebuild().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private Json() {}

  /** A streaming parser over part of a byte array. */
  public static JsonParser parser(byte[] bytes, int offset, int length) {
    return FACTORY.createParser(ObjectReadContext.empty(), bytes, offset, length);
  }

  public static JsonParser parser(byte[] bytes) {
    return parser(bytes, 0, bytes.length);
  }

  /** A streaming parser over a client's request body, refusing duplicate keys at any depth. */
  static JsonParser requestParser(byte[] body) {
    return REQUESTS.createParser(ObjectReadContext.empty(), body, 0, body.length);
  }
}
