package dev.junction.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the simulator answers on {@code POST /model/{modelId}/converse} and {@code converse-stream}, in
 * Amazon Bedrock's Converse format, as strictly as Bedrock checks a request: only {@code user} and
 * {@code assistant} turns (the system prompt is top-level), the first turn the user's, typed content
 * blocks, every {@code toolUse} answered by a {@code toolResult} in the next turn, a {@code toolConfig}
 * whenever tool blocks appear, images inline only. The answer is planned as a chat completion would be
 * and written as Bedrock writes it: usage split into uncached input, cache reads and cache writes (when
 * the request sets a {@code cachePoint}), and the stream as AWS's binary event stream, real CRCs and all.
 */
final class BedrockAnswer {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> FIELDS = Set.of("messages", "system", "inferenceConfig", "toolConfig",
      "additionalModelRequestFields", "requestMetadata", "guardrailConfig", "promptVariables",
      "additionalModelResponseFieldPaths", "performanceConfig");
  private static final Set<String> BLOCKS = Set.of("text", "image", "toolUse", "toolResult", "reasoningContent",
      "cachePoint", "document", "video", "guardContent");
  private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");
  /** Above this, the answer ends by itself (end_turn) rather than at maxTokens. */
  private static final int NATURAL_LENGTH = 16;

  private final Answer plan;
  private final boolean reasoning;
  private final long input;
  private final long cacheRead;
  private final long cacheWrite;

  private BedrockAnswer(Answer plan, boolean reasoning, boolean cachePoint) {
    this.plan = plan;
    this.reasoning = reasoning;
    this.cacheRead = plan.cachedTokens();
    this.cacheWrite = cachePoint ? (plan.promptTokens() - cacheRead) / 2 : 0;
    this.input = plan.promptTokens() - cacheRead - cacheWrite;
  }

  /** @throws Answer.BadRequest with Bedrock's ValidationException message */
  static BedrockAnswer plan(String modelId, JsonNode body, PromptCache cache) {
    if (!body.isObject()) {
      throw new Answer.BadRequest(null, "Malformed input request, please reformat your input and try again.");
    }
    for (var field : body.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        throw new Answer.BadRequest(field.getKey(), "Malformed input request: extraneous key ["
            + field.getKey() + "] is not permitted, please reformat your input and try again.");
      }
    }
    ObjectNode chat = NODES.objectNode().put("model", modelId);
    ArrayNode messages = chat.putArray("messages");
    JsonNode system = body.get("system");
    boolean cachePoint = false;
    if (system != null) {
      if (!system.isArray()) {
        throw new Answer.BadRequest("system", "1 validation error detected: Value at 'system' failed to satisfy "
            + "constraint: Member must be a list");
      }
      cachePoint = system.toString().contains("\"cachePoint\"");
      messages.addObject().put("role", "system").set("content", words(system));
    }
    JsonNode input = body.get("messages");
    if (input == null || !input.isArray() || input.isEmpty()) {
      throw new Answer.BadRequest("messages", "A conversation must start with a user message. Try again with a "
          + "conversation that starts with a user message.");
    }
    boolean toolBlocks = false;
    Set<String> pending = new HashSet<>();
    boolean lastHasResults = false;
    for (int i = 0; i < input.size(); i++) {
      JsonNode m = input.get(i);
      String role = m.path("role").asString("");
      if (!role.equals("user") && !role.equals("assistant")) {
        throw new Answer.BadRequest("messages." + i + ".role", "1 validation error detected: Value '" + role
            + "' at 'messages." + (i + 1) + ".member.role' failed to satisfy constraint: Member must satisfy enum "
            + "value set: [user, assistant]");
      }
      if (i == 0 && !role.equals("user")) {
        throw new Answer.BadRequest("messages", "A conversation must start with a user message. Try again with a "
            + "conversation that starts with a user message.");
      }
      JsonNode content = m.get("content");
      if (content == null || !content.isArray() || content.isEmpty()) {
        throw new Answer.BadRequest("messages." + i + ".content", "The content field in the Message object at "
            + "messages." + i + " is empty. Add a ContentBlock object to the content field and try again.");
      }
      cachePoint |= content.toString().contains("\"cachePoint\"");
      Set<String> answered = new HashSet<>();
      Set<String> calls = new HashSet<>();
      for (int b = 0; b < content.size(); b++) {
        toolBlocks |= block(content.get(b), "messages." + i + ".content." + b, role, answered, calls);
      }
      if (!pending.isEmpty() && (!role.equals("user") || !answered.containsAll(pending))) {
        throw new Answer.BadRequest("messages." + i, "Expected toolResult blocks at messages." + i
            + ".content for the following Ids: " + String.join(", ", pending.stream().sorted().toList()));
      }
      pending = calls;
      lastHasResults = !answered.isEmpty();
      messages.addObject().put("role", role).set("content", words(content));
    }
    JsonNode toolConfig = body.get("toolConfig");
    if (toolBlocks && (toolConfig == null || !toolConfig.path("tools").isArray())) {
      throw new Answer.BadRequest("toolConfig", "The toolConfig field must be defined when using toolUse and "
          + "toolResult content blocks.");
    }
    if (toolConfig != null && !lastHasResults) {
      tools(toolConfig, chat);
    }
    JsonNode config = body.path("inferenceConfig");
    JsonNode max = config.get("maxTokens");
    if (max != null && (!max.isIntegralNumber() || max.asLong() < 1)) {
      throw new Answer.BadRequest("inferenceConfig.maxTokens", "1 validation error detected: Value at "
          + "'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1");
    }
    if (max != null && max.asInt() <= NATURAL_LENGTH) {
      chat.put("max_tokens", max.asInt());
    }
    JsonNode temperature = config.get("temperature");
    if (temperature != null && (temperature.asDouble() < 0 || temperature.asDouble() > 1)) {
      throw new Answer.BadRequest("inferenceConfig.temperature", "1 validation error detected: Value at "
          + "'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1");
    }
    if (config.has("stopSequences")) {
      chat.set("stop", config.get("stopSequences"));
    }
    boolean reasoning = body.path("additionalModelRequestFields").path("thinking").path("type").asString("")
        .equals("enabled");
    return new BedrockAnswer(Answer.chat(chat, cache), reasoning, cachePoint);
  }

  private static void tools(JsonNode toolConfig, ObjectNode chat) {
    JsonNode tools = toolConfig.path("tools");
    ArrayNode converted = chat.putArray("tools");
    for (int t = 0; t < tools.size(); t++) {
      JsonNode spec = tools.get(t).path("toolSpec");
      if (!spec.path("name").isString() || !spec.path("inputSchema").path("json").isObject()) {
        throw new Answer.BadRequest("toolConfig.tools." + t, "The value at toolConfig.tools." + t
            + ".toolSpec.inputSchema.json.type must be object");
      }
      converted.addObject().put("type", "function").putObject("function")
          .put("name", spec.path("name").asString()).set("parameters", spec.path("inputSchema").get("json"));
    }
    JsonNode choice = toolConfig.path("toolChoice");
    if (choice.has("tool")) {
      chat.putObject("tool_choice").put("type", "function").putObject("function")
          .put("name", choice.path("tool").path("name").asString());
    }
  }

  /** Checks one content block; true when it is a tool block. */
  private static boolean block(JsonNode block, String param, String role, Set<String> answered, Set<String> calls) {
    if (!block.isObject() || block.size() != 1 || !BLOCKS.contains(block.propertyNames().iterator().next())) {
      throw new Answer.BadRequest(param, "The content block at " + param + " must hold exactly one member of: "
          + String.join(", ", BLOCKS.stream().sorted().toList()));
    }
    if (block.has("toolUse")) {
      if (!role.equals("assistant")) {
        throw new Answer.BadRequest(param, "toolUse blocks are only allowed in assistant messages (" + param + ")");
      }
      JsonNode use = block.path("toolUse");
      if (!use.path("toolUseId").isString() || !use.path("name").isString() || !use.path("input").isObject()) {
        throw new Answer.BadRequest(param, "The toolUse block at " + param + " needs a toolUseId, a name and an input");
      }
      calls.add(use.path("toolUseId").asString());
      return true;
    }
    if (block.has("toolResult")) {
      if (!role.equals("user")) {
        throw new Answer.BadRequest(param, "toolResult blocks are only allowed in user messages (" + param + ")");
      }
      answered.add(block.path("toolResult").path("toolUseId").asString());
      return true;
    }
    if (block.has("image")) {
      JsonNode image = block.path("image");
      if (!IMAGE_FORMATS.contains(image.path("format").asString(""))) {
        throw new Answer.BadRequest(param + ".image.format", "The value at " + param + ".image.format must be one "
            + "of png, jpeg, gif, webp");
      }
      if (!image.path("source").path("bytes").isString()) {
        throw new Answer.BadRequest(param + ".image.source", "The image at " + param + " needs its bytes");
      }
    }
    if (block.has("reasoningContent") && block.path("reasoningContent").has("reasoningText")
        && block.path("reasoningContent").path("reasoningText").path("signature").asString("").isEmpty()) {
      throw new Answer.BadRequest(param + ".reasoningContent", "The reasoning text at " + param
          + " must come back with its signature");
    }
    return false;
  }

  /** A turn's blocks as the words the simulator counts: text, tool inputs and results, images. */
  private static JsonNode words(JsonNode content) {
    ArrayNode parts = NODES.arrayNode();
    for (JsonNode block : content) {
      if (block.has("text")) {
        parts.addObject().put("type", "text").put("text", block.path("text").asString());
      } else if (block.has("image")) {
        parts.addObject().put("type", "image");
      } else if (block.has("toolUse")) {
        parts.addObject().put("type", "text").put("text", block.path("toolUse").path("input").toString().replace(",", " "));
      } else if (block.has("toolResult")) {
        parts.addObject().put("type", "text").put("text", block.path("toolResult").path("content").toString());
      }
    }
    return parts;
  }

  int outputTokens() {
    return plan.completionTokens() + (reasoning ? reasoningWords().size() : 0);
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

  private List<String> reasoningWords() {
    return Text.words(plan.idSuffix().hashCode(), 6);
  }

  private String signature() {
    return AnthropicAnswer.signature(reasoningWords());
  }

  private String stopReason() {
    return AnthropicAnswer.stopReason(plan.choices().getFirst());
  }

  private ObjectNode usage() {
    return NODES.objectNode().put("inputTokens", input).put("outputTokens", outputTokens())
        .put("totalTokens", input + cacheRead + cacheWrite + outputTokens())
        .put("cacheReadInputTokens", cacheRead).put("cacheWriteInputTokens", cacheWrite);
  }

  private static String toolId(Answer.ToolCall call) {
    return call.id().replace("call_sim", "tooluse_sim");
  }

  /** The whole answer. */
  byte[] document() {
    Answer.Choice choice = plan.choices().getFirst();
    ObjectNode root = NODES.objectNode();
    ArrayNode content = root.putObject("output").putObject("message").put("role", "assistant").putArray("content");
    if (reasoning) {
      content.addObject().putObject("reasoningContent").putObject("reasoningText")
          .put("text", String.join("", reasoningWords())).put("signature", signature());
    }
    if (choice.calls().isEmpty()) {
      content.addObject().put("text", choice.text());
    }
    for (Answer.ToolCall call : choice.calls()) {
      content.addObject().putObject("toolUse").put("toolUseId", toolId(call)).put("name", call.name())
          .set("input", SimulatorJson.MAPPER.readTree(call.arguments()));
    }
    root.put("stopReason", stopReason());
    root.set("usage", usage());
    root.putObject("metrics").put("latencyMs", 1);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  /** The stream's messages in order, each one binary event-stream message. */
  List<Answer.Event> events() {
    Answer.Choice choice = plan.choices().getFirst();
    List<Answer.Event> events = new ArrayList<>();
    events.add(event("messageStart", NODES.objectNode().put("role", "assistant"), false));
    int index = 0;
    if (reasoning) {
      for (String word : reasoningWords()) {
        events.add(delta(index, NODES.objectNode().set("reasoningContent", NODES.objectNode().put("text", word)), true));
      }
      events.add(delta(index, NODES.objectNode().set("reasoningContent",
          NODES.objectNode().put("signature", signature())), false));
      events.add(stop(index++));
    }
    if (choice.calls().isEmpty()) {
      for (String piece : choice.pieces()) {
        events.add(delta(index, NODES.objectNode().put("text", piece), true));
      }
      events.add(stop(index++));
    }
    for (Answer.ToolCall call : choice.calls()) {
      ObjectNode start = NODES.objectNode().put("contentBlockIndex", index);
      start.putObject("start").putObject("toolUse").put("toolUseId", toolId(call)).put("name", call.name());
      events.add(event("contentBlockStart", start, false));
      for (String piece : call.pieces()) {
        events.add(delta(index, NODES.objectNode().set("toolUse", NODES.objectNode().put("input", piece)), true));
      }
      events.add(stop(index++));
    }
    events.add(event("messageStop", NODES.objectNode().put("stopReason", stopReason()), false));
    ObjectNode metadata = NODES.objectNode();
    metadata.set("usage", usage());
    metadata.putObject("metrics").put("latencyMs", 1);
    events.add(event("metadata", metadata, false));
    return events;
  }

  private static Answer.Event delta(int index, ObjectNode delta, boolean token) {
    ObjectNode e = NODES.objectNode().put("contentBlockIndex", index);
    e.set("delta", delta);
    return event("contentBlockDelta", e, token);
  }

  private static Answer.Event stop(int index) {
    return event("contentBlockStop", NODES.objectNode().put("contentBlockIndex", index), false);
  }

  private static Answer.Event event(String type, ObjectNode payload, boolean token) {
    return new Answer.Event(message(List.of(":event-type", type, ":content-type", "application/json",
        ":message-type", "event"), SimulatorJson.MAPPER.writeValueAsBytes(payload)), token);
  }

  /** An exception inside the stream, as Bedrock reports one after it started. */
  static byte[] exception(String type, String message) {
    return message(List.of(":exception-type", type, ":content-type", "application/json", ":message-type", "exception"),
        SimulatorJson.MAPPER.writeValueAsBytes(NODES.objectNode().put("message", message)));
  }

  /**
   * One event-stream message: total length, headers length, the prelude's CRC32, headers (string
   * values, type 7), the payload, the message's CRC32.
   *
   * @param headers names and values, alternating
   */
  static byte[] message(List<String> headers, byte[] payload) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    for (int i = 0; i < headers.size(); i += 2) {
      byte[] name = headers.get(i).getBytes(StandardCharsets.UTF_8);
      byte[] value = headers.get(i + 1).getBytes(StandardCharsets.UTF_8);
      h.write(name.length);
      h.writeBytes(name);
      h.write(7);
      h.write(value.length >> 8);
      h.write(value.length & 0xff);
      h.writeBytes(value);
    }
    int total = 12 + h.size() + payload.length + 4;
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(total);
    out.putInt(total).putInt(h.size());
    out.putInt(crc(out.array(), 0, 8));
    out.put(h.toByteArray()).put(payload);
    out.putInt(crc(out.array(), 0, total - 4));
    return out.array();
  }

  private static int crc(byte[] bytes, int at, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, at, length);
    return (int) crc.getValue();
  }

  /** Bedrock's error body, {@code {"message": ...}}; its type goes in the {@code x-amzn-ErrorType} header. */
  static byte[] error(@Nullable String message) {
    return SimulatorJson.MAPPER.writeValueAsBytes(NODES.objectNode().put("message", message));
  }

  /** The exception Bedrock names for a status. */
  static String errorType(int status) {
    return switch (status) {
      case 400 -> "ValidationException";
      case 401, 403 -> "AccessDeniedException";
      case 404 -> "ResourceNotFoundException";
      case 408 -> "ModelTimeoutException";
      case 424 -> "ModelErrorException";
      case 429 -> "ThrottlingException";
      case 503 -> "ServiceUnavailableException";
      default -> "InternalServerException";
    };
  }
}
