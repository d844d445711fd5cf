package dev.junction.simulator;

import org.jspecify.annotations.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the simulator answers on {@code POST /v1/messages}, in Anthropic's Messages format, as strictly
 * as Anthropic's API checks a request: {@code max_tokens} required, only {@code user} and
 * {@code assistant} turns (a {@code system} role is refused: the system prompt is top-level), typed
 * content blocks, every {@code tool_use} answered by a {@code tool_result} in the next turn, thinking
 * blocks sent back with their signature. The answer is planned as a chat completion would be (same
 * words, same tool arguments) and written as Anthropic writes it, usage split into uncached input,
 * cache reads and cache writes (when the request marks {@code cache_control}).
 */
final class AnthropicAnswer {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> BLOCKS = Set.of("text", "image", "tool_use", "tool_result", "thinking",
      "redacted_thinking", "document");
  /** Above this, the answer ends by itself (end_turn) rather than at max_tokens. */
  private static final int NATURAL_LENGTH = 16;

  private final Answer plan;
  private final String id;
  private final boolean thinking;
  private final long input;
  private final long cacheRead;
  private final long cacheWrite;

  private AnthropicAnswer(Answer plan, boolean thinking, boolean cacheControl) {
    this.plan = plan;
    this.id = "msg_sim" + plan.idSuffix();
    this.thinking = thinking;
    this.cacheRead = plan.cachedTokens();
    this.cacheWrite = cacheControl ? (plan.promptTokens() - cacheRead) / 2 : 0;
    this.input = plan.promptTokens() - cacheRead - cacheWrite;
  }

  /** @throws Answer.BadRequest naming the field, in Anthropic's words */
  static AnthropicAnswer plan(JsonNode body, PromptCache cache) {
    String model = Answer.requiredString(body, "model");
    JsonNode max = body.get("max_tokens");
    if (max == null || max.isNull()) {
      throw new Answer.BadRequest("max_tokens", "max_tokens: Field required");
    }
    if (!max.isIntegralNumber() || max.asLong() < 1) {
      throw new Answer.BadRequest("max_tokens", "max_tokens: Input should be a valid integer greater than 0");
    }
    JsonNode temperature = body.get("temperature");
    if (temperature != null && !temperature.isNull() && (temperature.asDouble() < 0 || temperature.asDouble() > 1)) {
      throw new Answer.BadRequest("temperature", "temperature: Input should be less than or equal to 1");
    }
    for (String openAiOnly : List.of("n", "logprobs", "response_format", "stop", "frequency_penalty", "seed")) {
      if (body.has(openAiOnly)) {
        throw new Answer.BadRequest(openAiOnly, openAiOnly + ": Extra inputs are not permitted");
      }
    }
    ObjectNode chat = NODES.objectNode().put("model", model);
    ArrayNode messages = chat.putArray("messages");
    JsonNode system = body.get("system");
    boolean cacheControl = system != null && system.toString().contains("\"cache_control\"");
    if (system != null && !system.isNull()) {
      messages.addObject().put("role", "system").set("content", text(system));
    }
    JsonNode input = body.get("messages");
    if (input == null || !input.isArray() || input.isEmpty()) {
      throw new Answer.BadRequest("messages", "messages: Field required");
    }
    Set<String> pending = new HashSet<>();
    boolean lastHasResults = false;
    int lastAssistant = -1;
    for (int i = 0; i < input.size(); i++) {
      JsonNode m = input.get(i);
      String role = m.path("role").asString("");
      if (!role.equals("user") && !role.equals("assistant")) {
        throw new Answer.BadRequest("messages." + i + ".role", "messages: Unexpected role \"" + role
            + "\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role.");
      }
      JsonNode content = m.get("content");
      if (content == null || !(content.isString() || content.isArray())) {
        throw new Answer.BadRequest("messages." + i + ".content", "messages." + i + ".content: Field required");
      }
      cacheControl |= content.toString().contains("\"cache_control\"");
      Set<String> answered = new HashSet<>();
      Set<String> calls = new HashSet<>();
      if (content.isArray()) {
        for (int b = 0; b < content.size(); b++) {
          block(content.get(b), "messages." + i + ".content." + b, role, answered, calls);
        }
      }
      if (!pending.isEmpty() && (!role.equals("user") || !answered.containsAll(pending))) {
        throw new Answer.BadRequest("messages." + i, "messages." + i + ": `tool_use` ids were found without "
            + "`tool_result` blocks immediately after: " + String.join(", ", pending.stream().sorted().toList())
            + ". Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
      }
      pending = calls;
      lastHasResults = !answered.isEmpty();
      if (role.equals("assistant")) {
        lastAssistant = i;
      }
      messages.addObject().put("role", role).set("content", text(content));
    }
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty() && !lastHasResults) {
      ArrayNode converted = chat.putArray("tools");
      for (int t = 0; t < tools.size(); t++) {
        JsonNode tool = tools.get(t);
        if (!tool.has("name") || !tool.has("input_schema")) {
          throw new Answer.BadRequest("tools." + t, "tools." + t + ".input_schema: Field required");
        }
        cacheControl |= tool.has("cache_control");
        converted.addObject().put("type", "function").putObject("function")
            .put("name", tool.path("name").asString()).set("parameters", tool.get("input_schema"));
      }
      JsonNode choice = body.get("tool_choice");
      if (choice != null && !choice.isNull()) {
        switch (choice.path("type").asString("")) {
          case "tool" -> chat.putObject("tool_choice").put("type", "function").putObject("function")
              .put("name", choice.path("name").asString());
          case "none" -> chat.put("tool_choice", "none");
          case "auto", "any" -> {}
          default -> throw new Answer.BadRequest("tool_choice.type", "tool_choice.type: Input should be 'auto', "
              + "'any', 'tool' or 'none'");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
          chat.put("parallel_tool_calls", false);
        }
      }
    }
    if (max.asInt() <= NATURAL_LENGTH) {
      chat.put("max_tokens", max.asInt());
    }
    JsonNode stop = body.get("stop_sequences");
    if (stop != null && stop.isArray()) {
      chat.set("stop", stop);
    }
    boolean thinking = body.path("thinking").path("type").asString("").equals("enabled");
    if (thinking && lastAssistant >= 0) {
      // Tool use with thinking: the turn that called the tools comes back with its signed thinking first.
      JsonNode content = input.get(lastAssistant).get("content");
      String first = content.isArray() && !content.isEmpty() ? content.get(0).path("type").asString("") : "text";
      boolean calls = content.isArray() && content.toString().contains("\"tool_use\"");
      if (calls && !first.equals("thinking") && !first.equals("redacted_thinking")) {
        throw new Answer.BadRequest("messages." + lastAssistant + ".content.0.type", "messages." + lastAssistant
            + ".content.0.type: Expected `thinking` or `redacted_thinking`, but found `" + first + "`. When `thinking` "
            + "is enabled, a final `assistant` message must start with a thinking block.");
      }
    }
    return new AnthropicAnswer(Answer.chat(chat, cache), thinking, cacheControl);
  }

  /**
   * {@code POST /v1/messages/count_tokens}: the prompt's tokens as a message would bill them, from a
   * Messages request without {@code max_tokens}, leaving the prompt cache as it was.
   */
  static byte[] count(JsonNode body) {
    if (!body.isObject()) {
      throw new Answer.BadRequest(null, "The request body must be a JSON object.");
    }
    ObjectNode asked = (ObjectNode) body.deepCopy();
    asked.put("max_tokens", 1);
    asked.remove("stream");
    AnthropicAnswer planned = plan(asked, new PromptCache(Integer.MAX_VALUE, 1));
    return SimulatorJson.MAPPER.writeValueAsBytes(NODES.objectNode()
        .put("input_tokens", planned.input() + planned.cacheRead() + planned.cacheWrite()));
  }

  /** Checks one content block; collects the tool calls it makes and the results it gives. */
  private static void block(JsonNode block, String param, String role, Set<String> answered, Set<String> calls) {
    String type = block.path("type").asString("");
    if (!BLOCKS.contains(type)) {
      throw new Answer.BadRequest(param + ".type", param + ".type: Input tag '" + type
          + "' found using 'type' does not match any of the expected tags");
    }
    switch (type) {
      case "tool_use" -> {
        if (!role.equals("assistant")) {
          throw new Answer.BadRequest(param, param + ": tool_use blocks are only allowed in assistant messages");
        }
        if (!block.path("id").isString() || !block.path("input").isObject()) {
          throw new Answer.BadRequest(param, param + ": tool_use needs an id and an input object");
        }
        calls.add(block.path("id").asString());
      }
      case "tool_result" -> {
        if (!role.equals("user")) {
          throw new Answer.BadRequest(param, param + ": tool_result blocks are only allowed in user messages");
        }
        answered.add(block.path("tool_use_id").asString());
      }
      case "thinking" -> {
        if (block.path("signature").asString("").isEmpty()) {
          throw new Answer.BadRequest(param + ".signature", param + ".signature: Field required");
        }
      }
      case "image" -> {
        String source = block.path("source").path("type").asString("");
        if (!source.equals("base64") && !source.equals("url")) {
          throw new Answer.BadRequest(param + ".source", param + ".source: Input tag '" + source
              + "' found using 'type' does not match any of the expected tags: 'base64', 'url'");
        }
      }
      default -> {}
    }
  }

  /** A turn's content as the words the simulator counts: text, tool inputs and results, images. */
  private static JsonNode text(JsonNode content) {
    if (content.isString()) {
      return content;
    }
    ArrayNode parts = NODES.arrayNode();
    for (JsonNode block : content) {
      switch (block.path("type").asString("")) {
        case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asString());
        case "image" -> parts.addObject().put("type", "image");
        case "tool_use" -> parts.addObject().put("type", "text").put("text", block.path("input").toString().replace(",", " "));
        case "tool_result" -> parts.addObject().put("type", "text").put("text", text(block.path("content")).toString());
        default -> {}
      }
    }
    return parts;
  }

  int outputTokens() {
    return plan.completionTokens() + (thinking ? thinkingWords().size() : 0);
  }

  long input() {
    return input;
  }

  long cacheRead() {
    return cacheRead;
  }

  long cacheWrite() {
    return cacheWrite;
  }

  private List<String> thinkingWords() {
    return Text.words(id.hashCode(), 6);
  }

  private String signature() {
    return signature(thinkingWords());
  }

  /** The signature the simulator gives a block of thinking words: checked for presence only, as a client sees. */
  static String signature(List<String> words) {
    return "sig_sim" + Integer.toHexString(String.join("", words).hashCode());
  }

  /** Anthropic's stop reason for a planned choice; Bedrock's Converse names them alike. */
  static String stopReason(Answer.Choice choice) {
    return switch (choice.finishReason()) {
      case "tool_calls" -> "tool_use";
      case "length" -> "max_tokens";
      default -> "end_turn";
    };
  }

  private ObjectNode usage(boolean outputSoFar) {
    return NODES.objectNode().put("input_tokens", input).put("cache_creation_input_tokens", cacheWrite)
        .put("cache_read_input_tokens", cacheRead).put("output_tokens", outputSoFar ? 1 : outputTokens());
  }

  /** The whole answer. */
  byte[] document() {
    Answer.Choice choice = plan.choices().getFirst();
    ObjectNode root = NODES.objectNode().put("id", id).put("type", "message").put("role", "assistant")
        .put("model", plan.model());
    ArrayNode content = root.putArray("content");
    if (thinking) {
      content.addObject().put("type", "thinking").put("thinking", String.join("", thinkingWords()))
          .put("signature", signature());
    }
    if (choice.calls().isEmpty()) {
      content.addObject().put("type", "text").put("text", choice.text());
    }
    for (Answer.ToolCall call : choice.calls()) {
      content.addObject().put("type", "tool_use").put("id", toolId(call)).put("name", call.name())
          .set("input", SimulatorJson.MAPPER.readTree(call.arguments()));
    }
    root.put("stop_reason", stopReason(choice)).putNull("stop_sequence");
    root.set("usage", usage(false));
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  private static String toolId(Answer.ToolCall call) {
    return call.id().replace("call_sim", "toolu_sim");
  }

  /** The stream's events in order, without the closing {@code message_stop} ({@link #STOP}). */
  List<Answer.Event> events() {
    Answer.Choice choice = plan.choices().getFirst();
    List<Answer.Event> events = new ArrayList<>();
    ObjectNode start = NODES.objectNode().put("type", "message_start");
    ObjectNode message = start.putObject("message").put("id", id).put("type", "message").put("role", "assistant")
        .put("model", plan.model());
    message.putArray("content");
    message.putNull("stop_reason").putNull("stop_sequence");
    message.set("usage", usage(true));
    events.add(event("message_start", start, false));
    events.add(event("ping", NODES.objectNode().put("type", "ping"), false));
    int index = 0;
    if (thinking) {
      events.add(blockStart(index, NODES.objectNode().put("type", "thinking").put("thinking", "")));
      for (String word : thinkingWords()) {
        events.add(delta(index, NODES.objectNode().put("type", "thinking_delta").put("thinking", word), true));
      }
      events.add(delta(index, NODES.objectNode().put("type", "signature_delta").put("signature", signature()), false));
      events.add(blockStop(index++));
    }
    if (choice.calls().isEmpty()) {
      events.add(blockStart(index, NODES.objectNode().put("type", "text").put("text", "")));
      for (String piece : choice.pieces()) {
        events.add(delta(index, NODES.objectNode().put("type", "text_delta").put("text", piece), true));
      }
      events.add(blockStop(index++));
    }
    for (Answer.ToolCall call : choice.calls()) {
      ObjectNode block = NODES.objectNode().put("type", "tool_use").put("id", toolId(call)).put("name", call.name());
      block.putObject("input");
      events.add(blockStart(index, block));
      for (String piece : call.pieces()) {
        events.add(delta(index, NODES.objectNode().put("type", "input_json_delta").put("partial_json", piece), true));
      }
      events.add(blockStop(index++));
    }
    ObjectNode delta = NODES.objectNode().put("type", "message_delta");
    delta.putObject("delta").put("stop_reason", stopReason(choice)).putNull("stop_sequence");
    delta.putObject("usage").put("output_tokens", outputTokens());
    events.add(event("message_delta", delta, false));
    return events;
  }

  /** The event that ends a whole stream. */
  static final byte[] STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".getBytes(StandardCharsets.UTF_8);

  private static Answer.Event blockStart(int index, ObjectNode block) {
    ObjectNode e = NODES.objectNode().put("type", "content_block_start").put("index", index);
    e.set("content_block", block);
    return event("content_block_start", e, false);
  }

  private static Answer.Event delta(int index, ObjectNode delta, boolean token) {
    ObjectNode e = NODES.objectNode().put("type", "content_block_delta").put("index", index);
    e.set("delta", delta);
    return event("content_block_delta", e, token);
  }

  private static Answer.Event blockStop(int index) {
    return event("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", index), false);
  }

  private static Answer.Event event(String name, ObjectNode data, boolean token) {
    return new Answer.Event("event: " + name + "\ndata: " + SimulatorJson.MAPPER.writeValueAsString(data) + "\n\n", token);
  }

  /** Anthropic's error body: {@code {"type":"error","error":{"type","message"}}}. */
  static byte[] error(int status, @Nullable String message) {
    String type = switch (status) {
      case 400, 413 -> status == 413 ? "request_too_large" : "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> "api_error";
    };
    ObjectNode root = NODES.objectNode().put("type", "error");
    root.putObject("error").put("type", type).put("message", message);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }
}
