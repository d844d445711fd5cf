package dev.junction.simulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the simulator answers on {@code POST /v2/chat}, in the format of Cohere's Chat API v2, as
 * strictly as its reference states the request: {@code model} and {@code messages} required, the
 * roles {@code system}, {@code user}, {@code assistant} and {@code tool} only, typed content blocks,
 * every tool message answering a call of the assistant turn before it, {@code tool_choice} only
 * {@code REQUIRED} or {@code NONE}, no {@code response_format} together with tools, sampling within
 * Cohere's ranges, at most five stop sequences, unknown fields refused. The answer is planned as a
 * chat completion would be and written as Cohere writes it: a tool-calling answer states its
 * {@code tool_plan} first, and its usage counts both what is billed ({@code billed_units}) and what
 * was processed ({@code tokens}, which adds the preamble Cohere puts before every prompt and does not
 * bill). The stream is SSE whose events each have an {@code event:} line and a {@code type} in their
 * data, and no end marker after {@code message-end}.
 */
final class CohereAnswer {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> FIELDS = Set.of("model", "messages", "stream", "tools", "strict_tools",
      "documents", "citation_options", "response_format", "safety_mode", "max_tokens", "stop_sequences",
      "temperature", "seed", "frequency_penalty", "presence_penalty", "k", "p", "logprobs", "tool_choice", "thinking",
      "priority");
  /** The tokens of the preamble Cohere adds to every prompt: processed, never billed. */
  static final int PREAMBLE_TOKENS = 24;
  /** The tool plan a tool-calling answer states before its calls, one token a piece. */
  private static final List<String> PLAN = List.of("I", " will", " use", " the", " tools.");
  private static final int DEFAULT_MAX_TOKENS = 16;

  private final Answer plan;
  private final String id;
  private final boolean stopSequences;
  private final int maxTokens;

  private CohereAnswer(Answer plan, boolean stopSequences, int maxTokens) {
    this.plan = plan;
    this.id = "sim-cohere-" + plan.idSuffix();
    this.stopSequences = stopSequences;
    this.maxTokens = maxTokens;
  }

  /** @throws Answer.BadRequest with Cohere's message, naming the field */
  static CohereAnswer plan(JsonNode body, PromptCache cache) {
    if (!body.isObject()) {
      throw bad(null, "invalid request: the body must be a JSON object.");
    }
    for (var field : body.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        throw bad(field.getKey(), "invalid request: unknown field: parameter " + field.getKey()
            + " is not a valid field");
      }
    }
    JsonNode model = body.get("model");
    if (model == null || !model.isString() || model.asString().isEmpty()) {
      throw bad("model", "invalid request: model must be a non-empty string.");
    }
    ObjectNode chat = NODES.objectNode().put("model", model.asString());
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw bad("messages", "invalid request: messages must be a non-empty list.");
    }
    chat.set("messages", messages(messages));
    boolean answered = messages.get(messages.size() - 1).path("role").asString("").equals("tool");
    JsonNode tools = body.get("tools");
    if (tools != null && !tools.isNull()) {
      if (!tools.isArray()) throw bad("tools", "invalid request: tools must be a list.");
      for (int t = 0; t < tools.size(); t++) {
        JsonNode tool = tools.get(t);
        JsonNode function = tool.path("function");
        if (!tool.path("type").asString("").equals("function") || !function.path("name").isString()
            || !function.path("parameters").isObject()) {
          throw bad("tools[" + t + "]", "invalid request: tools[" + t + "] must be of type function, with a name and "
              + "parameters.");
        }
      }
      // Once the calls are answered, the model answers them in words.
      if (!tools.isEmpty() && !answered) chat.set("tools", tools);
    }
    boolean withTools = tools != null && tools.isArray() && !tools.isEmpty();
    JsonNode choice = body.get("tool_choice");
    if (choice != null && !choice.isNull()) {
      switch (choice.asString("")) {
        case "REQUIRED" -> {
          if (!withTools) throw bad("tool_choice", "invalid request: tool_choice REQUIRED needs tools.");
        }
        case "NONE" -> chat.put("tool_choice", "none");
        default -> throw bad("tool_choice", "invalid request: tool_choice must be one of REQUIRED, NONE.");
      }
    }
    JsonNode format = body.get("response_format");
    if (format != null && !format.isNull()) {
      String type = format.path("type").asString("");
      if (!type.equals("text") && !type.equals("json_object")) {
        throw bad("response_format", "invalid request: response_format.type must be one of text, json_object.");
      }
      if (format.has("json_schema") && !type.equals("json_object")) {
        throw bad("response_format", "invalid request: json_schema requires response_format.type json_object.");
      }
      if (type.equals("json_object") && withTools) {
        throw bad("response_format", "invalid request: response_format is not supported with tools or documents.");
      }
      if (type.equals("json_object")) {
        ObjectNode converted = chat.putObject("response_format");
        if (format.path("json_schema").isObject()) {
          converted.put("type", "json_schema").putObject("json_schema").put("name", "response")
              .set("schema", format.get("json_schema"));
        } else {
          converted.put("type", "json_object");
        }
      }
    }
    range(body, "temperature", 0, 1);
    range(body, "p", 0.01, 0.99);
    range(body, "k", 0, 500);
    range(body, "frequency_penalty", 0, 1);
    range(body, "presence_penalty", 0, 1);
    if (body.has("max_tokens")) {
      if (!body.get("max_tokens").isIntegralNumber() || body.get("max_tokens").asLong() < 1) {
        throw bad("max_tokens", "invalid request: max_tokens must be a positive integer.");
      }
      chat.put("max_tokens", body.get("max_tokens").asInt());
    }
    JsonNode stop = body.get("stop_sequences");
    boolean stops = stop != null && stop.isArray() && !stop.isEmpty();
    if (stop != null && stop.size() > 5) {
      throw bad("stop_sequences", "invalid request: stop_sequences can have at most 5 entries.");
    }
    if (stops) chat.set("stop", stop);
    if (body.has("seed")) chat.put("seed", body.path("seed").asLong());
    JsonNode thinking = body.get("thinking");
    if (thinking != null && !thinking.isNull()) {
      String type = thinking.path("type").asString("");
      if (!type.equals("enabled") && !type.equals("disabled")) {
        throw bad("thinking", "invalid request: thinking.type must be one of enabled, disabled.");
      }
    }
    return new CohereAnswer(Answer.chat(chat, cache), stops, chat.path("max_tokens").asInt(DEFAULT_MAX_TOKENS));
  }

  private static Answer.BadRequest bad(@Nullable String param, String message) {
    return new Answer.BadRequest(param, message);
  }

  private static void range(JsonNode body, String field, double min, double max) {
    JsonNode v = body.get(field);
    if (v != null && !v.isNull() && (!v.isNumber() || v.asDouble() < min || v.asDouble() > max)) {
      throw bad(field, "invalid request: " + field + " must be between " + min + " and " + max + ".");
    }
  }

  /** Cohere's messages, checked, as the chat messages the simulator plans from. */
  private static ArrayNode messages(JsonNode messages) {
    ArrayNode out = NODES.arrayNode();
    Set<String> calls = new HashSet<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String at = "messages[" + i + "]";
      String role = m.path("role").asString("");
      JsonNode content = m.get("content");
      switch (role) {
        case "system" -> {
          content(content, at, Set.of("text"), true);
          out.addObject().put("role", "system").set("content", content);
        }
        case "user" -> {
          content(content, at, Set.of("text", "image_url"), true);
          out.addObject().put("role", "user").set("content", content);
          calls.clear();
        }
        case "assistant" -> {
          content(content, at, Set.of("text", "thinking"), false);
          calls.clear();
          ObjectNode assistant = out.addObject().put("role", "assistant");
          String said = m.path("tool_plan").asString("") + " " + (content == null ? "" : content.toString());
          assistant.put("content", said.strip());
          JsonNode toolCalls = m.get("tool_calls");
          if (toolCalls != null && !toolCalls.isNull()) {
            for (int c = 0; c < toolCalls.size(); c++) {
              JsonNode call = toolCalls.get(c);
              if (!call.path("id").isString() || !call.path("type").asString("").equals("function")
                  || !call.path("function").path("name").isString()) {
                throw bad(at + ".tool_calls[" + c + "]", "invalid request: " + at + ".tool_calls[" + c
                    + "] needs an id, type function and a function name.");
              }
              calls.add(call.path("id").asString());
            }
            assistant.set("tool_calls", toolCalls);
          }
          if (content == null && (toolCalls == null || toolCalls.isEmpty())) {
            throw bad(at, "invalid request: an assistant message needs content or tool_calls.");
          }
        }
        case "tool" -> {
          String answers = m.path("tool_call_id").asString(null);
          if (answers == null || !calls.contains(answers)) {
            throw bad(at + ".tool_call_id", "invalid request: " + at + ".tool_call_id must be the id of a tool call "
                + "of the assistant message before it.");
          }
          content(content, at, Set.of("text", "document"), true);
          out.addObject().put("role", "tool").put("tool_call_id", answers).set("content", content);
        }
        default -> throw bad(at + ".role", "invalid request: " + at + ".role must be one of system, user, assistant, "
            + "tool.");
      }
    }
    return out;
  }

  /** A string, or typed blocks of the kinds this role may hold. */
  private static void content(@Nullable JsonNode content, String at, Set<String> kinds, boolean required) {
    if (content == null || content.isNull()) {
      if (required) throw bad(at + ".content", "invalid request: " + at + ".content is required.");
      return;
    }
    if (content.isString()) {
      return;
    }
    if (!content.isArray()) {
      throw bad(at + ".content", "invalid request: " + at + ".content must be a string or a list of content blocks.");
    }
    for (int b = 0; b < content.size(); b++) {
      JsonNode block = content.get(b);
      String type = block.path("type").asString("");
      if (!kinds.contains(type)) {
        throw bad(at + ".content[" + b + "].type", "invalid request: " + at + ".content[" + b + "].type must be one of "
            + String.join(", ", kinds.stream().sorted().toList()) + ".");
      }
      if (type.equals("image_url") && !block.path("image_url").path("url").isString()) {
        throw bad(at + ".content[" + b + "].image_url", "invalid request: image_url.url is required.");
      }
    }
  }

  private Answer.Choice choice() {
    return plan.choices().getFirst();
  }

  private boolean calls() {
    return !choice().calls().isEmpty();
  }

  /** Output tokens: the answer's, and the tool plan's before calls. */
  int outputTokens() {
    return plan.completionTokens() + (calls() ? PLAN.size() : 0);
  }

  long billedInput() {
    return plan.promptTokens();
  }

  long cachedTokens() {
    return plan.cachedTokens();
  }

  private String finishReason() {
    Answer.Choice c = choice();
    return switch (c.finishReason()) {
      case "tool_calls" -> "TOOL_CALL";
      case "length" -> "MAX_TOKENS";
      default -> stopSequences && c.pieces().size() < maxTokens ? "STOP_SEQUENCE" : "COMPLETE";
    };
  }

  private ObjectNode usage() {
    ObjectNode usage = NODES.objectNode();
    usage.putObject("billed_units").put("input_tokens", billedInput()).put("output_tokens", outputTokens());
    usage.putObject("tokens").put("input_tokens", billedInput() + PREAMBLE_TOKENS).put("output_tokens", outputTokens());
    if (cachedTokens() > 0) usage.put("cached_tokens", cachedTokens());
    return usage;
  }

  private static ObjectNode call(Answer.ToolCall call, String arguments) {
    ObjectNode out = NODES.objectNode().put("id", call.name() + "_" + call.id().substring("call_sim".length()))
        .put("type", "function");
    out.putObject("function").put("name", call.name()).put("arguments", arguments);
    return out;
  }

  /** The whole answer. */
  byte[] document() {
    ObjectNode root = NODES.objectNode().put("id", id).put("finish_reason", finishReason());
    ObjectNode message = root.putObject("message").put("role", "assistant");
    if (calls()) {
      message.put("tool_plan", String.join("", PLAN));
      ArrayNode array = message.putArray("tool_calls");
      choice().calls().forEach(c -> array.add(call(c, c.arguments())));
    } else {
      message.putArray("content").addObject().put("type", "text").put("text", choice().text());
    }
    root.set("usage", usage());
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  /** The stream's events, {@code message-start} to {@code message-end}. */
  List<Answer.Event> events() {
    List<Answer.Event> events = new ArrayList<>();
    ObjectNode start = NODES.objectNode().put("id", id).put("type", "message-start");
    start.putObject("delta").putObject("message").put("role", "assistant");
    events.add(event(start, false));
    if (calls()) {
      for (String piece : PLAN) {
        ObjectNode plan = NODES.objectNode().put("type", "tool-plan-delta");
        plan.putObject("delta").putObject("message").put("tool_plan", piece);
        events.add(event(plan, true));
      }
      List<Answer.ToolCall> calls = choice().calls();
      for (int c = 0; c < calls.size(); c++) {
        ObjectNode callStart = NODES.objectNode().put("type", "tool-call-start").put("index", c);
        callStart.putObject("delta").putObject("message").set("tool_calls", call(calls.get(c), ""));
        events.add(event(callStart, false));
        for (String piece : calls.get(c).pieces()) {
          ObjectNode delta = NODES.objectNode().put("type", "tool-call-delta").put("index", c);
          delta.putObject("delta").putObject("message").putObject("tool_calls").putObject("function")
              .put("arguments", piece);
          events.add(event(delta, true));
        }
        events.add(event(NODES.objectNode().put("type", "tool-call-end").put("index", c), false));
      }
    } else {
      ObjectNode contentStart = NODES.objectNode().put("type", "content-start").put("index", 0);
      contentStart.putObject("delta").putObject("message").putObject("content").put("type", "text").put("text", "");
      events.add(event(contentStart, false));
      for (String piece : choice().pieces()) {
        ObjectNode delta = NODES.objectNode().put("type", "content-delta").put("index", 0);
        delta.putObject("delta").putObject("message").putObject("content").put("text", piece);
        events.add(event(delta, true));
      }
      events.add(event(NODES.objectNode().put("type", "content-end").put("index", 0), false));
    }
    events.add(end(finishReason(), null));
    return events;
  }

  /**
   * The stream broken mid-way as Cohere reports it: the events up to the third text piece, then a
   * {@code message-end} whose finish reason is {@code ERROR}, with the error.
   */
  List<Answer.Event> failing() {
    List<Answer.Event> events = new ArrayList<>(events().subList(0, Math.min(5, events().size() - 1)));
    events.add(end("ERROR", "internal server error, this has been reported to our developers"));
    return events;
  }

  private Answer.Event end(String reason, @Nullable String error) {
    ObjectNode end = NODES.objectNode().put("id", id).put("type", "message-end");
    ObjectNode delta = end.putObject("delta");
    if (error != null) delta.put("error", error);
    delta.put("finish_reason", reason);
    if (error == null) delta.set("usage", usage());
    return event(end, false);
  }

  private static Answer.Event event(ObjectNode data, boolean token) {
    return new Answer.Event("event: " + data.path("type").asString() + "\ndata: "
        + SimulatorJson.MAPPER.writeValueAsString(data) + "\n\n", token);
  }

  /** Cohere's error body: {@code {"id","message"}}. */
  static byte[] error(@Nullable String message) {
    ObjectNode root = NODES.objectNode().put("id", "sim-error-" + Long.toHexString(System.nanoTime() & 0xffffffL));
    root.put("message", message);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }
}
