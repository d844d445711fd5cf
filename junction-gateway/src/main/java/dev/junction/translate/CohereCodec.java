package dev.junction.translate;

import dev.junction.api.Family;
import dev.junction.api.Json;
import dev.junction.translate.Chat.BlockDelta;
import dev.junction.translate.Chat.BlockStart;
import dev.junction.translate.Chat.BlockStop;
import dev.junction.translate.Chat.ChoiceMode;
import dev.junction.translate.Chat.DeltaKind;
import dev.junction.translate.Chat.Draft;
import dev.junction.translate.Chat.Event;
import dev.junction.translate.Chat.FormatKind;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cohere's Chat API v2 ({@code POST /v2/chat}), as its reference states it
 * (docs.cohere.com/reference/chat, /reference/chat-stream, and the {@code cohere-openapi.yaml} the
 * SDKs are generated from). The model is in the body; roles are {@code system}, {@code user},
 * {@code assistant} and {@code tool}, a tool result being a message of its own as in OpenAI's API.
 *
 * <p>An assistant turn that calls tools states what it says before them as {@code tool_plan}: the
 * neutral text of that turn, as OpenAI's {@code content} beside {@code tool_calls} and Anthropic's
 * text block before a {@code tool_use} are. Cohere's {@code thinking} content is neutral thinking.
 * A JSON schema goes as {@code response_format.json_schema} of a {@code json_object} format.
 *
 * <p>What Cohere cannot be asked is refused by name ({@link #unsupported}): a named tool forced among
 * others, a promise of one call at a time, an end user's id, a format together with tools, sampling
 * outside Cohere's ranges, more than five stop sequences, an error flag or an image in a tool result.
 *
 * <p>No client speaks this family: requests are decoded only to check the codec against others.
 */
final class CohereCodec implements Codec {

  /** Cohere's ranges (the reference's {@code minimum} and {@code maximum}). */
  static final double MAX_TEMPERATURE = 1.0;
  static final double MIN_P = 0.01;
  static final double MAX_P = 0.99;
  static final int MAX_STOP_SEQUENCES = 5;

  /** Known fields without a neutral equivalent, refused when their value asks for something. */
  private static final Set<String> UNTRANSLATABLE = Set.of("seed", "frequency_penalty", "presence_penalty", "k",
      "logprobs", "documents", "citation_options", "safety_mode", "strict_tools", "priority");

  @Override
  public Family family() {
    return Family.COHERE;
  }

  // ---- requests

  @Override
  public Request decodeRequest(byte[] body) {
    JsonNode root = Json.MAPPER.readTree(body);
    Draft d = new Draft();
    // Cohere reports usage on every answer, streamed or not.
    d.includeUsage = true;
    for (var field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name) {
        case "model" -> {}
        case "messages" -> messages(v, d);
        case "tools" -> OpenAiCodec.functionTools(v, d, ".type");
        case "tool_choice" -> d.choice = switch (v.asString("")) {
          case "REQUIRED" -> new ToolChoice(ChoiceMode.ANY, null);
          case "NONE" -> new ToolChoice(ChoiceMode.NONE, null);
          default -> null;
        };
        case "response_format" -> {
          if (v.path("type").asString("text").equals("json_object")) {
            JsonNode schema = OpenAiCodec.object(v.get("json_schema"));
            d.format = schema == null ? new ResponseFormat(FormatKind.JSON_OBJECT, null, null, null)
                : new ResponseFormat(FormatKind.JSON_SCHEMA, "response", schema, null);
          }
        }
        case "max_tokens" -> d.maxTokens = v.isNull() ? null : v.asInt();
        case "temperature" -> d.temperature = v.isNull() ? null : v.asDouble();
        case "p" -> d.topP = v.isNull() ? null : v.asDouble();
        case "stop_sequences" -> d.stop = Translation.strings(v);
        case "stream" -> d.stream = v.asBoolean(false);
        case "thinking" -> {
          if (v.path("type").asString("").equals("enabled")) {
            if (v.has("token_budget")) {
              d.budget = v.path("token_budget").asInt();
            } else {
              // Cohere's model then chooses its own budget, which no other family can be asked.
              d.untranslatable.add("thinking.token_budget");
            }
          }
        }
        default -> {
          if (!v.isNull() && !(UNTRANSLATABLE.contains(name) && OpenAiCodec.asksNothing(v))) {
            d.untranslatable.add(name);
          }
        }
      }
    }
    return d.build(root.path("model").asString(""));
  }

  private static void messages(JsonNode array, Draft d) {
    int index = 0;
    for (JsonNode m : array) {
      String param = "messages[" + index++ + "]";
      JsonNode content = m.get("content");
      switch (m.path("role").asString("")) {
        case "system" -> d.system.addAll(parts(content, param, d.untranslatable));
        case "user" -> OpenAiCodec.appendUser(d.messages, parts(content, param, d.untranslatable));
        case "tool" -> OpenAiCodec.appendUser(d.messages, List.of(new ToolResult(m.path("tool_call_id").asString(),
            parts(content, param, d.untranslatable), false)));
        case "assistant" -> {
          List<Part> parts = parts(content, param, d.untranslatable);
          String plan = OpenAiCodec.text(m.get("tool_plan"));
          if (plan != null && !plan.isEmpty()) parts.add(new Text(plan));
          OpenAiCodec.toolCalls(m.path("tool_calls"), parts);
          if (m.has("citations") && !m.get("citations").isEmpty()) d.untranslatable.add(param + ".citations");
          d.messages.add(new Message(Role.ASSISTANT, parts));
        }
        default -> d.untranslatable.add(param + ".role");
      }
    }
  }

  /** A message's content: a string, or blocks of text, images (user turns) and thinking (assistant turns). */
  private static List<Part> parts(@Nullable JsonNode content, String param, List<String> untranslatable) {
    return OpenAiCodec.content(content, param, (type, block, at, parts) -> {
      switch (type) {
        case "text" -> parts.add(new Text(block.path("text").asString()));
        case "thinking" -> parts.add(new Thinking(block.path("thinking").asString(), null));
        case "image_url" -> {
          JsonNode image = block.path("image_url");
          if (!image.path("detail").asString("auto").equals("auto")) untranslatable.add(at + ".image_url.detail");
          parts.add(OpenAiCodec.image(image.path("url").asString()));
        }
        default -> untranslatable.add(at + ".type");
      }
    });
  }

  /**
   * What Cohere cannot take of a request the neutral model holds, named as the client's format
   * states it; Cohere's ranges are checked here so that a value outside them is refused by the
   * gateway, naming it, rather than by Cohere after the request went out.
   */
  @Override
  public List<String> unsupported(Request r, Family client) {
    List<String> refused = new ArrayList<>();
    ToolChoice choice = r.toolChoice();
    // REQUIRED forces some tool; it forces the named one only when it is the one offered.
    if (choice != null && choice.mode() == ChoiceMode.TOOL
        && !(r.tools().size() == 1 && r.tools().getFirst().name().equals(choice.name()))) {
      refused.add("tool_choice");
    }
    if (Boolean.FALSE.equals(r.parallelToolCalls()) && !r.tools().isEmpty()) refused.add("parallel_tool_calls");
    if (r.user() != null) refused.add(client == Family.ANTHROPIC ? "metadata.user_id" : "user");
    // Cohere's reference: response_format "is not supported when used in combinations with the documents or tools parameters".
    if (r.format() != null && !r.tools().isEmpty()) {
      refused.add(client == Family.RESPONSES ? "text.format" : "response_format");
    }
    if (r.temperature() != null && r.temperature() > MAX_TEMPERATURE) refused.add("temperature");
    if (r.topP() != null && (r.topP() < MIN_P || r.topP() > MAX_P)) refused.add("top_p");
    if (r.stop().size() > MAX_STOP_SEQUENCES) refused.add(client == Family.OPENAI ? "stop" : "stop_sequences");
    for (Message m : r.messages()) {
      for (Part p : m.parts()) {
        if (p instanceof ToolResult result) {
          if (result.content().stream().anyMatch(c -> !(c instanceof Text))) refused.add("tool_result.content");
          // A tool message has no error flag: the failure would reach the model as a plain result.
          if (result.isError()) refused.add("tool_result.is_error");
        }
      }
    }
    return refused;
  }

  @Override
  public byte[] encodeRequest(Request r) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("model", r.model());
    ArrayNode messages = root.putArray("messages");
    if (!r.system().isEmpty()) {
      messages.addObject().put("role", "system").put("content", OpenAiCodec.joinText(r.system()));
    }
    for (Message m : r.messages()) {
      if (m.role() == Role.USER) {
        user(messages, m.parts());
      } else {
        assistant(messages, m.parts());
      }
    }
    if (!r.tools().isEmpty()) {
      ArrayNode tools = root.putArray("tools");
      for (Tool t : r.tools()) {
        ObjectNode f = tools.addObject().put("type", "function").putObject("function").put("name", t.name());
        if (t.description() != null) f.put("description", t.description());
        // Cohere requires the parameters: a tool without arguments takes an empty object.
        f.set("parameters", t.schema() != null ? t.schema()
            : Json.MAPPER.createObjectNode().put("type", "object").set("properties", Json.MAPPER.createObjectNode()));
      }
      if (r.toolChoice() != null) {
        switch (r.toolChoice().mode()) {
          case NONE -> root.put("tool_choice", "NONE");
          case ANY, TOOL -> root.put("tool_choice", "REQUIRED");
          case AUTO -> {}
        }
      }
    }
    if (r.format() != null) {
      ObjectNode format = root.putObject("response_format").put("type", "json_object");
      if (r.format().kind() == FormatKind.JSON_SCHEMA && r.format().schema() != null) {
        format.set("json_schema", r.format().schema());
      }
    }
    if (r.maxTokens() != null) root.put("max_tokens", r.maxTokens());
    if (r.temperature() != null) root.put("temperature", r.temperature());
    if (r.topP() != null) root.put("p", r.topP());
    if (!r.stop().isEmpty()) {
      ArrayNode stop = root.putArray("stop_sequences");
      r.stop().forEach(stop::add);
    }
    if (r.thinkingBudget() != null) {
      root.putObject("thinking").put("type", "enabled").put("token_budget", r.thinkingBudget());
    }
    if (r.stream()) root.put("stream", true);
    return Json.MAPPER.writeValueAsBytes(root);
  }

  /** A user turn: each tool result a {@code tool} message, then the rest one {@code user} message. */
  private static void user(ArrayNode messages, List<Part> parts) {
    List<Part> rest = new ArrayList<>();
    for (Part p : parts) {
      if (p instanceof ToolResult result) {
        messages.addObject().put("role", "tool").put("tool_call_id", result.toolUseId()).putArray("content")
            .addObject().put("type", "text").put("text", OpenAiCodec.joinText(result.content()));
      } else {
        rest.add(p);
      }
    }
    if (rest.isEmpty()) {
      return;
    }
    OpenAiCodec.userContent(messages.addObject().put("role", "user"), rest);
  }

  /**
   * An assistant turn: with tool calls, its text is their {@code tool_plan}; without, its content.
   * Thinking goes back as Cohere's thinking content; Anthropic's redacted thinking, which only
   * Anthropic can read, does not.
   */
  private static void assistant(ArrayNode messages, List<Part> parts) {
    boolean calls = parts.stream().anyMatch(p -> p instanceof ToolUse);
    String text = OpenAiCodec.joinText(parts);
    boolean thinking = parts.stream().anyMatch(p -> p instanceof Thinking);
    if (!calls && text.isEmpty() && !thinking) {
      return;
    }
    ObjectNode assistant = messages.addObject().put("role", "assistant");
    if (calls) {
      if (!text.isEmpty()) assistant.put("tool_plan", text);
      ArrayNode array = assistant.putArray("tool_calls");
      for (Part p : parts) {
        if (p instanceof ToolUse u) {
          array.addObject().put("id", u.id()).put("type", "function").putObject("function").put("name", u.name())
              .put("arguments", u.arguments());
        }
      }
    }
    if (!thinking && !calls) {
      assistant.put("content", text);
    } else if (thinking) {
      ArrayNode content = assistant.putArray("content");
      for (Part p : parts) {
        switch (p) {
          case Thinking t -> content.addObject().put("type", "thinking").put("thinking", t.text());
          case Text t when !calls -> content.addObject().put("type", "text").put("text", t.text());
          default -> {}
        }
      }
    }
  }

  // ---- whole answers

  @Override
  public Response decodeResponse(byte[] body, Request asked) {
    JsonNode root = Translation.tree(body);
    JsonNode message = root.path("message");
    if (!message.isObject()) {
      throw new IllegalArgumentException("no message");
    }
    String reason = root.path("finish_reason").asString(null);
    if ("ERROR".equals(reason) || "TIMEOUT".equals(reason)) {
      // A generation Cohere reports as failed is not an answer, whatever text it holds.
      throw new IllegalArgumentException("the generation ended with " + reason);
    }
    List<Part> content = new ArrayList<>();
    for (JsonNode block : message.path("content")) {
      switch (block.path("type").asString("")) {
        case "text" -> content.add(new Text(block.path("text").asString()));
        case "thinking" -> content.add(new Thinking(block.path("thinking").asString(), null));
        default -> {}
      }
    }
    String plan = OpenAiCodec.text(message.get("tool_plan"));
    if (plan != null && !plan.isEmpty()) content.add(new Text(plan));
    for (JsonNode call : message.path("tool_calls")) {
      JsonNode f = call.path("function");
      content.add(new ToolUse(call.path("id").asString(), f.path("name").asString(), f.path("arguments").asString("{}")));
    }
    // Cohere's answers name no model: the one asked for answered.
    return new Response(root.path("id").asString(""), asked.model(), content, stop(reason), null,
        tokens(root.get("usage")));
  }

  static @Nullable Stop stop(@Nullable String reason) {
    if (reason == null) return null;
    return switch (reason) {
      case "MAX_TOKENS" -> Stop.MAX_TOKENS;
      case "STOP_SEQUENCE" -> Stop.STOP_SEQUENCE;
      case "TOOL_CALL" -> Stop.TOOL_USE;
      default -> Stop.END_TURN;
    };
  }

  static String finishReason(@Nullable Stop stop) {
    if (stop == null) return "COMPLETE";
    return switch (stop) {
      case MAX_TOKENS -> "MAX_TOKENS";
      case STOP_SEQUENCE -> "STOP_SEQUENCE";
      case TOOL_USE -> "TOOL_CALL";
      case END_TURN, REFUSAL -> "COMPLETE";
    };
  }

  /**
   * Cohere's usage, as billed: {@code billed_units} rather than {@code tokens}. The two differ by
   * what Cohere adds to the prompt itself (its own preamble), which {@code tokens} counts and Cohere
   * does not charge for; the catalog's prices are per billed token, so the billed units are what
   * makes the ledger's cost the provider's. {@code tokens} stands in only when no billed units are
   * reported. {@code cached_tokens}, the prompt tokens that hit Cohere's cache, are the cache reads,
   * within the input.
   */
  static @Nullable Tokens tokens(@Nullable JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    JsonNode billed = usage.path("billed_units");
    JsonNode counts = billed.has("input_tokens") || billed.has("output_tokens") ? billed : usage.path("tokens");
    long input = counts.path("input_tokens").asLong(0);
    long cached = Math.min(input, usage.path("cached_tokens").asLong(0));
    return new Tokens(input - cached, cached, 0, counts.path("output_tokens").asLong(0), 0);
  }

  private static ObjectNode usage(Tokens t) {
    ObjectNode usage = Json.MAPPER.createObjectNode();
    usage.putObject("billed_units").put("input_tokens", t.prompt()).put("output_tokens", t.output());
    usage.putObject("tokens").put("input_tokens", t.prompt()).put("output_tokens", t.output());
    usage.put("cached_tokens", t.cacheRead());
    return usage;
  }

  @Override
  public byte[] encodeResponse(Response r, Request asked) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("id", r.id());
    root.put("finish_reason", finishReason(r.stop()));
    ObjectNode message = root.putObject("message").put("role", "assistant");
    boolean calls = r.content().stream().anyMatch(p -> p instanceof ToolUse);
    String text = OpenAiCodec.joinText(r.content());
    if (calls && !text.isEmpty()) message.put("tool_plan", text);
    ArrayNode content = message.putArray("content");
    for (Part p : r.content()) {
      switch (p) {
        case Thinking t -> content.addObject().put("type", "thinking").put("thinking", t.text());
        case Text t when !calls -> content.addObject().put("type", "text").put("text", t.text());
        default -> {}
      }
    }
    if (calls) {
      ArrayNode array = message.putArray("tool_calls");
      for (Part p : r.content()) {
        if (p instanceof ToolUse u) {
          array.addObject().put("id", u.id()).put("type", "function").putObject("function").put("name", u.name())
              .put("arguments", u.arguments());
        }
      }
    }
    root.set("usage", usage(r.tokens() == null ? Tokens.NONE : r.tokens()));
    return Json.MAPPER.writeValueAsBytes(root);
  }

  // ---- streams

  @Override
  public StreamDecoder decoder(@Nullable Request asked) {
    return new Decoder(asked == null ? "" : asked.model());
  }

  /**
   * Cohere's stream events, by the {@code type} of their data (Cohere also names each in an
   * {@code event:} line, which stands in when the data has none). Content blocks and tool calls each
   * have their own index; the tool plan has no block events, so its first delta opens a text block
   * and the first call closes it. {@code message-end} holds the finish reason and the whole usage, or
   * the error that ended the generation. Citations annotate text already sent and have no neutral
   * equivalent: they are not read.
   */
  private static final class Decoder implements StreamDecoder {
    private final String model;
    private final Map<Integer, Integer> contentBlocks = new HashMap<>();
    private final Map<Integer, Integer> callBlocks = new HashMap<>();
    private int blocks;
    private int plan = -1;
    private boolean ended;

    Decoder(String model) {
      this.model = model;
    }

    @Override
    public List<Event> decode(@Nullable String event, String data) {
      List<Event> out = new ArrayList<>(3);
      if (data.equals("[DONE]") || ended) {
        return out;
      }
      JsonNode e = Translation.tree(data);
      String type = e.path("type").asString(event == null ? "" : event);
      JsonNode message = e.path("delta").path("message");
      switch (type) {
        case "message-start" -> out.add(new Chat.Start(e.path("id").asString(""), model, Tokens.NONE));
        case "content-start" -> {
          closePlan(out);
          int index = blocks++;
          contentBlocks.put(e.path("index").asInt(), index);
          JsonNode content = message.path("content");
          boolean thinking = content.path("type").asString("text").equals("thinking");
          out.add(new BlockStart(index, thinking ? new Thinking("", null) : new Text("")));
          delta(out, index, content);
        }
        case "content-delta" -> {
          Integer index = contentBlocks.get(e.path("index").asInt());
          if (index != null) delta(out, index, message.path("content"));
        }
        case "content-end" -> {
          Integer index = contentBlocks.remove(e.path("index").asInt());
          if (index != null) out.add(new BlockStop(index));
        }
        case "tool-plan-delta" -> {
          String text = message.path("tool_plan").asString("");
          if (plan < 0) {
            plan = blocks++;
            out.add(new BlockStart(plan, new Text("")));
          }
          if (!text.isEmpty()) out.add(new BlockDelta(plan, DeltaKind.TEXT, text));
        }
        case "tool-call-start" -> {
          closePlan(out);
          int index = blocks++;
          callBlocks.put(e.path("index").asInt(), index);
          JsonNode call = message.path("tool_calls");
          JsonNode f = call.path("function");
          out.add(new BlockStart(index, new ToolUse(call.path("id").asString(""), f.path("name").asString(""), "")));
          String arguments = f.path("arguments").asString("");
          if (!arguments.isEmpty()) out.add(new BlockDelta(index, DeltaKind.JSON, arguments));
        }
        case "tool-call-delta" -> {
          Integer index = callBlocks.get(e.path("index").asInt());
          String arguments = message.path("tool_calls").path("function").path("arguments").asString("");
          if (index != null && !arguments.isEmpty()) out.add(new BlockDelta(index, DeltaKind.JSON, arguments));
        }
        case "tool-call-end" -> {
          Integer index = callBlocks.remove(e.path("index").asInt());
          if (index != null) out.add(new BlockStop(index));
        }
        case "message-end" -> {
          JsonNode delta = e.path("delta");
          String reason = delta.path("finish_reason").asString(null);
          String error = OpenAiCodec.text(delta.get("error"));
          if (error != null || "ERROR".equals(reason) || "TIMEOUT".equals(reason)) {
            out.add(new Chat.Failure(reason == null ? "ERROR" : reason, error == null ? "" : error));
            return out;
          }
          closePlan(out);
          ended = true;
          Tokens tokens = tokens(delta.get("usage"));
          out.add(new Chat.Finish(stop(reason), null, tokens == null ? Tokens.NONE : tokens));
          out.add(new Chat.End());
        }
        default -> {}
      }
      return out;
    }

    private static void delta(List<Event> out, int index, JsonNode content) {
      String text = content.path("text").asString("");
      if (!text.isEmpty()) out.add(new BlockDelta(index, DeltaKind.TEXT, text));
      String thinking = content.path("thinking").asString("");
      if (!thinking.isEmpty()) out.add(new BlockDelta(index, DeltaKind.THINKING, thinking));
    }

    private void closePlan(List<Event> out) {
      if (plan >= 0) {
        out.add(new BlockStop(plan));
        plan = -1;
      }
    }
  }

  /** No client speaks Cohere's API: nothing is ever written in its stream for a client. */
  @Override
  public StreamEncoder encoder(Request asked) {
    throw new UnsupportedOperationException("no client reads Cohere's stream");
  }
}
