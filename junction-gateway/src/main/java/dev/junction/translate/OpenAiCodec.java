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
import dev.junction.translate.Chat.Image;
import dev.junction.translate.Chat.Message;
import dev.junction.translate.Chat.Part;
import dev.junction.translate.Chat.RedactedThinking;
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
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * OpenAI Chat Completions. System and developer messages become the system prompt; {@code tool}
 * messages become tool results in a user turn; {@code reasoning_content} (the field OpenAI-compatible
 * reasoning servers use) is thinking, and {@code reasoning_details} (OpenRouter's) thinking with its
 * signature, so that it survives a client's next turn. Parameters with no neutral equivalent ({@code logprobs},
 * {@code n} above 1, penalties, {@code seed}, …) are named as untranslatable.
 */
final class OpenAiCodec implements Codec {

  /** Fields the gateway reads itself and never sends upstream. */
  private static final Set<String> GATEWAY = Set.of("provider", "models", "prompt_cache_key");

  /** Known fields without a neutral equivalent, refused when their value asks for something. */
  private static final Set<String> UNTRANSLATABLE = Set.of("logprobs", "top_logprobs", "logit_bias", "seed",
      "presence_penalty", "frequency_penalty", "audio", "modalities", "prediction", "web_search_options",
      "functions", "function_call", "metadata", "service_tier", "store", "verbosity");

  @Override
  public Family family() {
    return Family.OPENAI;
  }

  /**
   * OpenAI's function tools ({@code {"type":"function","function":{name, description, parameters}}}),
   * the shape Cohere's API takes too; a tool of another type is named, with {@code suffix}, as refused.
   */
  static void functionTools(JsonNode tools, Draft d, String suffix) {
    int i = 0;
    for (JsonNode t : tools) {
      if (!t.path("type").asString("function").equals("function")) {
        d.untranslatable.add("tools[" + i + "]" + suffix);
      }
      JsonNode f = t.path("function");
      d.tools.add(new Tool(f.path("name").asString(), text(f.get("description")), object(f.get("parameters"))));
      i++;
    }
  }

  // ---- requests

  @Override
  public Request decodeRequest(byte[] body) {
    JsonNode root = Json.MAPPER.readTree(body);
    Draft d = new Draft();
    for (var field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name) {
        case "model" -> {}
        case "messages" -> messages(v, d.system, d.messages, d.untranslatable);
        case "tools" -> functionTools(v, d, "");
        case "tool_choice" -> d.choice = toolChoice(v);
        case "parallel_tool_calls" -> d.parallel = v.isNull() ? null : v.asBoolean();
        case "response_format" -> d.format = format(v);
        case "max_tokens", "max_completion_tokens" -> d.maxTokens = v.isNull() ? d.maxTokens : Integer.valueOf(v.asInt());
        case "temperature" -> d.temperature = v.isNull() ? null : v.asDouble();
        case "top_p" -> d.topP = v.isNull() ? null : v.asDouble();
        case "stop" -> d.stop = v.isNull() ? List.of() : v.isString() ? List.of(v.asString()) : Translation.strings(v);
        case "stream" -> d.stream = v.asBoolean(false);
        case "stream_options" -> d.includeUsage = v.path("include_usage").asBoolean(false);
        case "user", "safety_identifier" -> d.user = v.isNull() ? d.user : v.asString();
        case "reasoning_effort" -> d.budget = v.isNull() ? null : budget(v.asString());
        case "n" -> {
          if (!v.isNull() && v.asInt() != 1) d.untranslatable.add("n");
        }
        default -> {
          // Unknown fields too: never dropped unless they ask for nothing.
          boolean harmless = GATEWAY.contains(name) || v.isNull() || (UNTRANSLATABLE.contains(name) && asksNothing(v));
          if (!harmless) {
            d.untranslatable.add(name);
          }
        }
      }
    }
    return d.build(root.path("model").asString());
  }

  /** null, false, 0, an empty object or array: the parameter's default, which every family honours. */
  static boolean asksNothing(JsonNode v) {
    return v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isNumber() && v.asDouble() == 0)
        || (v.isContainer() && v.isEmpty());
  }

  /** The thinking budget an effort stands for; {@link #effort} reads it back. */
  static @Nullable Integer budget(@Nullable String effort) {
    if (effort == null) {
      return null;
    }
    return switch (effort) {
      case "low" -> 1024;
      case "medium" -> 4096;
      case "high" -> 16384;
      default -> null;
    };
  }

  static String effort(int budget) {
    return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
  }

  private static void messages(JsonNode array, List<Part> system, List<Message> out, List<String> untranslatable) {
    int index = 0;
    for (JsonNode m : array) {
      String param = "messages[" + index++ + "]";
      String role = m.path("role").asString("");
      JsonNode content = m.get("content");
      switch (role) {
        case "system", "developer" -> system.addAll(parts(content, param, untranslatable));
        case "user" -> appendUser(out, parts(content, param, untranslatable));
        case "tool" -> appendUser(out, List.of(new ToolResult(m.path("tool_call_id").asString(),
            parts(content, param, untranslatable), false)));
        case "assistant" -> {
          List<Part> parts = reasoning(m);
          parts.addAll(parts(content, param, untranslatable));
          JsonNode calls = m.get("tool_calls");
          if (calls != null && calls.isArray()) {
            toolCalls(calls, parts);
          }
          out.add(new Message(Role.ASSISTANT, parts));
        }
        default -> untranslatable.add(param + ".role");
      }
    }
  }

  /**
   * An assistant turn's {@code tool_calls} ({@code {id, function: {name, arguments}}}), the shape
   * Cohere's API takes too, as tool uses.
   */
  static void toolCalls(JsonNode calls, List<Part> parts) {
    for (JsonNode call : calls) {
      JsonNode f = call.path("function");
      parts.add(new ToolUse(call.path("id").asString(), f.path("name").asString(), f.path("arguments").asString("{}")));
    }
  }

  /**
   * Tool results and user content after them share one user turn, results first: the neutral model
   * has no tool turn, in which OpenAI's and Cohere's APIs send each result.
   */
  static void appendUser(List<Message> out, List<Part> parts) {
    if (!out.isEmpty() && out.getLast().role() == Role.USER
        && out.getLast().parts().stream().anyMatch(p -> p instanceof ToolResult)) {
      List<Part> merged = new ArrayList<>(out.getLast().parts());
      merged.addAll(parts);
      out.set(out.size() - 1, new Message(Role.USER, merged));
      return;
    }
    out.add(new Message(Role.USER, new ArrayList<>(parts)));
  }

  private static List<Part> parts(@Nullable JsonNode content, String param, List<String> untranslatable) {
    return content(content, param, (type, part, at, parts) -> {
      switch (type) {
        case "text" -> parts.add(new Text(part.path("text").asString()));
        case "image_url" -> parts.add(image(part.path("image_url").path("url").asString()));
        default -> untranslatable.add(at + ".type");
      }
    });
  }

  /** One typed part of a message's content, read into {@code parts} or named as untranslatable. */
  interface ContentPart {
    /** @param at the part as the client's format names it ({@code messages[0].content[1]}) */
    void read(String type, JsonNode part, String at, List<Part> parts);
  }

  /**
   * A message's content as OpenAI's APIs send it, Chat Completions, the Responses API and Cohere's
   * alike: absent or null (no parts), a string (one text part), or typed parts, each read by
   * {@code reader}.
   */
  static List<Part> content(@Nullable JsonNode content, String param, ContentPart reader) {
    List<Part> parts = new ArrayList<>();
    if (content == null || content.isNull()) {
      return parts;
    }
    if (content.isString()) {
      parts.add(new Text(content.asString()));
      return parts;
    }
    int index = 0;
    for (JsonNode part : content) {
      reader.read(part.path("type").asString(""), part, param + ".content[" + index++ + "]", parts);
    }
    return parts;
  }

  /** A {@code data:} URL becomes an inline image; any other URL stays one. */
  static Image image(String url) {
    if (url.startsWith("data:")) {
      int semicolon = url.indexOf(';');
      int comma = url.indexOf(',');
      if (semicolon > 5 && comma > semicolon && url.substring(semicolon, comma).equals(";base64")) {
        return new Image(null, url.substring(5, semicolon), url.substring(comma + 1));
      }
    }
    return new Image(url, null, null);
  }

  private static @Nullable ToolChoice toolChoice(@Nullable JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isString()) {
      return toolChoice(v.asString());
    }
    return new ToolChoice(ChoiceMode.TOOL, v.path("function").path("name").asString());
  }

  /** A {@code tool_choice} given as a string, the same in Chat Completions and the Responses API. */
  static ToolChoice toolChoice(String mode) {
    return switch (mode) {
      case "none" -> new ToolChoice(ChoiceMode.NONE, null);
      case "required" -> new ToolChoice(ChoiceMode.ANY, null);
      default -> new ToolChoice(ChoiceMode.AUTO, null);
    };
  }

  private static @Nullable ResponseFormat format(@Nullable JsonNode v) {
    if (v == null) {
      return null;
    }
    return switch (v.path("type").asString("text")) {
      case "json_object" -> new ResponseFormat(FormatKind.JSON_OBJECT, null, null, null);
      case "json_schema" -> {
        JsonNode s = v.path("json_schema");
        yield new ResponseFormat(FormatKind.JSON_SCHEMA, s.path("name").asString(), object(s.get("schema")),
            s.has("strict") && !s.get("strict").isNull() ? s.get("strict").asBoolean() : null);
      }
      default -> null;
    };
  }

  @Override
  public byte[] encodeRequest(Request r) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("model", r.model());
    ArrayNode messages = root.putArray("messages");
    if (!r.system().isEmpty()) {
      messages.addObject().put("role", "system").put("content", joinText(r.system()));
    }
    for (Message m : r.messages()) {
      if (m.role() == Role.USER) {
        List<Part> rest = new ArrayList<>();
        for (Part p : m.parts()) {
          if (p instanceof ToolResult result) {
            messages.addObject().put("role", "tool").put("tool_call_id", result.toolUseId())
                .put("content", joinText(result.content()));
          } else {
            rest.add(p);
          }
        }
        if (!rest.isEmpty()) {
          ObjectNode user = messages.addObject().put("role", "user");
          userContent(user, rest);
        }
      } else {
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        String text = joinText(m.parts());
        if (text.isEmpty()) {
          assistant.putNull("content");
        } else {
          assistant.put("content", text);
        }
        ArrayNode calls = null;
        for (Part p : m.parts()) {
          if (p instanceof ToolUse use) {
            if (calls == null) calls = assistant.putArray("tool_calls");
            calls.addObject().put("id", use.id()).put("type", "function").putObject("function")
                .put("name", use.name()).put("arguments", use.arguments());
          }
        }
      }
    }
    if (!r.tools().isEmpty()) {
      ArrayNode tools = root.putArray("tools");
      for (Tool t : r.tools()) {
        ObjectNode f = tools.addObject().put("type", "function").putObject("function").put("name", t.name());
        if (t.description() != null) f.put("description", t.description());
        if (t.schema() != null) f.set("parameters", t.schema());
      }
    }
    if (r.toolChoice() != null) {
      switch (r.toolChoice().mode()) {
        case AUTO -> root.put("tool_choice", "auto");
        case NONE -> root.put("tool_choice", "none");
        case ANY -> root.put("tool_choice", "required");
        case TOOL -> root.putObject("tool_choice").put("type", "function").putObject("function")
            .put("name", r.toolChoice().name());
      }
    }
    if (r.parallelToolCalls() != null && !r.tools().isEmpty()) {
      root.put("parallel_tool_calls", r.parallelToolCalls());
    }
    if (r.format() != null) {
      ObjectNode f = root.putObject("response_format");
      if (r.format().kind() == FormatKind.JSON_OBJECT) {
        f.put("type", "json_object");
      } else {
        f.put("type", "json_schema");
        ObjectNode s = f.putObject("json_schema").put("name", r.format().name());
        if (r.format().schema() != null) s.set("schema", r.format().schema());
        if (r.format().strict() != null) s.put("strict", r.format().strict());
      }
    }
    if (r.maxTokens() != null) root.put("max_tokens", r.maxTokens());
    if (r.temperature() != null) root.put("temperature", r.temperature());
    if (r.topP() != null) root.put("top_p", r.topP());
    if (!r.stop().isEmpty()) {
      ArrayNode stop = root.putArray("stop");
      r.stop().forEach(stop::add);
    }
    if (r.thinkingBudget() != null) root.put("reasoning_effort", effort(r.thinkingBudget()));
    if (r.user() != null) root.put("user", r.user());
    if (r.stream()) {
      root.put("stream", true);
      if (r.includeUsage()) root.putObject("stream_options").put("include_usage", true);
    }
    return Json.MAPPER.writeValueAsBytes(root);
  }

  /** A user turn's text and images, as Cohere's API takes them too: one text as a string, else typed parts. */
  static void userContent(ObjectNode user, List<Part> parts) {
    if (parts.size() == 1 && parts.getFirst() instanceof Text t) {
      user.put("content", t.text());
      return;
    }
    ArrayNode content = user.putArray("content");
    for (Part p : parts) {
      switch (p) {
        case Text t -> content.addObject().put("type", "text").put("text", t.text());
        case Image i -> content.addObject().put("type", "image_url").putObject("image_url")
            .put("url", i.url() != null ? i.url() : "data:" + i.mediaType() + ";base64," + i.data());
        default -> {}
      }
    }
  }

  /**
   * The thinking of an assistant message: {@code reasoning_details} when present (OpenRouter's
   * field, which carries Anthropic's signatures, so that a client sending the message back keeps
   * them for the next turn), else {@code reasoning_content} (unsigned).
   */
  private static List<Part> reasoning(JsonNode message) {
    List<Part> parts = new ArrayList<>();
    JsonNode details = message.get("reasoning_details");
    if (details != null && details.isArray() && !details.isEmpty()) {
      for (JsonNode d : details) {
        if (d.path("type").asString("").equals("reasoning.encrypted")) {
          parts.add(new RedactedThinking(d.path("data").asString()));
        } else {
          parts.add(new Thinking(d.path("text").asString(""), text(d.get("signature"))));
        }
      }
      return parts;
    }
    JsonNode reasoning = message.get("reasoning_content");
    if (reasoning != null && reasoning.isString() && !reasoning.asString().isEmpty()) {
      parts.add(new Thinking(reasoning.asString(), null));
    }
    return parts;
  }

  /** Thinking as {@code reasoning_content} (its text) and {@code reasoning_details} (each block, signed). */
  private static void reasoning(ObjectNode message, List<Part> content) {
    StringBuilder text = new StringBuilder();
    ArrayNode details = Json.MAPPER.createArrayNode();
    for (Part p : content) {
      if (p instanceof Thinking t) {
        text.append(t.text());
        ObjectNode d = details.addObject().put("type", "reasoning.text").put("text", t.text());
        if (t.signature() != null) d.put("signature", t.signature());
      } else if (p instanceof RedactedThinking t) {
        details.addObject().put("type", "reasoning.encrypted").put("data", t.data());
      }
    }
    if (!details.isEmpty()) {
      message.put("reasoning_content", text.toString());
      message.set("reasoning_details", details);
    }
  }

  static String joinText(List<Part> parts) {
    StringBuilder text = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Text t) text.append(t.text());
    }
    return text.toString();
  }

  // ---- whole answers

  @Override
  public Response decodeResponse(byte[] body, Request asked) {
    JsonNode root = Translation.tree(body);
    JsonNode choice = root.path("choices").path(0);
    JsonNode message = choice.path("message");
    List<Part> content = reasoning(message);
    JsonNode text = message.get("content");
    if (text != null && text.isString() && !text.asString().isEmpty()) {
      content.add(new Text(text.asString()));
    }
    for (JsonNode call : message.path("tool_calls")) {
      JsonNode f = call.path("function");
      content.add(new ToolUse(call.path("id").asString(), f.path("name").asString(), f.path("arguments").asString("{}")));
    }
    return new Response(root.path("id").asString(""), root.path("model").asString(""), content,
        stop(choice.path("finish_reason").asString(null)), null, tokens(root.get("usage")));
  }

  static @Nullable Stop stop(@Nullable String reason) {
    if (reason == null) return null;
    return switch (reason) {
      case "length" -> Stop.MAX_TOKENS;
      case "tool_calls", "function_call" -> Stop.TOOL_USE;
      case "content_filter" -> Stop.REFUSAL;
      default -> Stop.END_TURN;
    };
  }

  static @Nullable String finishReason(@Nullable Stop stop) {
    if (stop == null) return "stop";
    return switch (stop) {
      case END_TURN, STOP_SEQUENCE -> "stop";
      case MAX_TOKENS -> "length";
      case TOOL_USE -> "tool_calls";
      case REFUSAL -> "content_filter";
    };
  }

  static @Nullable Tokens tokens(@Nullable JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    long prompt = usage.path("prompt_tokens").asLong(0);
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    return new Tokens(Math.max(0, prompt - cached), cached, 0, usage.path("completion_tokens").asLong(0),
        usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
  }

  private static ObjectNode usage(Tokens t) {
    ObjectNode usage = Json.MAPPER.createObjectNode()
        .put("prompt_tokens", t.prompt())
        .put("completion_tokens", t.output())
        .put("total_tokens", t.prompt() + t.output());
    usage.putObject("prompt_tokens_details").put("cached_tokens", t.cacheRead());
    usage.putObject("completion_tokens_details").put("reasoning_tokens", t.reasoning());
    return usage;
  }

  @Override
  public byte[] encodeResponse(Response r, Request asked) {
    ObjectNode root = Json.MAPPER.createObjectNode()
        .put("id", r.id())
        .put("object", "chat.completion")
        .put("created", System.currentTimeMillis() / 1000)
        .put("model", r.model());
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    ObjectNode message = choice.putObject("message").put("role", "assistant");
    String text = joinText(r.content());
    boolean calls = r.content().stream().anyMatch(p -> p instanceof ToolUse);
    if (text.isEmpty() && calls) {
      message.putNull("content");
    } else {
      message.put("content", text);
    }
    reasoning(message, r.content());
    if (calls) {
      ArrayNode array = message.putArray("tool_calls");
      for (Part p : r.content()) {
        if (p instanceof ToolUse use) {
          array.addObject().put("id", use.id()).put("type", "function").putObject("function")
              .put("name", use.name()).put("arguments", use.arguments());
        }
      }
    }
    message.putNull("refusal");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(r.stop()));
    root.set("usage", usage(r.tokens() == null ? Tokens.NONE : r.tokens()));
    return Json.MAPPER.writeValueAsBytes(root);
  }

  // ---- streams

  @Override
  public StreamDecoder decoder(@Nullable Request asked) {
    return new Decoder();
  }

  /**
   * OpenAI chunks into neutral events: a block opens when the kind of delta changes (text, reasoning,
   * a new tool call), and the finish reason and usage (which comes after it when asked for) make the
   * {@link Chat.Finish} that {@code [DONE]} releases.
   */
  private static final class Decoder implements StreamDecoder {
    private boolean started;
    private int open = -1;
    private @Nullable DeltaKind openKind;
    private int blocks;
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private @Nullable Stop stop;
    private @Nullable Tokens tokens;

    @Override
    public List<Event> decode(@Nullable String event, String data) {
      List<Event> out = new ArrayList<>(2);
      if (data.equals("[DONE]")) {
        closeBlock(out);
        out.add(new Chat.Finish(stop == null ? Stop.END_TURN : stop, null, tokens == null ? Tokens.NONE : tokens));
        out.add(new Chat.End());
        return out;
      }
      if (started) {
        String text = plainText(data);
        if (text != null) {
          if (!text.isEmpty()) {
            ensure(out, DeltaKind.TEXT, new Text(""));
            out.add(new BlockDelta(open, DeltaKind.TEXT, text));
          }
          return out;
        }
      }
      JsonNode chunk = Translation.tree(data);
      JsonNode error = chunk.get("error");
      if (error != null && !error.isNull()) {
        out.add(new Chat.Failure(error.path("type").asString("api_error"), error.path("message").asString("")));
        return out;
      }
      Tokens reported = tokens(chunk.get("usage"));
      if (!started) {
        if (chunk.path("choices").isEmpty() && reported == null) {
          // Azure OpenAI opens a stream with a chunk of no choices that only carries the prompt's
          // content filter results, its id and model empty: the message starts with the next.
          return out;
        }
        started = true;
        out.add(new Chat.Start(chunk.path("id").asString(""), chunk.path("model").asString(""), Tokens.NONE));
      }
      if (reported != null) {
        tokens = reported;
      }
      for (JsonNode choice : chunk.path("choices")) {
        if (choice.path("index").asInt(0) != 0) continue;
        JsonNode delta = choice.path("delta");
        JsonNode reasoning = delta.get("reasoning_content");
        if (reasoning != null && reasoning.isString() && !reasoning.asString().isEmpty()) {
          ensure(out, DeltaKind.THINKING, new Thinking("", null));
          out.add(new BlockDelta(open, DeltaKind.THINKING, reasoning.asString()));
        }
        JsonNode content = delta.get("content");
        if (content != null && content.isString() && !content.asString().isEmpty()) {
          ensure(out, DeltaKind.TEXT, new Text(""));
          out.add(new BlockDelta(open, DeltaKind.TEXT, content.asString()));
        }
        for (JsonNode call : delta.path("tool_calls")) {
          int index = call.path("index").asInt(0);
          Integer block = toolBlocks.get(index);
          JsonNode f = call.path("function");
          if (block == null) {
            closeBlock(out);
            block = blocks++;
            toolBlocks.put(index, block);
            open = block;
            openKind = DeltaKind.JSON;
            out.add(new BlockStart(block, new ToolUse(call.path("id").asString(""), f.path("name").asString(""), "")));
          }
          String arguments = f.path("arguments").asString("");
          if (!arguments.isEmpty()) {
            out.add(new BlockDelta(block, DeltaKind.JSON, arguments));
          }
        }
        String finish = choice.path("finish_reason").asString(null);
        if (finish != null) {
          stop = stop(finish);
          closeBlock(out);
        }
      }
      return out;
    }

    /**
     * The text of a chunk that carries nothing but text for the first choice, read in one streaming
     * pass without a tree, as most chunks of a stream are; null for any other chunk, which is then
     * read whole.
     */
    private static @Nullable String plainText(String data) {
      String text = "";
      try (JsonParser p = Json.FACTORY.createParser(ObjectReadContext.empty(), data)) {
        if (p.nextToken() != JsonToken.START_OBJECT) return null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          switch (name) {
            case "choices" -> {
              if (v != JsonToken.START_ARRAY || p.nextToken() != JsonToken.START_OBJECT) return null;
              while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                  case "index" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != 0) return null;
                  }
                  case "delta" -> {
                    if (value != JsonToken.START_OBJECT) return null;
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                      String part = p.currentName();
                      JsonToken content = p.nextToken();
                      if (part.equals("content") && content == JsonToken.VALUE_STRING) {
                        text = p.getString();
                      } else if (!part.equals("role") && !(part.equals("content") && content == JsonToken.VALUE_NULL)) {
                        return null;
                      } else {
                        p.skipChildren();
                      }
                    }
                  }
                  case "finish_reason", "logprobs" -> {
                    if (value != JsonToken.VALUE_NULL) return null;
                  }
                  default -> p.skipChildren();
                }
              }
              if (p.nextToken() != JsonToken.END_ARRAY) return null;
            }
            case "usage", "error" -> {
              if (v != JsonToken.VALUE_NULL) return null;
            }
            default -> p.skipChildren();
          }
        }
        return text;
      } catch (JacksonException e) {
        return null;
      }
    }

    private void ensure(List<Event> out, DeltaKind kind, Part empty) {
      if (open >= 0 && openKind == kind) return;
      closeBlock(out);
      open = blocks++;
      openKind = kind;
      out.add(new BlockStart(open, empty));
    }

    private void closeBlock(List<Event> out) {
      if (open >= 0) {
        out.add(new BlockStop(open));
        open = -1;
        openKind = null;
      }
    }
  }

  @Override
  public StreamEncoder encoder(Request asked) {
    return new Encoder(asked.includeUsage());
  }

  /**
   * Neutral events as OpenAI chunks: the role first, then text, reasoning and tool-call deltas, the
   * finish reason, the usage chunk when the client asked for it, and {@code [DONE]}.
   */
  private static final class Encoder implements StreamEncoder {
    private final boolean includeUsage;
    private @Nullable String head;
    private final Map<Integer, Integer> toolIndex = new HashMap<>();

    Encoder(boolean includeUsage) {
      this.includeUsage = includeUsage;
    }

    @Override
    public void encode(Event event, StringBuilder out) {
      switch (event) {
        case Chat.Start s -> {
          head = "{\"id\":" + quote(s.id()) + ",\"object\":\"chat.completion.chunk\",\"created\":"
              + System.currentTimeMillis() / 1000 + ",\"model\":" + quote(s.model()) + ",\"choices\":[";
          chunk(out, "{\"role\":\"assistant\",\"content\":\"\"}", null);
        }
        case BlockStart b -> {
          if (b.block() instanceof ToolUse use) {
            int index = toolIndex.size();
            toolIndex.put(b.index(), index);
            chunk(out, "{\"tool_calls\":[{\"index\":" + index + ",\"id\":" + quote(use.id())
                + ",\"type\":\"function\",\"function\":{\"name\":" + quote(use.name()) + ",\"arguments\":\"\"}}]}", null);
          }
        }
        case BlockDelta d -> {
          switch (d.kind()) {
            case TEXT -> chunk(out, "{\"content\":" + quote(d.value()) + "}", null);
            case THINKING -> chunk(out, "{\"reasoning_content\":" + quote(d.value()) + "}", null);
            case JSON -> {
              Integer index = toolIndex.get(d.index());
              if (index != null) {
                chunk(out, "{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":"
                    + quote(d.value()) + "}}]}", null);
              }
            }
            case SIGNATURE -> chunk(out, "{\"reasoning_details\":[{\"type\":\"reasoning.text\",\"signature\":"
                + quote(d.value()) + "}]}", null);
          }
        }
        case BlockStop b -> {}
        case Chat.Finish f -> {
          chunk(out, "{}", finishReason(f.stop()));
          if (includeUsage) {
            out.append("data: ").append(head).append("],\"usage\":")
                .append(Json.MAPPER.writeValueAsString(usage(f.tokens() == null ? Tokens.NONE : f.tokens())))
                .append("}\n\n");
          }
        }
        case Chat.End e -> out.append("data: [DONE]\n\n");
        case Chat.Failure f -> {}
      }
    }

    private void chunk(StringBuilder out, String delta, @Nullable String finish) {
      out.append("data: ").append(head).append("{\"index\":0,\"delta\":").append(delta)
          .append(",\"logprobs\":null,\"finish_reason\":")
          .append(finish == null ? "null" : "\"" + finish + "\"").append("}]}\n\n");
    }
  }

  /** A JSON string literal, quotes included; {@code null} for null. */
  static String quote(@Nullable String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(text.length() + 8).append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    return out.append('"').toString();
  }

  static @Nullable String text(@Nullable JsonNode v) {
    return v == null || v.isNull() ? null : v.asString();
  }

  static @Nullable JsonNode object(@Nullable JsonNode v) {
    return v == null || v.isNull() ? null : v;
  }
}
