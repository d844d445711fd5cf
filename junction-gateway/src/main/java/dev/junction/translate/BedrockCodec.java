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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Amazon Bedrock Runtime's Converse API ({@code /model/{modelId}/converse} and {@code converse-stream}),
 * as its API reference states it. Its usage counts {@code inputTokens} without the cache reads and
 * writes, as the neutral {@link Tokens} do. Like Anthropic's it has no general structured output: a
 * JSON format is one forced tool, {@value AnthropicCodec#FORMAT_TOOL}, whose input becomes the text.
 * Extended thinking goes in {@code additionalModelRequestFields}, the model's own request fields
 * (Anthropic's {@code thinking} on Bedrock's Claude models). Its stream is not SSE but AWS's binary
 * event stream ({@link EventStreamFrames}); each frame's JSON payload is read here by its event type.
 *
 * <p>No client speaks this family: requests are decoded only to check the codec against others.
 */
final class BedrockCodec implements Codec {

  private static final Set<String> IMAGE_FORMATS = Set.of("png", "jpeg", "gif", "webp");

  @Override
  public Family family() {
    return Family.BEDROCK;
  }

  // ---- requests

  @Override
  public Request decodeRequest(byte[] body) {
    JsonNode root = Json.MAPPER.readTree(body);
    Draft d = new Draft();
    d.includeUsage = true;
    for (var field : root.properties()) {
      JsonNode v = field.getValue();
      switch (field.getKey()) {
        case "modelId" -> {}
        case "system" -> d.system.addAll(blocks(v, "system", d.untranslatable));
        case "messages" -> {
          int i = 0;
          for (JsonNode m : v) {
            Role role = m.path("role").asString("user").equals("assistant") ? Role.ASSISTANT : Role.USER;
            d.messages.add(new Message(role, blocks(m.path("content"), "messages[" + i++ + "].content",
                d.untranslatable)));
          }
        }
        case "inferenceConfig" -> {
          for (var c : v.properties()) {
            JsonNode x = c.getValue();
            switch (c.getKey()) {
              case "maxTokens" -> d.maxTokens = x.asInt();
              case "temperature" -> d.temperature = x.asDouble();
              case "topP" -> d.topP = x.asDouble();
              case "stopSequences" -> d.stop = Translation.strings(x);
              default -> d.untranslatable.add("inferenceConfig." + c.getKey());
            }
          }
        }
        case "toolConfig" -> {
          for (JsonNode t : v.path("tools")) {
            JsonNode spec = t.path("toolSpec");
            d.tools.add(new Tool(spec.path("name").asString(), OpenAiCodec.text(spec.get("description")),
                OpenAiCodec.object(spec.path("inputSchema").get("json"))));
          }
          JsonNode choice = v.get("toolChoice");
          if (choice != null) {
            d.choice = choice.has("any") ? new ToolChoice(ChoiceMode.ANY, null)
                : choice.has("tool") ? new ToolChoice(ChoiceMode.TOOL, choice.path("tool").path("name").asString())
                : new ToolChoice(ChoiceMode.AUTO, null);
          }
        }
        case "additionalModelRequestFields" -> {
          for (var f : v.properties()) {
            if (f.getKey().equals("thinking") && f.getValue().path("type").asString("").equals("enabled")) {
              d.budget = f.getValue().path("budget_tokens").asInt(1024);
            } else {
              d.untranslatable.add("additionalModelRequestFields." + f.getKey());
            }
          }
        }
        case "requestMetadata" -> {
          for (var f : v.properties()) {
            if (f.getKey().equals("user")) {
              d.user = f.getValue().asString();
            } else {
              d.untranslatable.add("requestMetadata." + f.getKey());
            }
          }
        }
        default -> d.untranslatable.add(field.getKey());
      }
    }
    return d.build(root.path("modelId").asString(""));
  }

  /** Content blocks; a {@code cachePoint} marks the block before it, as Anthropic's {@code cache_control} does. */
  private static List<Part> blocks(JsonNode array, String param, List<String> untranslatable) {
    List<Part> parts = new ArrayList<>();
    int index = 0;
    for (JsonNode b : array) {
      String at = param + "[" + index++ + "]";
      if (b.has("text")) {
        parts.add(new Text(b.path("text").asString()));
      } else if (b.has("cachePoint")) {
        if (!parts.isEmpty() && parts.getLast() instanceof Text t) {
          parts.set(parts.size() - 1, new Text(t.text(), Json.MAPPER.createObjectNode().put("type", "ephemeral")));
        } else {
          untranslatable.add(at + ".cachePoint");
        }
      } else if (b.has("image")) {
        JsonNode image = b.path("image");
        parts.add(new Image(null, "image/" + image.path("format").asString("png"),
            image.path("source").path("bytes").asString()));
      } else if (b.has("toolUse")) {
        JsonNode u = b.path("toolUse");
        parts.add(new ToolUse(u.path("toolUseId").asString(), u.path("name").asString(),
            Json.MAPPER.writeValueAsString(u.has("input") ? u.get("input") : Json.MAPPER.createObjectNode())));
      } else if (b.has("toolResult")) {
        JsonNode r = b.path("toolResult");
        List<Part> content = new ArrayList<>();
        for (JsonNode c : r.path("content")) {
          if (c.has("json")) {
            content.add(new Text(Json.MAPPER.writeValueAsString(c.get("json"))));
          } else {
            content.addAll(blocks(Json.MAPPER.createArrayNode().add(c), at + ".toolResult.content", untranslatable));
          }
        }
        parts.add(new ToolResult(r.path("toolUseId").asString(), content, r.path("status").asString("").equals("error")));
      } else if (b.has("reasoningContent")) {
        JsonNode reasoning = b.path("reasoningContent");
        if (reasoning.has("redactedContent")) {
          parts.add(new RedactedThinking(reasoning.path("redactedContent").asString()));
        } else {
          JsonNode text = reasoning.path("reasoningText");
          parts.add(new Thinking(text.path("text").asString(), OpenAiCodec.text(text.get("signature"))));
        }
      } else {
        untranslatable.add(at);
      }
    }
    return parts;
  }

  @Override
  public byte[] encodeRequest(Request r) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    if (!r.system().isEmpty()) {
      ArrayNode system = root.putArray("system");
      r.system().forEach(p -> block(system, p));
    }
    ArrayNode messages = root.putArray("messages");
    for (Message m : r.messages()) {
      ArrayNode content = Json.MAPPER.createArrayNode();
      m.parts().forEach(p -> block(content, p));
      if (content.isEmpty()) {
        continue;
      }
      messages.addObject().put("role", m.role() == Role.USER ? "user" : "assistant").set("content", content);
    }
    ObjectNode inference = Json.MAPPER.createObjectNode();
    if (r.maxTokens() != null && r.maxTokens() > 0) inference.put("maxTokens", r.maxTokens());
    if (r.temperature() != null) inference.put("temperature", r.temperature());
    if (r.topP() != null) inference.put("topP", r.topP());
    if (!r.stop().isEmpty()) {
      ArrayNode stop = inference.putArray("stopSequences");
      r.stop().forEach(stop::add);
    }
    if (!inference.isEmpty()) root.set("inferenceConfig", inference);
    toolConfig(root, r);
    if (r.thinkingBudget() != null) {
      root.putObject("additionalModelRequestFields").putObject("thinking").put("type", "enabled")
          .put("budget_tokens", r.thinkingBudget());
    }
    if (r.user() != null) root.putObject("requestMetadata").put("user", r.user());
    return Json.MAPPER.writeValueAsBytes(root);
  }

  /**
   * Tools, and the forced tool of an emulated JSON format. Bedrock refuses a conversation holding
   * tool blocks without a {@code toolConfig}, so the history's tools are declared even when the
   * request has none left to offer.
   */
  private static void toolConfig(ObjectNode root, Request r) {
    List<Tool> tools = new ArrayList<>(r.tools());
    if (tools.isEmpty() && r.format() == null) {
      Set<String> used = new HashSet<>();
      for (Message m : r.messages()) {
        for (Part p : m.parts()) {
          if (p instanceof ToolUse u && used.add(u.name())) tools.add(new Tool(u.name(), null, null));
        }
      }
    }
    if (r.format() != null) {
      JsonNode schema = r.format().kind() == FormatKind.JSON_SCHEMA && r.format().schema() != null ? r.format().schema()
          : Json.MAPPER.createObjectNode().put("type", "object");
      tools.add(new Tool(AnthropicCodec.FORMAT_TOOL, "Give the answer as this tool's input: JSON that follows its schema.",
          schema));
    }
    if (tools.isEmpty()) {
      return;
    }
    ObjectNode config = root.putObject("toolConfig");
    ArrayNode list = config.putArray("tools");
    for (Tool t : tools) {
      ObjectNode spec = list.addObject().putObject("toolSpec").put("name", t.name());
      if (t.description() != null) spec.put("description", t.description());
      spec.putObject("inputSchema").set("json",
          t.schema() != null ? t.schema() : Json.MAPPER.createObjectNode().put("type", "object"));
    }
    if (r.format() != null) {
      config.putObject("toolChoice").putObject("tool").put("name", AnthropicCodec.FORMAT_TOOL);
    } else if (r.toolChoice() != null && !r.tools().isEmpty()) {
      ObjectNode choice = config.putObject("toolChoice");
      switch (r.toolChoice().mode()) {
        case ANY -> choice.putObject("any");
        case TOOL -> choice.putObject("tool").put("name", r.toolChoice().name());
        case AUTO, NONE -> choice.putObject("auto");
      }
    }
  }

  /**
   * What Converse cannot take of a request that the neutral model holds, by the client's parameter;
   * null when it takes all of it. Checked before anything is sent, so that nothing is dropped: images
   * go inline only, in the four formats Converse reads.
   */
  @Override
  public List<String> unsupported(Request r, Family client) {
    String refused = refused(r, client);
    return refused == null ? List.of() : List.of(refused);
  }

  private static @Nullable String refused(Request r, Family client) {
    if (r.toolChoice() != null && r.toolChoice().mode() == ChoiceMode.NONE && !r.tools().isEmpty()) {
      return "tool_choice";
    }
    if (Boolean.FALSE.equals(r.parallelToolCalls()) && !r.tools().isEmpty()) {
      return "parallel_tool_calls";
    }
    boolean inline = r.messages().stream().flatMap(m -> m.parts().stream())
        .flatMap(p -> p instanceof ToolResult t ? t.content().stream() : Stream.of(p))
        .allMatch(p -> !(p instanceof Image i) || i.url() == null && IMAGE_FORMATS.contains(format(i.mediaType())));
    if (!inline) {
      return switch (client) {
        case ANTHROPIC -> "source.url";
        case RESPONSES -> "input_image.image_url";
        default -> "image_url";
      };
    }
    return null;
  }

  private static String format(@Nullable String mediaType) {
    String type = mediaType == null ? "" : mediaType.toLowerCase(Locale.ROOT);
    String format = type.startsWith("image/") ? type.substring("image/".length()) : type;
    return format.equals("jpg") ? "jpeg" : format;
  }

  private static void block(ArrayNode out, Part part) {
    switch (part) {
      case Text t -> {
        out.addObject().put("text", t.text());
        if (t.cacheControl() != null) out.addObject().putObject("cachePoint").put("type", "default");
      }
      case Image i -> out.addObject().putObject("image").put("format", format(i.mediaType()))
          .putObject("source").put("bytes", i.data());
      case ToolUse u -> out.addObject().putObject("toolUse").put("toolUseId", u.id()).put("name", u.name())
          .set("input", Translation.arguments(u.arguments()));
      case ToolResult r -> {
        ObjectNode result = out.addObject().putObject("toolResult").put("toolUseId", r.toolUseId());
        ArrayNode content = result.putArray("content");
        r.content().forEach(p -> block(content, p));
        if (content.isEmpty()) content.addObject().put("text", "");
        result.put("status", r.isError() ? "error" : "success");
      }
      // Reasoning goes back only with the signature the model gave it; text from another family has none.
      case Thinking t -> {
        if (t.signature() != null) {
          out.addObject().putObject("reasoningContent").putObject("reasoningText").put("text", t.text())
              .put("signature", t.signature());
        }
      }
      case RedactedThinking t -> out.addObject().putObject("reasoningContent").put("redactedContent", t.data());
    }
  }


  // ---- whole answers

  @Override
  public Response decodeResponse(byte[] body, Request asked) {
    JsonNode root = Translation.tree(body);
    JsonNode message = root.path("output").path("message");
    if (!message.isObject()) {
      throw new IllegalArgumentException("no output.message");
    }
    boolean format = AnthropicCodec.emulatesFormat(asked);
    boolean formatted = false;
    List<Part> content = new ArrayList<>();
    for (Part p : blocks(message.path("content"), "content", new ArrayList<>())) {
      if (format && p instanceof ToolUse u && u.name().equals(AnthropicCodec.FORMAT_TOOL)) {
        content.add(new Text(u.arguments()));
        formatted = true;
      } else {
        content.add(p);
      }
    }
    Stop stop = stop(root.path("stopReason").asString(null));
    if (formatted && stop == Stop.TOOL_USE) {
      stop = Stop.END_TURN;
    }
    // Converse answers carry no id (only the x-amzn-RequestId header): the gateway names the answer.
    return new Response(ResponsesCodec.id("bedrock"), asked.model(), content, stop, null, tokens(root.get("usage")));
  }

  /** Converse's stop reasons are Anthropic's, but for a guardrail's or a content filter's. */
  static @Nullable Stop stop(@Nullable String reason) {
    return "guardrail_intervened".equals(reason) || "content_filtered".equals(reason) ? Stop.REFUSAL
        : AnthropicCodec.stop(reason);
  }

  static @Nullable String stopReason(@Nullable Stop stop) {
    return stop == Stop.REFUSAL ? "content_filtered" : AnthropicCodec.stopReason(stop);
  }

  static @Nullable Tokens tokens(@Nullable JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    return new Tokens(usage.path("inputTokens").asLong(0), usage.path("cacheReadInputTokens").asLong(0),
        usage.path("cacheWriteInputTokens").asLong(0), usage.path("outputTokens").asLong(0), 0);
  }

  private static ObjectNode usage(Tokens t) {
    return Json.MAPPER.createObjectNode()
        .put("inputTokens", t.input())
        .put("outputTokens", t.output())
        .put("totalTokens", t.prompt() + t.output())
        .put("cacheReadInputTokens", t.cacheRead())
        .put("cacheWriteInputTokens", t.cacheWrite());
  }

  @Override
  public byte[] encodeResponse(Response r, Request asked) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode content = root.putObject("output").putObject("message").put("role", "assistant").putArray("content");
    r.content().forEach(p -> block(content, p));
    root.put("stopReason", stopReason(r.stop()));
    root.set("usage", usage(r.tokens() == null ? Tokens.NONE : r.tokens()));
    root.putObject("metrics").put("latencyMs", 0);
    return Json.MAPPER.writeValueAsBytes(root);
  }

  // ---- streams

  @Override
  public StreamDecoder decoder(@Nullable Request asked) {
    return new Decoder(AnthropicCodec.emulatesFormat(asked), asked == null ? "" : asked.model());
  }

  /**
   * Converse's stream events, by the frame's {@code :event-type}. Text and reasoning blocks have no
   * {@code contentBlockStart}: their first delta opens them. The stop reason ({@code messageStop})
   * comes before the usage ({@code metadata}, the last event), so the neutral finish waits for both.
   */
  private static final class Decoder implements StreamDecoder {
    private final boolean format;
    private final String model;
    private final Set<Integer> open = new HashSet<>();
    private int formatBlock = -1;
    private @Nullable Stop stop;

    Decoder(boolean format, String model) {
      this.format = format;
      this.model = model;
    }

    @Override
    public List<Event> decode(@Nullable String event, String data) {
      JsonNode e = Translation.tree(data);
      return switch (event == null ? "" : event) {
        case "messageStart" -> List.of(new Chat.Start(ResponsesCodec.id("bedrock"), model, Tokens.NONE));
        case "contentBlockStart" -> {
          int index = e.path("contentBlockIndex").asInt();
          JsonNode use = e.path("start").path("toolUse");
          if (!use.isObject()) {
            yield List.of();
          }
          open.add(index);
          if (format && use.path("name").asString("").equals(AnthropicCodec.FORMAT_TOOL)) {
            formatBlock = index;
            yield List.of(new BlockStart(index, new Text("")));
          }
          yield List.of(new BlockStart(index, new ToolUse(use.path("toolUseId").asString(""),
              use.path("name").asString(""), "")));
        }
        case "contentBlockDelta" -> delta(e.path("contentBlockIndex").asInt(), e.path("delta"));
        case "contentBlockStop" -> {
          int index = e.path("contentBlockIndex").asInt();
          yield open.remove(index) ? List.of(new BlockStop(index)) : List.of();
        }
        case "messageStop" -> {
          stop = BedrockCodec.stop(e.path("stopReason").asString(null));
          if (formatBlock >= 0 && stop == Stop.TOOL_USE) {
            stop = Stop.END_TURN;
          }
          yield List.of();
        }
        case "metadata" -> {
          Tokens tokens = tokens(e.get("usage"));
          yield List.of(new Chat.Finish(stop, null, tokens == null ? Tokens.NONE : tokens), new Chat.End());
        }
        case EventStreamFrames.EXCEPTION -> List.of(new Chat.Failure(e.path("type").asString("exception"),
            e.path("message").asString("")));
        default -> List.of();
      };
    }

    private List<Event> delta(int index, JsonNode d) {
      List<Event> events = new ArrayList<>(2);
      if (d.has("text")) {
        opened(index, new Text(""), events);
        events.add(new BlockDelta(index, DeltaKind.TEXT, d.path("text").asString("")));
      } else if (d.has("toolUse")) {
        events.add(new BlockDelta(index, index == formatBlock ? DeltaKind.TEXT : DeltaKind.JSON,
            d.path("toolUse").path("input").asString("")));
      } else if (d.has("reasoningContent")) {
        JsonNode r = d.path("reasoningContent");
        if (r.has("redactedContent")) {
          opened(index, new RedactedThinking(r.path("redactedContent").asString("")), events);
        } else {
          opened(index, new Thinking("", null), events);
          if (r.has("text")) events.add(new BlockDelta(index, DeltaKind.THINKING, r.path("text").asString("")));
          if (r.has("signature")) events.add(new BlockDelta(index, DeltaKind.SIGNATURE, r.path("signature").asString("")));
        }
      }
      return events;
    }

    private void opened(int index, Part block, List<Event> events) {
      if (open.add(index)) {
        events.add(new BlockStart(index, block));
      }
    }
  }

  /** No client speaks Converse, and its stream is binary: nothing is ever written in it for a client. */
  @Override
  public StreamEncoder encoder(Request asked) {
    throw new UnsupportedOperationException("no client reads Bedrock's event stream");
  }
}
