package dev.junction.api;

import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON stack: a shared factory for streaming reads and a mapper for trees. */
public final class Json {

  /** Thread-safe, shared: creating factories is expensive. */
  public static final JsonFactory FACTORY = JsonFactory.builder().build();

  public static final JsonMapper MAPPER = JsonMapper.builder(FACTORY).build();

  private Json() {}

  /** A streaming parser over part of a byte array. */
  public static JsonParser parser(byte[] bytes, int offset, int length) {
    return FACTORY.createParser(ObjectReadContext.empty(), bytes, offset, length);
  }

  public static JsonParser parser(byte[] bytes) {
    return parser(bytes, 0, bytes.length);
  }
}
