package dev.junction.translate;

import dev.junction.api.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The conversation a Responses API request and its answer make, as the gateway keeps it for
 * {@code previous_response_id}: the request's input items, then the answer's output items, which the
 * API accepts back as input. The previous turn's {@code instructions} are not carried over, as
 * OpenAI's API does not.
 */
public final class ResponseHistory {

  private ResponseHistory() {}

  /** A validated request's input as items, JSON: a text input becomes one user message. */
  public static String input(byte[] request) {
    return Json.MAPPER.writeValueAsString(items(Json.MAPPER.readTree(request).get("input")));
  }

  private static ArrayNode items(JsonNode input) {
    if (input != null && input.isArray()) {
      return (ArrayNode) input;
    }
    ArrayNode items = Json.MAPPER.createArrayNode();
    if (input != null && input.isString()) {
      items.addObject().put("type", "message").put("role", "user").put("content", input.asString());
    }
    return items;
  }

  /**
   * A request continuing a stored turn: its input becomes the stored input, the stored response's
   * output, then its own input.
   *
   * @param storedInput the earlier request's input items, as {@link #input} wrote them
   * @param storedResponse the earlier response object
   */
  public static byte[] continued(byte[] request, String storedInput, String storedResponse) {
    ObjectNode root = (ObjectNode) Json.MAPPER.readTree(request);
    ArrayNode input = Json.MAPPER.createArrayNode();
    input.addAll(items(Json.MAPPER.readTree(storedInput)));
    for (JsonNode item : Json.MAPPER.readTree(storedResponse).path("output")) {
      input.add(item);
    }
    input.addAll(items(root.get("input")));
    root.set("input", input);
    return Json.MAPPER.writeValueAsBytes(root);
  }

  /** The id of a response object, or empty when it has none. */
  public static String id(byte[] response) {
    return Translation.tree(response).path("id").asString("");
  }
}
