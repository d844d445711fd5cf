package dev.junction.simulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Deterministic unit vectors, one per input, with exact token usage. */
final class Embeddings {

  private static final int DEFAULT_DIMENSIONS = 32;

  private Embeddings() {}

  /** @throws Answer.BadRequest naming the field it cannot use */
  static byte[] answer(JsonNode body) {
    String model = Answer.requiredString(body, "model");
    List<String> inputs = inputs(body.get("input"));
    int dimensions = Answer.count(body, "dimensions", 1, 8192, DEFAULT_DIMENSIONS);
    boolean base64 = body.path("encoding_format").asString("float").equals("base64");
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String input = inputs.get(i);
      tokens += Math.max(1, Text.tokens(input));
      float[] vector = vector(input, dimensions);
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * dimensions).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
          bytes.putFloat(v);
        }
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float v : vector) {
          values.add(v);
        }
      }
    }
    root.put("model", model);
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  private static float[] vector(String input, int dimensions) {
    SplittableRandom random = new SplittableRandom(input.hashCode());
    float[] v = new float[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) (random.nextDouble() * 2 - 1);
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimensions; i++) {
      v[i] *= scale;
    }
    return v;
  }

  /** A string, strings, a token array or token arrays, each becoming one input. */
  private static List<String> inputs(JsonNode input) {
    List<String> out = new ArrayList<>();
    if (input != null && input.isString()) {
      out.add(input.asString());
    } else if (input != null && input.isArray() && !input.isEmpty()) {
      if (input.get(0).isNumber()) {
        out.add(tokenText(input));
      } else {
        for (JsonNode item : input) {
          if (item.isString()) {
            out.add(item.asString());
          } else if (item.isArray()) {
            out.add(tokenText(item));
          } else {
            throw new Answer.BadRequest("input", "`input` items must be strings or arrays of token ids.");
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new Answer.BadRequest("input", "`input` must be a non-empty string or array.");
    }
    return out;
  }

  private static String tokenText(JsonNode tokens) {
    StringBuilder text = new StringBuilder();
    tokens.forEach(t -> text.append(t.asString()).append(' '));
    return text.toString();
  }
}
