package dev.junction.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the simulator answers on {@code POST /v1beta/models/{model}:generateContent} (and
 * {@code :streamGenerateContent?alt=sse}), in Gemini's format, as strictly as Gemini checks a request:
 * {@code contents} required, only {@code user} and {@code model} turns (the system prompt is
 * {@code systemInstruction}), one kind of data per part, unknown fields refused, and, as Gemini 3
 * does, a function-calling turn sent back without the {@code thoughtSignature} it was given refused.
 * The answer is planned as a chat completion would be and written as Gemini writes it: usage with the
 * cached tokens inside {@code promptTokenCount} and the thoughts outside {@code candidatesTokenCount}.
 */
final class GeminiAnswer {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> FIELDS = Set.of("contents", "systemInstruction", "tools", "toolConfig",
      "generationConfig", "safetySettings", "cachedContent");
  private static final Set<String> GENERATION = Set.of("temperature", "topP", "topK", "maxOutputTokens",
      "stopSequences", "candidateCount", "seed", "responseMimeType", "responseSchema", "responseJsonSchema",
      "thinkingConfig", "presencePenalty", "frequencyPenalty");
  private static final Set<String> PART_DATA = Set.of("text", "inlineData", "fileData", "functionCall",
      "functionResponse");
  private static final String SIGNED = "sim-thought:";

  private final Answer plan;
  private final String id;
  private final boolean thinking;
  private final boolean includeThoughts;

  private GeminiAnswer(Answer plan, boolean thinking, boolean includeThoughts) {
    this.plan = plan;
    this.id = "sim" + plan.idSuffix();
    this.thinking = thinking;
    this.includeThoughts = includeThoughts;
  }

  /** @throws Answer.BadRequest naming the field, in Gemini's words */
  static GeminiAnswer plan(String model, JsonNode body, PromptCache cache) {
    if (!body.isObject()) {
      throw new Answer.BadRequest(null, "Invalid JSON payload received. Expected an object.");
    }
    for (var field : body.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        throw unknown(field.getKey(), "");
      }
    }
    ObjectNode chat = NODES.objectNode().put("model", model);
    ArrayNode messages = chat.putArray("messages");
    JsonNode system = body.get("systemInstruction");
    if (system != null) {
      messages.addObject().put("role", "system").set("content", text(system.path("parts"), "systemInstruction"));
    }
    JsonNode contents = body.get("contents");
    if (contents == null || !contents.isArray() || contents.isEmpty()) {
      throw new Answer.BadRequest("contents", "* GenerateContentRequest.contents: contents is not specified");
    }
    boolean lastHasResponses = false;
    for (int i = 0; i < contents.size(); i++) {
      JsonNode content = contents.get(i);
      String at = "contents[" + i + "]";
      String role = content.path("role").asString("user");
      if (!role.equals("user") && !role.equals("model")) {
        throw new Answer.BadRequest(at + ".role", "Please use a valid role: user, model.");
      }
      JsonNode parts = content.get("parts");
      if (parts == null || !parts.isArray() || parts.isEmpty()) {
        throw new Answer.BadRequest(at + ".parts", "* GenerateContentRequest." + at + ".parts: contents.parts must not be empty.");
      }
      boolean firstCall = true;
      lastHasResponses = false;
      for (int p = 0; p < parts.size(); p++) {
        JsonNode part = parts.get(p);
        String partAt = at + ".parts[" + p + "]";
        check(part, partAt, role);
        if (part.has("functionCall")) {
          if (firstCall && !signed(part.path("thoughtSignature").asString(""))) {
            throw new Answer.BadRequest(partAt + ".thoughtSignature", "Function call is missing a thought_signature in "
                + "functionCall parts. This is required for tools to work correctly. Additional data, function call `"
                + part.path("functionCall").path("name").asString() + "`, position " + (p + 1) + ".");
          }
          firstCall = false;
        }
        lastHasResponses |= part.has("functionResponse");
      }
      messages.addObject().put("role", role.equals("model") ? "assistant" : "user").set("content", text(parts, at));
    }
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray() && !lastHasResponses) {
      ArrayNode converted = NODES.arrayNode();
      for (int t = 0; t < tools.size(); t++) {
        for (JsonNode f : tools.get(t).path("functionDeclarations")) {
          if (!f.path("name").isString()) {
            throw new Answer.BadRequest("tools[" + t + "]", "* GenerateContentRequest.tools[" + t
                + "].function_declarations: name is required");
          }
          ObjectNode function = converted.addObject().put("type", "function").putObject("function")
              .put("name", f.path("name").asString());
          JsonNode schema = f.has("parametersJsonSchema") ? f.get("parametersJsonSchema") : f.get("parameters");
          if (schema != null) function.set("parameters", schema);
        }
      }
      if (!converted.isEmpty()) chat.set("tools", converted);
      JsonNode config = body.path("toolConfig").path("functionCallingConfig");
      String mode = config.path("mode").asString("AUTO");
      switch (mode) {
        case "NONE" -> chat.put("tool_choice", "none");
        case "ANY" -> {
          JsonNode allowed = config.path("allowedFunctionNames");
          if (allowed.size() == 1) {
            chat.putObject("tool_choice").put("type", "function").putObject("function").put("name", allowed.get(0).asString());
          }
        }
        case "AUTO", "VALIDATED", "MODE_UNSPECIFIED" -> {}
        default -> throw new Answer.BadRequest("toolConfig.functionCallingConfig.mode", "Invalid value at "
            + "'tool_config.function_calling_config.mode', \"" + mode + "\"");
      }
    }
    boolean thinking = false;
    boolean includeThoughts = false;
    JsonNode generation = body.get("generationConfig");
    if (generation != null) {
      for (var field : generation.properties()) {
        if (!GENERATION.contains(field.getKey())) {
          throw unknown(field.getKey(), "generation_config.");
        }
      }
      JsonNode temperature = generation.get("temperature");
      if (temperature != null && (temperature.asDouble() < 0 || temperature.asDouble() > 2)) {
        throw new Answer.BadRequest("generationConfig.temperature", "* GenerateContentRequest.generation_config."
            + "temperature: temperature must be in the range [0.0, 2.0]");
      }
      if (generation.has("maxOutputTokens")) chat.put("max_tokens", generation.path("maxOutputTokens").asInt());
      if (generation.has("stopSequences")) chat.set("stop", generation.get("stopSequences"));
      if (generation.has("candidateCount")) chat.put("n", generation.path("candidateCount").asInt());
      if (generation.has("seed")) chat.put("seed", generation.path("seed").asLong());
      String mime = generation.path("responseMimeType").asString("text/plain");
      JsonNode schema = generation.has("responseJsonSchema") ? generation.get("responseJsonSchema")
          : generation.get("responseSchema");
      if (schema != null && !mime.equals("application/json")) {
        throw new Answer.BadRequest("generationConfig.responseMimeType", "* GenerateContentRequest.generation_config."
            + "response_mime_type: a response schema requires response_mime_type application/json");
      }
      if (mime.equals("application/json")) {
        ObjectNode format = chat.putObject("response_format");
        if (schema != null) {
          format.put("type", "json_schema").putObject("json_schema").put("name", "response").set("schema", schema);
        } else {
          format.put("type", "json_object");
        }
      }
      JsonNode config = generation.path("thinkingConfig");
      thinking = config.path("thinkingBudget").asInt(0) > 0 || config.has("thinkingLevel");
      includeThoughts = thinking && config.path("includeThoughts").asBoolean(false);
    }
    return new GeminiAnswer(Answer.chat(chat, cache), thinking, includeThoughts);
  }

  private static Answer.BadRequest unknown(String name, String under) {
    return new Answer.BadRequest(name, "Invalid JSON payload received. Unknown name \"" + name + "\" at '" + under
        + "': Cannot find field.");
  }

  /** One part: exactly one kind of data, each in the turn that may hold it. */
  private static void check(JsonNode part, String at, String role) {
    int data = 0;
    for (var field : part.properties()) {
      String name = field.getKey();
      if (PART_DATA.contains(name)) {
        data++;
      } else if (!name.equals("thought") && !name.equals("thoughtSignature")) {
        throw unknown(name, at);
      }
    }
    if (data != 1) {
      throw new Answer.BadRequest(at, "* GenerateContentRequest." + at + ".data: required oneof field 'data' must have "
          + "one initialized field");
    }
    if (part.has("inlineData") && (!part.path("inlineData").path("mimeType").isString()
        || !part.path("inlineData").path("data").isString())) {
      throw new Answer.BadRequest(at + ".inlineData", "* GenerateContentRequest." + at + ".inline_data: mime_type and "
          + "data are required");
    }
    if (part.has("fileData") && !part.path("fileData").path("fileUri").isString()) {
      throw new Answer.BadRequest(at + ".fileData", "* GenerateContentRequest." + at + ".file_data.file_uri: required");
    }
    if (part.has("functionCall") && !role.equals("model")) {
      throw new Answer.BadRequest(at, "Please ensure that function call turns come from the model.");
    }
    if (part.has("functionResponse") && (!role.equals("user") || !part.path("functionResponse").path("name").isString()
        || !part.path("functionResponse").path("response").isObject())) {
      throw new Answer.BadRequest(at, "Please ensure that function response turns come from the user, with a name and "
          + "a response object.");
    }
  }

  private static boolean signed(String signature) {
    try {
      return new String(Base64.getDecoder().decode(signature), StandardCharsets.UTF_8).startsWith(SIGNED);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A turn's parts as the words the simulator counts. */
  private static ArrayNode text(JsonNode parts, String at) {
    ArrayNode out = NODES.arrayNode();
    for (JsonNode part : parts) {
      if (part.has("text")) {
        out.addObject().put("type", "text").put("text", part.path("text").asString());
      } else if (part.has("inlineData") || part.has("fileData")) {
        out.addObject().put("type", "image");
      } else if (part.has("functionCall")) {
        out.addObject().put("type", "text").put("text", part.path("functionCall").path("args").toString().replace(",", " "));
      } else if (part.has("functionResponse")) {
        out.addObject().put("type", "text").put("text", part.path("functionResponse").path("response").toString());
      }
    }
    return out;
  }

  private List<String> thoughtWords() {
    return Text.words(id.hashCode(), 6);
  }

  int thoughtsTokens() {
    return thinking ? thoughtWords().size() : 0;
  }

  int candidatesTokens() {
    return plan.completionTokens();
  }

  long promptTokens() {
    return plan.promptTokens();
  }

  long cachedTokens() {
    return plan.cachedTokens();
  }

  private String signature() {
    return Base64.getEncoder().encodeToString((SIGNED + id).getBytes(StandardCharsets.UTF_8));
  }

  private ObjectNode usage() {
    ObjectNode usage = NODES.objectNode().put("promptTokenCount", promptTokens())
        .put("candidatesTokenCount", candidatesTokens());
    if (cachedTokens() > 0) usage.put("cachedContentTokenCount", cachedTokens());
    if (thinking) usage.put("thoughtsTokenCount", thoughtsTokens());
    return usage.put("totalTokenCount", promptTokens() + candidatesTokens() + thoughtsTokens());
  }

  private static String finishReason(Answer.Choice choice) {
    return choice.finishReason().equals("length") ? "MAX_TOKENS" : "STOP";
  }

  /** The whole answer. */
  byte[] document() {
    ObjectNode root = NODES.objectNode();
    ArrayNode candidates = root.putArray("candidates");
    for (Answer.Choice choice : plan.choices()) {
      ObjectNode candidate = candidates.addObject();
      ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
      if (includeThoughts) {
        parts.addObject().put("text", String.join("", thoughtWords())).put("thought", true);
      }
      if (choice.calls().isEmpty()) {
        parts.addObject().put("text", choice.text());
      }
      for (int c = 0; c < choice.calls().size(); c++) {
        parts.add(call(choice.calls().get(c), c == 0));
      }
      candidate.put("finishReason", finishReason(choice)).put("index", choice.index());
    }
    root.set("usageMetadata", usage());
    root.put("modelVersion", plan.model()).put("responseId", id);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  /** A call whole, as Gemini streams it too; Gemini 3 signs the first of a turn's calls. */
  private ObjectNode call(Answer.ToolCall call, boolean first) {
    ObjectNode part = NODES.objectNode();
    part.putObject("functionCall").put("name", call.name()).set("args", SimulatorJson.MAPPER.readTree(call.arguments()));
    if (first) part.put("thoughtSignature", signature());
    return part;
  }

  /** The stream's events: one response per token or call, the last with the finish reason and the usage. */
  List<Answer.Event> events() {
    Answer.Choice choice = plan.choices().getFirst();
    List<Answer.Event> events = new ArrayList<>();
    if (includeThoughts) {
      for (String word : thoughtWords()) {
        events.add(chunk(NODES.objectNode().put("text", word).put("thought", true), null, true));
      }
    }
    if (choice.calls().isEmpty()) {
      for (String piece : choice.pieces()) {
        events.add(chunk(NODES.objectNode().put("text", piece), null, true));
      }
    }
    for (int c = 0; c < choice.calls().size(); c++) {
      events.add(chunk(call(choice.calls().get(c), c == 0), null, true));
    }
    events.add(chunk(NODES.objectNode().put("text", ""), finishReason(choice), false));
    return events;
  }

  private Answer.Event chunk(ObjectNode part, @Nullable String finish, boolean token) {
    ObjectNode root = NODES.objectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    candidate.putObject("content").put("role", "model").putArray("parts").add(part);
    if (finish != null) {
      candidate.put("finishReason", finish);
    }
    candidate.put("index", 0);
    if (finish != null) {
      root.set("usageMetadata", usage());
    }
    root.put("modelVersion", plan.model()).put("responseId", id);
    return new Answer.Event("data: " + SimulatorJson.MAPPER.writeValueAsString(root) + "\r\n\r\n", token);
  }

  /** Google's error body: {@code {"error":{"code","message","status"}}}. */
  static byte[] error(int status, @Nullable String message) {
    String code = switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> "INTERNAL";
    };
    ObjectNode root = NODES.objectNode();
    root.putObject("error").put("code", status).put("message", message).put("status", code);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }
}
