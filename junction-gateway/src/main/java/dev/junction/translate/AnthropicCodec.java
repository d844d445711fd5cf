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
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * Anthropic Messages. Its usage counts {@code input_tokens} without the cache reads and writes, as the
 * neutral {@link Tokens} do. It has no native structured output: a JSON format is emulated by one
 * forced tool, {@value #FORMAT_TOOL}, whose input is turned back into the answer's text.
 */
final class AnthropicCodec implements Codec {

  /** The tool that carries a JSON answer when the client asked for a response format. */
  static final String FORMAT_TOOL = "json_response";
  /** What Anthropic requires and OpenAI clients may leave out; documented as emulated. */
  static final int DEFAULT_MAX_TOKENS = 4096;

  private static final Set<String> GATEWAY = Set.of("provider", "models");

  @Override
  public Family family() {
    return Family.ANTHROPIC;
  }

  // ---- requests

  @Override
  public Request decodeRequest(byte[] body) {
    JsonNode root = Json.MAPPER.readTree(body);
    Draft d = new Draft();
    d.includeUsage = true;
    for (var field : root.properties()) {
      String name = field.getKey();
      JsonNode v = field.getValue();
      switch (name) {
        case "model" -> {}
        case "max_tokens" -> d.maxTokens = v.asInt();
        case "system" -> {
          if (v.isString()) {
            d.system.add(new Text(v.asString()));
          } else {
            d.system.addAll(blocks(v, "system", d.untranslatable));
          }
        }
        case "messages" -> {
          int i = 0;
          for (JsonNode m : v) {
            String param = "messages[" + i++ + "]";
            Role role = m.path("role").asString("user").equals("assistant") ? Role.ASSISTANT : Role.USER;
            JsonNode content = m.path("content");
            List<Part> parts = content.isString() ? new ArrayList<>(List.of(new Text(content.asString())))
                : blocks(content, param + ".content", d.untranslatable);
            d.messages.add(new Message(role, parts));
          }
        }
        case "tools" -> {
          int i = 0;
          for (JsonNode t : v) {
            String type = t.path("type").asString("custom");
            if (!type.equals("custom")) {
              d.untranslatable.add("tools[" + i + "]");
            }
            d.tools.add(new Tool(t.path("name").asString(), OpenAiCodec.text(t.get("description")),
                OpenAiCodec.object(t.get("input_schema"))));
            i++;
          }
        }
        case "tool_choice" -> {
          if (!v.isNull()) {
            d.choice = switch (v.path("type").asString("auto")) {
              case "any" -> new ToolChoice(ChoiceMode.ANY, null);
              case "tool" -> new ToolChoice(ChoiceMode.TOOL, v.path("name").asString());
              case "none" -> new ToolChoice(ChoiceMode.NONE, null);
              default -> new ToolChoice(ChoiceMode.AUTO, null);
            };
            if (v.path("disable_parallel_tool_use").asBoolean(false)) {
              d.parallel = false;
            }
          }
        }
        case "temperature" -> d.temperature = v.isNull() ? null : v.asDouble();
        case "top_p" -> d.topP = v.isNull() ? null : v.asDouble();
        case "stop_sequences" -> d.stop = Translation.strings(v);
        case "stream" -> d.stream = v.asBoolean(false);
        case "thinking" -> {
          switch (v.path("type").asString("disabled")) {
            case "enabled" -> d.budget = v.path("budget_tokens").asInt(1024);
            case "disabled" -> {}
            default -> d.untranslatable.add("thinking.type");
          }
        }
        case "metadata" -> {
          for (var entry : v.properties()) {
            if (entry.getKey().equals("user_id")) {
              d.user = OpenAiCodec.text(entry.getValue());
            } else {
              d.untranslatable.add("metadata." + entry.getKey());
            }
          }
        }
        default -> {
          if (!GATEWAY.contains(name) && !(v.isNull())) {
            d.untranslatable.add(name);
          }
        }
      }
    }
    return d.build(root.path("model").asString());
  }

  private static List<Part> blocks(JsonNode array, String param, List<String> untranslatable) {
    List<Part> parts = new ArrayList<>();
    int index = 0;
    for (JsonNode b : array) {
      String at = param + "[" + index++ + "]";
      switch (b.path("type").asString("")) {
        case "text" -> parts.add(new Text(b.path("text").asString(), OpenAiCodec.object(b.get("cache_control"))));
        case "image" -> {
          JsonNode source = b.path("source");
          if (source.path("type").asString("").equals("url")) {
            parts.add(new Image(source.path("url").asString(), null, null));
          } else if (source.path("type").asString("").equals("base64")) {
            parts.add(new Image(null, source.path("media_type").asString(), source.path("data").asString()));
          } else {
            untranslatable.add(at + ".source.type");
          }
        }
        case "tool_use" -> parts.add(new ToolUse(b.path("id").asString(), b.path("name").asString(),
            Json.MAPPER.writeValueAsString(b.has("input") ? b.get("input") : Json.MAPPER.createObjectNode())));
        case "tool_result" -> {
          JsonNode content = b.get("content");
          List<Part> result = content == null || content.isNull() ? new ArrayList<>()
              : content.isString() ? new ArrayList<>(List.of(new Text(content.asString())))
              : blocks(content, at + ".content", untranslatable);
          parts.add(new ToolResult(b.path("tool_use_id").asString(), result, b.path("is_error").asBoolean(false)));
        }
        case "thinking" -> parts.add(new Thinking(b.path("thinking").asString(), OpenAiCodec.text(b.get("signature"))));
        case "redacted_thinking" -> parts.add(new RedactedThinking(b.path("data").asString()));
        default -> untranslatable.add(at + ".type");
      }
    }
    return parts;
  }

  @Override
  public byte[] encodeRequest(Request r) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("model", r.model());
    root.put("max_tokens", r.maxTokens() == null || r.maxTokens() == 0 ? DEFAULT_MAX_TOKENS : r.maxTokens());
    if (!r.system().isEmpty()) {
      if (r.system().stream().allMatch(p -> p instanceof Text t && t.cacheControl() == null)) {
        root.put("system", OpenAiCodec.joinText(r.system()));
      } else {
        ArrayNode system = root.putArray("system");
        r.system().forEach(p -> block(system, p));
      }
    }
    ArrayNode messages = root.putArray("messages");
    for (Message m : r.messages()) {
      ArrayNode content = Json.MAPPER.createArrayNode();
      m.parts().forEach(p -> block(content, p));
      if (content.isEmpty()) {
        continue;
      }
      ObjectNode message = messages.addObject().put("role", m.role() == Role.USER ? "user" : "assistant");
      if (content.size() == 1 && content.get(0).path("type").asString().equals("text")
          && !content.get(0).has("cache_control")) {
        message.put("content", content.get(0).path("text").asString());
      } else {
        message.set("content", content);
      }
    }
    ArrayNode tools = null;
    if (!r.tools().isEmpty()) {
      tools = root.putArray("tools");
      for (Tool t : r.tools()) {
        ObjectNode tool = tools.addObject().put("name", t.name());
        if (t.description() != null) tool.put("description", t.description());
        tool.set("input_schema", t.schema() != null ? t.schema() : Json.MAPPER.createObjectNode().put("type", "object"));
      }
    }
    ObjectNode choice = null;
    if (r.format() != null) {
      // No native structured output: one forced tool whose input is the answer.
      if (tools == null) tools = root.putArray("tools");
      JsonNode schema = r.format().kind() == FormatKind.JSON_SCHEMA && r.format().schema() != null ? r.format().schema()
          : Json.MAPPER.createObjectNode().put("type", "object");
      tools.addObject().put("name", FORMAT_TOOL)
          .put("description", "Give the answer as this tool's input: JSON that follows its schema.")
          .set("input_schema", schema);
      choice = root.putObject("tool_choice").put("type", "tool").put("name", FORMAT_TOOL);
    } else if (r.toolChoice() != null) {
      choice = root.putObject("tool_choice");
      switch (r.toolChoice().mode()) {
        case AUTO -> choice.put("type", "auto");
        case NONE -> choice.put("type", "none");
        case ANY -> choice.put("type", "any");
        case TOOL -> choice.put("type", "tool").put("name", r.toolChoice().name());
      }
    }
    if (Boolean.FALSE.equals(r.parallelToolCalls()) && !r.tools().isEmpty()) {
      if (choice == null) choice = root.putObject("tool_choice").put("type", "auto");
      choice.put("disable_parallel_tool_use", true);
    }
    if (r.temperature() != null) root.put("temperature", r.temperature());
    if (r.topP() != null) root.put("top_p", r.topP());
    if (!r.stop().isEmpty()) {
      ArrayNode stop = root.putArray("stop_sequences");
      r.stop().forEach(stop::add);
    }
    if (r.thinkingBudget() != null) {
      root.putObject("thinking").put("type", "enabled").put("budget_tokens", r.thinkingBudget());
    }
    if (r.user() != null) root.putObject("metadata").put("user_id", r.user());
    if (r.stream()) root.put("stream", true);
    return Json.MAPPER.writeValueAsBytes(root);
  }

  private static void block(ArrayNode out, Part part) {
    switch (part) {
      case Text t -> {
        ObjectNode b = out.addObject().put("type", "text").put("text", t.text());
        if (t.cacheControl() != null) b.set("cache_control", t.cacheControl());
      }
      case Image i -> {
        ObjectNode source = out.addObject().put("type", "image").putObject("source");
        if (i.url() != null) {
          source.put("type", "url").put("url", i.url());
        } else {
          source.put("type", "base64").put("media_type", i.mediaType()).put("data", i.data());
        }
      }
      case ToolUse u -> out.addObject().put("type", "tool_use").put("id", u.id()).put("name", u.name())
          .set("input", Translation.arguments(u.arguments()));
      case ToolResult r -> {
        ObjectNode b = out.addObject().put("type", "tool_result").put("tool_use_id", r.toolUseId());
        if (r.content().size() == 1 && r.content().getFirst() instanceof Text t && t.cacheControl() == null) {
          b.put("content", t.text());
        } else {
          ArrayNode content = b.putArray("content");
          r.content().forEach(p -> block(content, p));
        }
        if (r.isError()) b.put("is_error", true);
      }
      // Thinking goes back only with the signature Anthropic gave it; text from another family has none.
      case Thinking t -> {
        if (t.signature() != null) {
          out.addObject().put("type", "thinking").put("thinking", t.text()).put("signature", t.signature());
        }
      }
      case RedactedThinking t -> out.addObject().put("type", "redacted_thinking").put("data", t.data());
    }
  }


  // ---- whole answers

  static boolean emulatesFormat(@Nullable Request asked) {
    return asked != null && asked.format() != null;
  }

  @Override
  public Response decodeResponse(byte[] body, Request asked) {
    JsonNode root = Translation.tree(body);
    boolean format = emulatesFormat(asked);
    List<Part> content = new ArrayList<>();
    boolean formatted = false;
    for (JsonNode b : root.path("content")) {
      switch (b.path("type").asString("")) {
        case "text" -> content.add(new Text(b.path("text").asString()));
        case "tool_use" -> {
          String input = Json.MAPPER.writeValueAsString(b.path("input"));
          if (format && b.path("name").asString().equals(FORMAT_TOOL)) {
            content.add(new Text(input));
            formatted = true;
          } else {
            content.add(new ToolUse(b.path("id").asString(), b.path("name").asString(), input));
          }
        }
        case "thinking" -> content.add(new Thinking(b.path("thinking").asString(), OpenAiCodec.text(b.get("signature"))));
        case "redacted_thinking" -> content.add(new RedactedThinking(b.path("data").asString()));
        default -> {}
      }
    }
    Stop stop = stop(root.path("stop_reason").asString(null));
    if (formatted && stop == Stop.TOOL_USE) {
      stop = Stop.END_TURN;
    }
    return new Response(root.path("id").asString(""), root.path("model").asString(""), content, stop,
        OpenAiCodec.text(root.get("stop_sequence")), tokens(root.get("usage")));
  }

  static @Nullable Stop stop(@Nullable String reason) {
    if (reason == null) return null;
    return switch (reason) {
      case "max_tokens", "model_context_window_exceeded" -> Stop.MAX_TOKENS;
      case "stop_sequence" -> Stop.STOP_SEQUENCE;
      case "tool_use" -> Stop.TOOL_USE;
      case "refusal" -> Stop.REFUSAL;
      default -> Stop.END_TURN;
    };
  }

  static @Nullable String stopReason(@Nullable Stop stop) {
    if (stop == null) return "end_turn";
    return switch (stop) {
      case END_TURN -> "end_turn";
      case MAX_TOKENS -> "max_tokens";
      case STOP_SEQUENCE -> "stop_sequence";
      case TOOL_USE -> "tool_use";
      case REFUSAL -> "refusal";
    };
  }

  static @Nullable Tokens tokens(@Nullable JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    return new Tokens(usage.path("input_tokens").asLong(0), usage.path("cache_read_input_tokens").asLong(0),
        usage.path("cache_creation_input_tokens").asLong(0), usage.path("output_tokens").asLong(0), 0);
  }

  private static ObjectNode usage(Tokens t) {
    return Json.MAPPER.createObjectNode()
        .put("input_tokens", t.input())
        .put("cache_creation_input_tokens", t.cacheWrite())
        .put("cache_read_input_tokens", t.cacheRead())
        .put("output_tokens", t.output());
  }

  @Override
  public byte[] encodeResponse(Response r, Request asked) {
    ObjectNode root = Json.MAPPER.createObjectNode()
        .put("id", r.id())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", r.model());
    ArrayNode content = root.putArray("content");
    for (Part p : r.content()) {
      switch (p) {
        case Text t -> content.addObject().put("type", "text").put("text", t.text());
        case ToolUse u -> content.addObject().put("type", "tool_use").put("id", u.id()).put("name", u.name())
            .set("input", Translation.arguments(u.arguments()));
        case Thinking t -> content.addObject().put("type", "thinking").put("thinking", t.text())
            .put("signature", t.signature() == null ? "" : t.signature());
        case RedactedThinking t -> content.addObject().put("type", "redacted_thinking").put("data", t.data());
        default -> {}
      }
    }
    root.put("stop_reason", stopReason(r.stop()));
    if (r.stopSequence() == null) {
      root.putNull("stop_sequence");
    } else {
      root.put("stop_sequence", r.stopSequence());
    }
    root.set("usage", usage(r.tokens() == null ? Tokens.NONE : r.tokens()));
    return Json.MAPPER.writeValueAsBytes(root);
  }

  // ---- streams

  @Override
  public StreamDecoder decoder(@Nullable Request asked) {
    return new Decoder(emulatesFormat(asked));
  }

  /**
   * Anthropic's events map one to one onto the neutral ones. The usage of {@code message_start} (the
   * prompt) and of {@code message_delta} (the output, and the prompt again where reported) are merged,
   * so each class is counted once. With an emulated format, the forced tool's block is text.
   */
  private static final class Decoder implements StreamDecoder {
    private final boolean format;
    private Tokens tokens = Tokens.NONE;
    private int formatBlock = -1;

    Decoder(boolean format) {
      this.format = format;
    }

    @Override
    public List<Event> decode(@Nullable String event, String data) {
      JsonNode e = Translation.tree(data);
      String type = e.path("type").asString(event == null ? "" : event);
      return switch (type) {
        case "message_start" -> {
          JsonNode message = e.path("message");
          Tokens reported = tokens(message.get("usage"));
          if (reported != null) tokens = reported;
          yield List.of(new Chat.Start(message.path("id").asString(""), message.path("model").asString(""), tokens));
        }
        case "content_block_start" -> {
          int index = e.path("index").asInt();
          JsonNode b = e.path("content_block");
          Part part = switch (b.path("type").asString("")) {
            case "tool_use" -> {
              if (format && b.path("name").asString().equals(FORMAT_TOOL)) {
                formatBlock = index;
                yield new Text("");
              }
              yield new ToolUse(b.path("id").asString(""), b.path("name").asString(""), "");
            }
            case "thinking" -> new Thinking("", null);
            case "redacted_thinking" -> new RedactedThinking(b.path("data").asString(""));
            case "text" -> new Text("");
            default -> null;
          };
          yield part == null ? List.of() : List.of(new BlockStart(index, part));
        }
        case "content_block_delta" -> {
          int index = e.path("index").asInt();
          JsonNode d = e.path("delta");
          yield switch (d.path("type").asString("")) {
            case "text_delta" -> List.of(new BlockDelta(index, DeltaKind.TEXT, d.path("text").asString("")));
            case "input_json_delta" -> List.of(new BlockDelta(index,
                index == formatBlock ? DeltaKind.TEXT : DeltaKind.JSON, d.path("partial_json").asString("")));
            case "thinking_delta" -> List.of(new BlockDelta(index, DeltaKind.THINKING, d.path("thinking").asString("")));
            case "signature_delta" -> List.of(new BlockDelta(index, DeltaKind.SIGNATURE, d.path("signature").asString("")));
            default -> List.of();
          };
        }
        case "content_block_stop" -> List.of(new BlockStop(e.path("index").asInt()));
        case "message_delta" -> {
          JsonNode usage = e.path("usage");
          tokens = new Tokens(
              usage.has("input_tokens") && !usage.get("input_tokens").isNull() ? usage.get("input_tokens").asLong() : tokens.input(),
              usage.has("cache_read_input_tokens") && !usage.get("cache_read_input_tokens").isNull()
                  ? usage.get("cache_read_input_tokens").asLong() : tokens.cacheRead(),
              usage.has("cache_creation_input_tokens") && !usage.get("cache_creation_input_tokens").isNull()
                  ? usage.get("cache_creation_input_tokens").asLong() : tokens.cacheWrite(),
              usage.path("output_tokens").asLong(tokens.output()), 0);
          Stop stop = stop(e.path("delta").path("stop_reason").asString(null));
          if (formatBlock >= 0 && stop == Stop.TOOL_USE) {
            stop = Stop.END_TURN;
          }
          yield List.of(new Chat.Finish(stop, OpenAiCodec.text(e.path("delta").get("stop_sequence")), tokens));
        }
        case "message_stop" -> List.of(new Chat.End());
        case "error" -> List.of(new Chat.Failure(e.path("error").path("type").asString("api_error"),
            e.path("error").path("message").asString("")));
        default -> List.of(); // ping, and event types added later
      };
    }
  }

  @Override
  public StreamEncoder encoder(Request asked) {
    return new Encoder();
  }

  /** Neutral events as Anthropic's named events; the whole usage goes out again in {@code message_delta}. */
  private static final class Encoder implements StreamEncoder {

    @Override
    public void encode(Event event, StringBuilder out) {
      switch (event) {
        case Chat.Start s -> {
          ObjectNode message = Json.MAPPER.createObjectNode().put("id", s.id()).put("type", "message")
              .put("role", "assistant").put("model", s.model());
          message.putArray("content");
          message.putNull("stop_reason").putNull("stop_sequence");
          message.set("usage", usage(s.tokens() == null ? Tokens.NONE : s.tokens()));
          ObjectNode root = Json.MAPPER.createObjectNode().put("type", "message_start");
          root.set("message", message);
          frame(out, "message_start", root);
        }
        case BlockStart b -> {
          ObjectNode root = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", b.index());
          ObjectNode block = root.putObject("content_block");
          switch (b.block()) {
            case ToolUse u -> {
              block.put("type", "tool_use").put("id", u.id()).put("name", u.name());
              block.putObject("input");
            }
            case Thinking t -> block.put("type", "thinking").put("thinking", "").put("signature", "");
            case RedactedThinking t -> block.put("type", "redacted_thinking").put("data", t.data());
            default -> block.put("type", "text").put("text", "");
          }
          frame(out, "content_block_start", root);
        }
        // The events of every token: written by hand, as a stream of hundreds of them is.
        case BlockDelta d -> {
          String type = switch (d.kind()) {
            case TEXT -> "text_delta\",\"text\":";
            case JSON -> "input_json_delta\",\"partial_json\":";
            case THINKING -> "thinking_delta\",\"thinking\":";
            case SIGNATURE -> "signature_delta\",\"signature\":";
          };
          out.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":").append(d.index())
              .append(",\"delta\":{\"type\":\"").append(type).append(OpenAiCodec.quote(d.value())).append("}}\n\n");
        }
        case BlockStop b -> out.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":")
            .append(b.index()).append("}\n\n");
        case Chat.Finish f -> {
          ObjectNode root = Json.MAPPER.createObjectNode().put("type", "message_delta");
          ObjectNode delta = root.putObject("delta").put("stop_reason", stopReason(f.stop()));
          if (f.stopSequence() == null) delta.putNull("stop_sequence"); else delta.put("stop_sequence", f.stopSequence());
          root.set("usage", usage(f.tokens() == null ? Tokens.NONE : f.tokens()));
          frame(out, "message_delta", root);
        }
        case Chat.End e -> frame(out, "message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop"));
        case Chat.Failure f -> {}
      }
    }

    private static void frame(StringBuilder out, String name, ObjectNode data) {
      out.append("event: ").append(name).append("\ndata: ").append(Json.MAPPER.writeValueAsString(data)).append("\n\n");
    }
  }
}
