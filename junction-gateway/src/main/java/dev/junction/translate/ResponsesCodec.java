package dev.junction.translate;

import dev.junction.api.ApiError;
import dev.junction.api.Family;
import dev.junction.api.Json;
import dev.junction.translate.Chat.BlockDelta;
import dev.junction.translate.Chat.BlockStart;
import dev.junction.translate.Chat.ChoiceMode;
import dev.junction.translate.Chat.Draft;
import dev.junction.translate.Chat.Event;
import dev.junction.translate.Chat.FormatKind;
import dev.junction.translate.Chat.Image;
import dev.junction.translate.Chat.Message;
import dev.junction.translate.Chat.Part;
import dev.junction.translate.Chat.Request;
import dev.junction.translate.Chat.Response;
import dev.junction.translate.Chat.ResponseFormat;
import dev.junction.translate.Chat.Role;
import dev.junction.translate.Chat.Stop;
import dev.junction.translate.Chat.Text;
import dev.junction.translate.Chat.Thinking;
import dev.junction.translate.Chat.Tokens;
import dev.junction.translate.Chat.Tool;
import dev.junction.translate.Chat.ToolChoice;
import dev.junction.translate.Chat.ToolResult;
import dev.junction.translate.Chat.ToolUse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's Responses API, a client family only: requests are decoded ({@code instructions} and
 * system or developer messages become the system prompt, {@code function_call} items tool calls of an
 * assistant turn, {@code function_call_output} items tool results of a user turn, reasoning items
 * thinking, their {@code encrypted_content} its signature), and answers encoded as a {@code response}
 * object or its typed, numbered stream events. No provider kind speaks it, so a request is never
 * encoded in it, nor an answer decoded from it.
 */
final class ResponsesCodec implements Codec {

  /** Fields the gateway reads itself and never sends upstream. */
  private static final Set<String> GATEWAY = Set.of("provider", "models", "prompt_cache_key");

  /** Fields the answer repeats, and which no provider is sent. */
  private static final Set<String> ECHOED = Set.of("metadata", "store", "previous_response_id", "background");

  /** What {@code include} may ask for: encrypted reasoning comes back as every reasoning item's signature. */
  private static final Set<String> INCLUDES = Set.of("reasoning.encrypted_content");

  @Override
  public Family family() {
    return Family.RESPONSES;
  }

  // ---- requests

  @Override
  public Request decodeRequest(byte[] body) {
    JsonNode root = Json.MAPPER.readTree(body);
    Draft d = new Draft();
    d.includeUsage = true;
    ObjectNode echo = Json.MAPPER.createObjectNode();
    for (var field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name) {
        case "model" -> {}
        case "instructions" -> {
          if (v.isString() && !v.asString().isEmpty()) d.system.add(new Text(v.asString()));
          echo.set(name, v);
        }
        case "input" -> {
          if (v.isString()) {
            d.messages.add(new Message(Role.USER, List.of(new Text(v.asString()))));
          } else {
            items(v, d.system, d.messages, d.untranslatable);
          }
        }
        case "tools" -> {
          int i = 0;
          for (JsonNode t : v) {
            if (!t.path("type").asString("").equals("function")) {
              d.untranslatable.add("tools[" + i + "]");
            }
            d.tools.add(new Tool(t.path("name").asString(""), OpenAiCodec.text(t.get("description")),
                OpenAiCodec.object(t.get("parameters"))));
            i++;
          }
          echo.set(name, v);
        }
        case "tool_choice" -> {
          d.choice = toolChoice(v, d.untranslatable);
          echo.set(name, v);
        }
        case "parallel_tool_calls" -> {
          d.parallel = v.isNull() ? null : v.asBoolean();
          echo.set(name, v);
        }
        case "text" -> {
          d.format = format(v.get("format"));
          JsonNode verbosity = v.get("verbosity");
          if (verbosity != null && !verbosity.isNull()) d.untranslatable.add("text.verbosity");
          echo.set(name, v);
        }
        case "reasoning" -> {
          d.budget = budget(v.path("effort").asString(null));
          echo.set(name, v);
        }
        case "max_output_tokens" -> {
          d.maxTokens = v.isNull() ? null : Integer.valueOf(v.asInt());
          echo.set(name, v);
        }
        case "temperature" -> {
          d.temperature = v.isNull() ? null : v.asDouble();
          echo.set(name, v);
        }
        case "top_p" -> {
          d.topP = v.isNull() ? null : v.asDouble();
          echo.set(name, v);
        }
        case "stream" -> d.stream = v.asBoolean(false);
        case "stream_options" -> {}
        case "user", "safety_identifier" -> {
          d.user = v.isNull() ? d.user : v.asString();
          echo.set(name, v);
        }
        case "include" -> {
          for (JsonNode i : v) {
            if (!INCLUDES.contains(i.asString(""))) d.untranslatable.add("include");
          }
        }
        case "truncation" -> {
          if (!v.isNull() && !v.asString("").equals("disabled")) d.untranslatable.add(name);
        }
        default -> {
          if (ECHOED.contains(name)) {
            if (name.equals("background") && v.asBoolean(false)) d.untranslatable.add(name);
            echo.set(name, v);
          } else if (!GATEWAY.contains(name) && !OpenAiCodec.asksNothing(v)) {
            // Unknown fields too: never dropped unless they ask for nothing.
            d.untranslatable.add(name);
          }
        }
      }
    }
    d.echo = echo;
    return d.build(root.path("model").asString());
  }

  /** An effort as a thinking budget, as for Chat Completions; {@code minimal} is the least there is. */
  private static @Nullable Integer budget(@Nullable String effort) {
    return "minimal".equals(effort) ? OpenAiCodec.budget("low") : OpenAiCodec.budget(effort);
  }

  /**
   * Input items into turns. Consecutive items of one speaker make one turn: an assistant's reasoning,
   * text and function calls, then the user's function outputs and text.
   */
  private static void items(JsonNode input, List<Part> system, List<Message> out, List<String> untranslatable) {
    int index = 0;
    for (JsonNode item : input) {
      String param = "input[" + index++ + "]";
      String type = item.path("type").asString("message");
      switch (type) {
        case "message" -> {
          List<Part> parts = parts(item.get("content"), param, untranslatable);
          switch (item.path("role").asString("")) {
            case "system", "developer" -> system.addAll(parts);
            case "assistant" -> append(out, Role.ASSISTANT, parts);
            default -> append(out, Role.USER, parts);
          }
        }
        case "function_call" -> append(out, Role.ASSISTANT, List.of(new ToolUse(item.path("call_id").asString(""),
            item.path("name").asString(""), item.path("arguments").asString("{}"))));
        case "function_call_output" -> {
          JsonNode output = item.get("output");
          List<Part> result = output != null && output.isString() ? List.of(new Text(output.asString()))
              : parts(output, param + ".output", untranslatable);
          append(out, Role.USER, List.of(new ToolResult(item.path("call_id").asString(""), result, false)));
        }
        case "reasoning" -> {
          StringBuilder text = new StringBuilder();
          for (JsonNode s : item.path("summary")) text.append(s.path("text").asString(""));
          for (JsonNode s : item.path("content")) text.append(s.path("text").asString(""));
          append(out, Role.ASSISTANT, List.of(new Thinking(text.toString(), OpenAiCodec.text(item.get("encrypted_content")))));
        }
        default -> untranslatable.add(param + ".type");
      }
    }
  }

  private static void append(List<Message> out, Role role, List<Part> parts) {
    if (!out.isEmpty() && out.getLast().role() == role) {
      List<Part> merged = new ArrayList<>(out.getLast().parts());
      merged.addAll(parts);
      out.set(out.size() - 1, new Message(role, merged));
      return;
    }
    out.add(new Message(role, new ArrayList<>(parts)));
  }

  private static List<Part> parts(@Nullable JsonNode content, String param, List<String> untranslatable) {
    return OpenAiCodec.content(content, param, (type, part, at, parts) -> {
      switch (type) {
        case "input_text", "output_text" -> parts.add(new Text(part.path("text").asString("")));
        case "refusal" -> parts.add(new Text(part.path("refusal").asString("")));
        case "input_image" -> {
          JsonNode url = part.get("image_url");
          if (url == null || !url.isString()) {
            untranslatable.add(at + ".file_id"); // an uploaded file: only OpenAI knows it
          } else {
            parts.add(OpenAiCodec.image(url.asString()));
          }
        }
        default -> untranslatable.add(at + ".type");
      }
    });
  }

  private static @Nullable ToolChoice toolChoice(JsonNode v, List<String> untranslatable) {
    if (v.isNull()) {
      return null;
    }
    if (v.isString()) {
      return OpenAiCodec.toolChoice(v.asString());
    }
    if (v.path("type").asString("").equals("function")) {
      return new ToolChoice(ChoiceMode.TOOL, v.path("name").asString());
    }
    untranslatable.add("tool_choice");
    return null;
  }

  private static @Nullable ResponseFormat format(@Nullable JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    return switch (v.path("type").asString("text")) {
      case "json_object" -> new ResponseFormat(FormatKind.JSON_OBJECT, null, null, null);
      case "json_schema" -> new ResponseFormat(FormatKind.JSON_SCHEMA, v.path("name").asString(),
          OpenAiCodec.object(v.get("schema")), v.has("strict") && !v.get("strict").isNull() ? v.get("strict").asBoolean() : null);
      default -> null;
    };
  }

  @Override
  public byte[] encodeRequest(Request request) {
    throw new UnsupportedOperationException("no provider kind speaks the Responses API");
  }

  @Override
  public Response decodeResponse(byte[] body, Request asked) {
    throw new UnsupportedOperationException("no provider kind speaks the Responses API");
  }

  @Override
  public StreamDecoder decoder(@Nullable Request asked) {
    throw new UnsupportedOperationException("no provider kind speaks the Responses API");
  }

  // ---- whole answers

  @Override
  public byte[] encodeResponse(Response r, Request asked) {
    ArrayNode output = Json.MAPPER.createArrayNode();
    StringBuilder text = null;
    for (Part p : r.content()) {
      if (p instanceof Text t) {
        text = text == null ? new StringBuilder(t.text()) : text.append(t.text());
        continue;
      }
      if (text != null) {
        output.add(message(id("msg"), text.toString(), "completed"));
        text = null;
      }
      switch (p) {
        case Thinking t -> output.add(reasoning(id("rs"), t.text(), t.signature()));
        case ToolUse use -> output.add(call(id("fc"), use.id(), use.name(), use.arguments(), "completed"));
        default -> {}
      }
    }
    if (text != null) {
      output.add(message(id("msg"), text.toString(), "completed"));
    }
    String model = r.model() == null || r.model().isEmpty() ? asked.model() : r.model();
    ObjectNode response = response(id("resp"), System.currentTimeMillis() / 1000, model, asked.echo(), output);
    finish(response, r.stop(), r.tokens() == null ? Tokens.NONE : r.tokens());
    return Json.MAPPER.writeValueAsBytes(response);
  }

  /** An id of the given kind, as OpenAI writes them: {@code resp_}, {@code msg_}, {@code fc_}, {@code rs_} and hex. */
  static String id(String kind) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return kind + "_" + hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
  }

  private static ObjectNode message(String id, String text, String status) {
    ObjectNode item = Json.MAPPER.createObjectNode().put("id", id).put("type", "message").put("status", status)
        .put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (text != null && (!text.isEmpty() || status.equals("completed"))) {
      content.add(outputText(text));
    }
    return item;
  }

  private static ObjectNode outputText(String text) {
    ObjectNode part = Json.MAPPER.createObjectNode().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  private static ObjectNode reasoning(String id, String text, @Nullable String signature) {
    ObjectNode item = Json.MAPPER.createObjectNode().put("id", id).put("type", "reasoning");
    ArrayNode summary = item.putArray("summary");
    if (!text.isEmpty()) {
      summary.addObject().put("type", "summary_text").put("text", text);
    }
    if (signature != null) {
      item.put("encrypted_content", signature);
    }
    return item;
  }

  private static ObjectNode call(String id, String callId, String name, String arguments, String status) {
    return Json.MAPPER.createObjectNode().put("id", id).put("type", "function_call").put("status", status)
        .put("call_id", callId).put("name", name).put("arguments", arguments);
  }

  /**
   * A {@code response} object in progress: the request's settings as asked (defaults where it gave
   * none, as OpenAI reports them) and the output so far.
   */
  private static ObjectNode response(String id, long createdAt, String model, @Nullable JsonNode echo, ArrayNode output) {
    JsonNode asked = echo == null ? Json.MAPPER.createObjectNode() : echo;
    ObjectNode r = Json.MAPPER.createObjectNode()
        .put("id", id)
        .put("object", "response")
        .put("created_at", createdAt)
        .put("status", "in_progress");
    r.putNull("error");
    r.putNull("incomplete_details");
    r.set("instructions", orNull(asked.get("instructions")));
    r.set("max_output_tokens", orNull(asked.get("max_output_tokens")));
    r.put("model", model);
    r.set("output", output);
    r.put("parallel_tool_calls", asked.path("parallel_tool_calls").asBoolean(true));
    r.set("previous_response_id", orNull(asked.get("previous_response_id")));
    ObjectNode reasoning = r.putObject("reasoning");
    reasoning.set("effort", orNull(asked.path("reasoning").get("effort")));
    reasoning.putNull("summary");
    r.put("store", asked.path("store").asBoolean(true));
    r.set("temperature", asked.has("temperature") && !asked.get("temperature").isNull() ? asked.get("temperature")
        : Json.MAPPER.getNodeFactory().numberNode(1.0));
    ObjectNode text = r.putObject("text");
    JsonNode format = asked.path("text").get("format");
    if (format != null && !format.isNull()) {
      text.set("format", format);
    } else {
      text.putObject("format").put("type", "text");
    }
    JsonNode choice = asked.get("tool_choice");
    r.set("tool_choice", choice == null || choice.isNull() ? Json.MAPPER.getNodeFactory().stringNode("auto") : choice);
    ArrayNode tools = r.putArray("tools");
    for (JsonNode t : asked.path("tools")) {
      ObjectNode tool = tools.addObject().put("type", "function").put("name", t.path("name").asString(""));
      if (t.hasNonNull("description")) tool.set("description", t.get("description"));
      tool.set("parameters", orNull(t.get("parameters")));
      tool.set("strict", orNull(t.get("strict")));
    }
    r.set("top_p", asked.has("top_p") && !asked.get("top_p").isNull() ? asked.get("top_p")
        : Json.MAPPER.getNodeFactory().numberNode(1.0));
    r.put("truncation", "disabled");
    if (asked.path("user").isString()) r.set("user", asked.get("user"));
    JsonNode metadata = asked.get("metadata");
    r.set("metadata", metadata == null || metadata.isNull() ? Json.MAPPER.createObjectNode() : metadata);
    return r;
  }

  private static JsonNode orNull(@Nullable JsonNode v) {
    return v == null ? Json.MAPPER.getNodeFactory().nullNode() : v;
  }

  /** The response is over: its status (incomplete when cut short by the token limit or a filter) and usage. */
  private static void finish(ObjectNode response, @Nullable Stop stop, Tokens tokens) {
    String incomplete = stop == Stop.MAX_TOKENS ? "max_output_tokens" : stop == Stop.REFUSAL ? "content_filter" : null;
    if (incomplete != null) {
      response.put("status", "incomplete");
      response.putObject("incomplete_details").put("reason", incomplete);
    } else {
      response.put("status", "completed");
      response.put("completed_at", System.currentTimeMillis() / 1000);
    }
    response.set("usage", usage(tokens));
  }

  /** Usage as the Responses API counts it: the whole prompt, its cache reads and writes among it. */
  static ObjectNode usage(Tokens t) {
    ObjectNode usage = Json.MAPPER.createObjectNode().put("input_tokens", t.prompt());
    usage.putObject("input_tokens_details").put("cached_tokens", t.cacheRead()).put("cache_write_tokens", t.cacheWrite());
    usage.put("output_tokens", t.output());
    usage.putObject("output_tokens_details").put("reasoning_tokens", t.reasoning());
    usage.put("total_tokens", t.prompt() + t.output());
    return usage;
  }

  // ---- streams

  @Override
  public StreamEncoder encoder(Request asked) {
    return new Encoder(asked);
  }

  /**
   * Neutral events as the Responses API's typed, numbered events: {@code response.created} and
   * {@code response.in_progress} first; each content block an output item ({@code output_item.added},
   * its part and deltas, {@code output_item.done}); {@code response.completed} (or
   * {@code response.incomplete}) with the whole response last. A stream that breaks ends with
   * {@code error} and {@code response.failed}.
   */
  private static final class Encoder implements StreamEncoder {
    private final Request asked;
    private final String id = id("resp");
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final ArrayNode output = Json.MAPPER.createArrayNode();
    private final Map<Integer, Item> open = new HashMap<>();
    private @Nullable ObjectNode response;
    private int sequence;
    private @Nullable Stop stop;
    private Tokens tokens = Tokens.NONE;
    private @Nullable String answer;

    /** One output item being streamed: its place in the output and what has arrived of it. */
    private static final class Item {
      final Part kind;
      final int outputIndex;
      final String id;
      final StringBuilder text = new StringBuilder();
      @Nullable String signature;

      Item(Part kind, int outputIndex, String id) {
        this.kind = kind;
        this.outputIndex = outputIndex;
        this.id = id;
      }
    }

    Encoder(Request asked) {
      this.asked = asked;
    }

    private ObjectNode response() {
      if (response == null) {
        response = ResponsesCodec.response(id, createdAt, asked.model(), asked.echo(), output);
      }
      return response;
    }

    @Override
    public void encode(Event event, StringBuilder out) {
      switch (event) {
        case Chat.Start s -> {
          if (s.model() != null && !s.model().isEmpty()) {
            response = ResponsesCodec.response(id, createdAt, s.model(), asked.echo(), output);
          }
          emit(out, "response.created", node().set("response", response()));
          emit(out, "response.in_progress", node().set("response", response()));
        }
        case BlockStart b -> start(b, out);
        case BlockDelta d -> delta(d, out);
        case Chat.BlockStop b -> stop(b.index(), out);
        case Chat.Finish f -> {
          stop = f.stop();
          tokens = f.tokens() == null ? Tokens.NONE : f.tokens();
        }
        case Chat.End e -> {
          for (Integer index : List.copyOf(open.keySet())) stop(index, out);
          ObjectNode whole = response();
          finish(whole, stop, tokens);
          emit(out, whole.path("status").asString().equals("incomplete") ? "response.incomplete" : "response.completed",
              node().set("response", whole));
          answer = Json.MAPPER.writeValueAsString(whole);
        }
        case Chat.Failure f -> {}
      }
    }

    private void start(BlockStart b, StringBuilder out) {
      ObjectNode item;
      Item state;
      switch (b.block()) {
        case ToolUse use -> {
          state = new Item(use, output.size(), id("fc"));
          item = call(state.id, use.id(), use.name(), "", "in_progress");
        }
        case Thinking t -> {
          state = new Item(t, output.size(), id("rs"));
          item = reasoning(state.id, "", null);
        }
        case Text t -> {
          state = new Item(t, output.size(), id("msg"));
          item = message(state.id, "", "in_progress");
        }
        default -> {
          return; // redacted thinking: nothing a Responses client can read
        }
      }
      open.put(b.index(), state);
      output.add(item);
      emit(out, "response.output_item.added", node().put("output_index", state.outputIndex).set("item", item));
      if (state.kind instanceof Text) {
        emit(out, "response.content_part.added", node().put("item_id", state.id).put("output_index", state.outputIndex)
            .put("content_index", 0).set("part", outputText("")));
      }
    }

    private void delta(BlockDelta d, StringBuilder out) {
      Item item = open.get(d.index());
      if (item == null) {
        return;
      }
      switch (d.kind()) {
        case TEXT -> {
          item.text.append(d.value());
          // Most events of a stream: written by hand, without a tree.
          out.append("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"")
              .append(item.id).append("\",\"output_index\":").append(item.outputIndex)
              .append(",\"content_index\":0,\"delta\":").append(OpenAiCodec.quote(d.value()))
              .append(",\"logprobs\":[],\"sequence_number\":").append(sequence++).append("}\n\n");
        }
        case JSON -> {
          item.text.append(d.value());
          out.append("event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"")
              .append(item.id).append("\",\"output_index\":").append(item.outputIndex)
              .append(",\"delta\":").append(OpenAiCodec.quote(d.value()))
              .append(",\"sequence_number\":").append(sequence++).append("}\n\n");
        }
        case THINKING -> item.text.append(d.value());
        case SIGNATURE -> item.signature = item.signature == null ? d.value() : item.signature + d.value();
      }
    }

    private void stop(int index, StringBuilder out) {
      Item item = open.remove(index);
      if (item == null) {
        return;
      }
      String text = item.text.toString();
      ObjectNode done;
      switch (item.kind) {
        case Text t -> {
          emit(out, "response.output_text.done", node().put("item_id", item.id).put("output_index", item.outputIndex)
              .put("content_index", 0).put("text", text).set("logprobs", Json.MAPPER.createArrayNode()));
          emit(out, "response.content_part.done", node().put("item_id", item.id).put("output_index", item.outputIndex)
              .put("content_index", 0).set("part", outputText(text)));
          done = message(item.id, text, "completed");
        }
        case ToolUse use -> {
          emit(out, "response.function_call_arguments.done", node().put("item_id", item.id)
              .put("output_index", item.outputIndex).put("name", use.name()).put("arguments", text));
          done = call(item.id, use.id(), use.name(), text, "completed");
        }
        default -> done = reasoning(item.id, text, item.signature);
      }
      output.set(item.outputIndex, done);
      emit(out, "response.output_item.done", node().put("output_index", item.outputIndex).set("item", done));
    }

    @Override
    public String failure(ApiError error) {
      StringBuilder out = new StringBuilder(256);
      ObjectNode event = node().put("code", error.code()).put("message", error.getMessage());
      event.put("param", error.param());
      emit(out, "error", event);
      // What arrived of the items still open, as far as it went.
      for (Item item : open.values()) {
        String text = item.text.toString();
        output.set(item.outputIndex, switch (item.kind) {
          case Text t -> message(item.id, text, "incomplete");
          case ToolUse use -> call(item.id, use.id(), use.name(), text, "incomplete");
          default -> reasoning(item.id, text, item.signature);
        });
      }
      open.clear();
      ObjectNode failed = response();
      failed.put("status", "failed");
      failed.putObject("error").put("code", error.status() == 429 ? "rate_limit_exceeded" : "server_error")
          .put("message", error.getMessage());
      emit(out, "response.failed", node().set("response", failed));
      return out.toString();
    }

    @Override
    public @Nullable String answer() {
      return answer;
    }

    private static ObjectNode node() {
      return Json.MAPPER.createObjectNode();
    }

    /** {@code event:} and {@code data:} with the event's type first and its sequence number last. */
    private void emit(StringBuilder out, String type, ObjectNode fields) {
      ObjectNode data = Json.MAPPER.createObjectNode().put("type", type);
      data.setAll(fields);
      data.put("sequence_number", sequence++);
      out.append("event: ").append(type).append("\ndata: ").append(Json.MAPPER.writeValueAsString(data)).append("\n\n");
    }
  }
}
