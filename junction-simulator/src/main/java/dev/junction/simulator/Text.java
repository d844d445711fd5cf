package dev.junction.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's language: deterministic words, one word per token, and JSON values that follow a
 * schema. The same seed always gives the same output, so a test can compare a streamed answer with a
 * complete one, or one provider's answer with another's.
 */
final class Text {

  private static final String[] WORDS = (
      "the gateway routes every request to a provider that serves its model and records what it cost "
      + "while tokens stream back through one endpoint with failover budgets keys and usage kept intact "
      + "so clients keep their SDK swap the base URL and see which backend answered how fast and why")
      .split(" ");

  /** Argument and JSON text is delivered in pieces of this many characters, each counted as a token. */
  static final int PIECE_CHARS = 4;

  private Text() {}

  /** {@code count} words; the first without a leading space, the others with one. */
  static List<String> words(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String word = WORDS[random.nextInt(WORDS.length)];
      out.add(i == 0 ? word : " " + word);
    }
    return out;
  }

  /** Tokens in a piece of prompt text: its whitespace-separated words. */
  static int tokens(String text) {
    int count = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) {
        count++;
      }
      inWord = !space;
    }
    return count;
  }

  /** Splits generated JSON into the pieces a stream delivers; each piece is one output token. */
  static List<String> pieces(String json) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < json.length(); i += PIECE_CHARS) {
      out.add(json.substring(i, Math.min(json.length(), i + PIECE_CHARS)));
    }
    return out;
  }

  /** A value that satisfies a JSON schema's {@code type}, {@code properties}, {@code enum} and {@code items}. */
  static JsonNode valueFor(@Nullable JsonNode schema, SplittableRandom random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (schema == null || !schema.isObject()) {
      return f.stringNode(WORDS[random.nextInt(WORDS.length)]);
    }
    JsonNode options = schema.get("enum");
    if (options != null && options.isArray() && !options.isEmpty()) {
      return options.get(random.nextInt(options.size()));
    }
    JsonNode anyOf = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
    if (anyOf != null && anyOf.isArray() && !anyOf.isEmpty()) {
      return valueFor(anyOf.get(0), random);
    }
    String type = typeOf(schema);
    return switch (type) {
      case "object" -> objectFor(schema, random);
      case "array" -> f.arrayNode().add(valueFor(schema.get("items"), random));
      case "integer" -> f.numberNode(1 + random.nextInt(30));
      case "number" -> f.numberNode(Math.round(random.nextDouble() * 1000) / 10.0);
      case "boolean" -> f.booleanNode(random.nextBoolean());
      case "null" -> f.nullNode();
      default -> f.stringNode(WORDS[random.nextInt(WORDS.length)]);
    };
  }

  private static ObjectNode objectFor(JsonNode schema, SplittableRandom random) {
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    JsonNode properties = schema.get("properties");
    if (properties != null && properties.isObject()) {
      for (var property : properties.properties()) {
        object.set(property.getKey(), valueFor(property.getValue(), random));
      }
    }
    return object;
  }

  private static String typeOf(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return schema.has("properties") ? "object" : "string";
    }
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (!t.asString().equals("null")) {
          return t.asString();
        }
      }
      return "null";
    }
    return type.asString();
  }
}
