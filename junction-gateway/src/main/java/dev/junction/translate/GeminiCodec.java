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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Google's Gemini API ({@code generateContent}, {@code streamGenerateContent?alt=sse}). The model is
 * in the URL, not the body. Its usage counts {@code promptTokenCount} with the cached tokens inside
 * and {@code candidatesTokenCount} without the thoughts: the neutral output is candidates plus
 * thoughts, as OpenAI's {@code completion_tokens} includes its reasoning tokens, each priced once.
 *
 * <p>Function calls may come without an id, and are answered by name: a call gets a stable id
 * ({@value #GENERATED_PREFIX} and eight hex digits), and a result goes back as a
 * {@code functionResponse} named after the call it answers. A call's {@code thoughtSignature}, which
 * Gemini 3 requires back on the next turn, rides in the call's id (after {@value #SIGNATURE_MARK},
 * base64url), the one field every client echoes verbatim; a signature longer than
 * {@value #MAX_SIGNATURE} characters is not carried.
 */
final class GeminiCodec implements Codec {

  static final String GENERATED_PREFIX = "call_";
  static final String SIGNATURE_MARK = "__ts_";
  static final int MAX_SIGNATURE = 16_384;
  private static final Pattern GENERATED = Pattern.compile("call_[0-9a-f]{8}");
  private static final Set<String> GATEWAY = Set.of("provider", "models");
  private static final Map<String, String> MIME_BY_EXTENSION = Map.of("png", "image/png", "jpg", "image/jpeg",
      "jpeg", "image/jpeg", "webp", "image/webp", "gif", "image/gif", "heic", "image/heic", "heif", "image/heif");

  @Override
  public Family family() {
    return Family.GEMINI;
  }

  // ---- ids

  /** A call's id for clients: Gemini's own, else a stable one; its signature appended when it fits. */
  static String callId(@Nullable String geminiId, String seed, @Nullable String signature) {
    String base = geminiId != null && !geminiId.isEmpty() ? geminiId
        : GENERATED_PREFIX + String.format(Locale.ROOT, "%08x", seed.hashCode());
    if (signature == null || signature.isEmpty() || signature.length() > MAX_SIGNATURE) {
      return base;
    }
    String url = signature.replace('+', '-').replace('/', '_');
    int pad = url.indexOf('=');
    return base + SIGNATURE_MARK + (pad < 0 ? url : url.substring(0, pad));
  }

  /** The id Gemini knows a call by (null when it gave none), and its signature (null when none). */
  record CallId(@Nullable String id, @Nullable String signature) {
    static CallId of(String carried) {
      int mark = carried.indexOf(SIGNATURE_MARK);
      String base = mark < 0 ? carried : carried.substring(0, mark);
      String signature = null;
      if (mark >= 0) {
        StringBuilder s = new StringBuilder(carried.substring(mark + SIGNATURE_MARK.length()).replace('-', '+')
            .replace('_', '/'));
        while (s.length() % 4 != 0) s.append('=');
        signature = s.toString();
      }
      return new CallId(GENERATED.matcher(base).matches() ? null : base, signature);
    }
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
        case "systemInstruction" -> d.system.addAll(parts(v.path("parts"), "systemInstruction", d.untranslatable,
            new ArrayList<>()));
        case "contents" -> contents(v, d);
        case "tools" -> {
          int i = 0;
          for (JsonNode t : v) {
            for (var entry : t.properties()) {
              if (!entry.getKey().equals("functionDeclarations")) {
                d.untranslatable.add("tools[" + i + "]." + entry.getKey());
              }
            }
            for (JsonNode f : t.path("functionDeclarations")) {
              JsonNode schema = f.has("parametersJsonSchema") ? f.get("parametersJsonSchema") : f.get("parameters");
              d.tools.add(new Tool(f.path("name").asString(), OpenAiCodec.text(f.get("description")),
                  OpenAiCodec.object(schema)));
            }
            i++;
          }
        }
        case "toolConfig" -> {
          JsonNode config = v.path("functionCallingConfig");
          JsonNode allowed = config.path("allowedFunctionNames");
          d.choice = switch (config.path("mode").asString("AUTO")) {
            case "NONE" -> new ToolChoice(ChoiceMode.NONE, null);
            case "ANY" -> allowed.size() == 1 ? new ToolChoice(ChoiceMode.TOOL, allowed.get(0).asString())
                : new ToolChoice(ChoiceMode.ANY, null);
            default -> new ToolChoice(ChoiceMode.AUTO, null);
          };
        }
        case "generationConfig" -> generation(v, d);
        default -> {
          if (!GATEWAY.contains(name) && !v.isNull()) {
            d.untranslatable.add(name);
          }
        }
      }
    }
    return d.build(root.path("model").asString(""));
  }

  private static void generation(JsonNode config, Draft d) {
    String mime = config.path("responseMimeType").asString("text/plain");
    for (var field : config.properties()) {
      JsonNode v = field.getValue();
      switch (field.getKey()) {
        case "maxOutputTokens" -> d.maxTokens = v.asInt();
        case "temperature" -> d.temperature = v.asDouble();
        case "topP" -> d.topP = v.asDouble();
        case "stopSequences" -> d.stop = Translation.strings(v);
        case "responseMimeType" -> {
          if (mime.equals("application/json")) {
            d.format = new ResponseFormat(FormatKind.JSON_OBJECT, null, null, null);
          } else if (!mime.equals("text/plain")) {
            d.untranslatable.add("generationConfig.responseMimeType");
          }
        }
        case "responseJsonSchema", "responseSchema" -> {}
        case "candidateCount" -> {
          if (v.asInt(1) != 1) d.untranslatable.add("generationConfig.candidateCount");
        }
        case "thinkingConfig" -> {
          if (v.has("thinkingBudget")) {
            // -1 asks Gemini to choose the budget itself, which no other family can be asked.
            int budget = v.path("thinkingBudget").asInt();
            if (budget < 0) d.untranslatable.add("generationConfig.thinkingConfig.thinkingBudget");
            d.budget = budget > 0 ? budget : null;
          } else if (v.has("thinkingLevel")) {
            d.untranslatable.add("generationConfig.thinkingConfig.thinkingLevel");
          }
        }
        default -> d.untranslatable.add("generationConfig." + field.getKey());
      }
    }
    JsonNode schema = config.has("responseJsonSchema") ? config.get("responseJsonSchema") : config.get("responseSchema");
    if (schema != null && mime.equals("application/json")) {
      d.format = new ResponseFormat(FormatKind.JSON_SCHEMA, "response", schema, null);
    }
  }

  /** Gemini's turns; a call without an id is matched to its response by name, in order. */
  private static void contents(JsonNode contents, Draft d) {
    List<ToolUse> open = new ArrayList<>();
    int i = 0;
    for (JsonNode content : contents) {
      String param = "contents[" + i + "]";
      String role = content.path("role").asString("user");
      if (!role.equals("user") && !role.equals("model")) {
        d.untranslatable.add(param + ".role");
      }
      List<ToolUse> calls = new ArrayList<>();
      List<Part> parts = parts(content.path("parts"), param, d.untranslatable, open);
      for (Part p : parts) {
        if (p instanceof ToolUse use) calls.add(use);
      }
      if (role.equals("model")) {
        d.messages.add(new Message(Role.ASSISTANT, parts));
        open = calls;
      } else {
        d.messages.add(new Message(Role.USER, parts));
      }
      i++;
    }
  }

  private static List<Part> parts(JsonNode array, String param, List<String> untranslatable, List<ToolUse> open) {
    List<Part> parts = new ArrayList<>();
    List<ToolUse> unanswered = new ArrayList<>(open);
    int index = 0;
    for (JsonNode p : array) {
      String at = param + ".parts[" + index + "]";
      if (p.has("text")) {
        parts.add(p.path("thought").asBoolean(false) ? new Thinking(p.path("text").asString(), null)
            : new Text(p.path("text").asString()));
      } else if (p.has("inlineData")) {
        parts.add(new Image(null, p.path("inlineData").path("mimeType").asString(),
            p.path("inlineData").path("data").asString()));
      } else if (p.has("fileData")) {
        parts.add(new Image(p.path("fileData").path("fileUri").asString(), null, null));
      } else if (p.has("functionCall")) {
        JsonNode call = p.get("functionCall");
        parts.add(new ToolUse(callId(OpenAiCodec.text(call.get("id")), at, OpenAiCodec.text(p.get("thoughtSignature"))),
            call.path("name").asString(), Json.MAPPER.writeValueAsString(call.has("args") ? call.get("args")
                : Json.MAPPER.createObjectNode())));
      } else if (p.has("functionResponse")) {
        JsonNode response = p.get("functionResponse");
        ToolUse answered = answered(unanswered, OpenAiCodec.text(response.get("id")), response.path("name").asString());
        JsonNode result = response.path("response");
        boolean error = result.has("error") && !result.has("output");
        JsonNode value = result.has("output") ? result.get("output") : error ? result.get("error") : result;
        String text = value.isString() ? value.asString() : Json.MAPPER.writeValueAsString(value);
        parts.add(new ToolResult(answered == null ? response.path("name").asString() : answered.id(),
            new ArrayList<>(List.of(new Text(text))), error));
      } else {
        untranslatable.add(at);
      }
      index++;
    }
    return parts;
  }

  private static @Nullable ToolUse answered(List<ToolUse> unanswered, @Nullable String id, String name) {
    for (ToolUse use : unanswered) {
      CallId carried = CallId.of(use.id());
      if (id != null ? id.equals(carried.id()) : use.name().equals(name)) {
        unanswered.remove(use);
        return use;
      }
    }
    return null;
  }

  /**
   * What Gemini cannot be asked: a promise of one call at a time, and an end user's id. Named as the
   * OpenAI client states them.
   */
  @Override
  public List<String> unsupported(Request r, Family client) {
    List<String> refused = new ArrayList<>();
    if (Boolean.FALSE.equals(r.parallelToolCalls()) && !r.tools().isEmpty()) refused.add("parallel_tool_calls");
    if (r.user() != null) refused.add("user");
    for (Message m : r.messages()) {
      for (Part p : m.parts()) {
        if (p instanceof ToolResult result && result.content().stream().anyMatch(c -> !(c instanceof Text))) {
          refused.add("tool_result.content");
        }
      }
    }
    return refused;
  }

  @Override
  public byte[] encodeRequest(Request r) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    if (!r.system().isEmpty()) {
      root.putObject("systemInstruction").putArray("parts").addObject().put("text", OpenAiCodec.joinText(r.system()));
    }
    ArrayNode contents = root.putArray("contents");
    Map<String, ToolUse> calls = new HashMap<>();
    for (Message m : r.messages()) {
      ArrayNode parts = Json.MAPPER.createArrayNode();
      for (Part p : m.parts()) {
        part(parts, p, calls);
      }
      if (!parts.isEmpty()) {
        contents.addObject().put("role", m.role() == Role.USER ? "user" : "model").set("parts", parts);
      }
    }
    if (!r.tools().isEmpty()) {
      ArrayNode declarations = root.putArray("tools").addObject().putArray("functionDeclarations");
      for (Tool t : r.tools()) {
        ObjectNode f = declarations.addObject().put("name", t.name());
        if (t.description() != null) f.put("description", t.description());
        if (t.schema() != null) f.set("parametersJsonSchema", t.schema());
      }
    }
    if (r.toolChoice() != null) {
      ObjectNode config = root.putObject("toolConfig").putObject("functionCallingConfig");
      switch (r.toolChoice().mode()) {
        case AUTO -> config.put("mode", "AUTO");
        case NONE -> config.put("mode", "NONE");
        case ANY -> config.put("mode", "ANY");
        case TOOL -> config.put("mode", "ANY").putArray("allowedFunctionNames").add(r.toolChoice().name());
      }
    }
    ObjectNode generation = Json.MAPPER.createObjectNode();
    if (r.maxTokens() != null) generation.put("maxOutputTokens", r.maxTokens());
    if (r.temperature() != null) generation.put("temperature", r.temperature());
    if (r.topP() != null) generation.put("topP", r.topP());
    if (!r.stop().isEmpty()) {
      ArrayNode stop = generation.putArray("stopSequences");
      r.stop().forEach(stop::add);
    }
    if (r.format() != null) {
      generation.put("responseMimeType", "application/json");
      if (r.format().kind() == FormatKind.JSON_SCHEMA && r.format().schema() != null) {
        generation.set("responseJsonSchema", r.format().schema());
      }
    }
    if (r.thinkingBudget() != null) {
      generation.putObject("thinkingConfig").put("thinkingBudget", r.thinkingBudget()).put("includeThoughts", true);
    }
    if (!generation.isEmpty()) root.set("generationConfig", generation);
    return Json.MAPPER.writeValueAsBytes(root);
  }

  private static void part(ArrayNode out, Part part, Map<String, ToolUse> calls) {
    switch (part) {
      case Text t -> out.addObject().put("text", t.text());
      case Image i -> {
        if (i.url() != null) {
          ObjectNode file = out.addObject().putObject("fileData");
          String mime = mimeOf(i.url());
          if (mime != null) file.put("mimeType", mime);
          file.put("fileUri", i.url());
        } else {
          out.addObject().putObject("inlineData").put("mimeType", i.mediaType()).put("data", i.data());
        }
      }
      case ToolUse u -> {
        calls.put(u.id(), u);
        functionCall(out.addObject(), u);
      }
      case ToolResult r -> {
        ToolUse call = calls.get(r.toolUseId());
        CallId carried = CallId.of(r.toolUseId());
        ObjectNode response = out.addObject().putObject("functionResponse");
        if (carried.id() != null) response.put("id", carried.id());
        // Gemini matches a response to its call by name; a result whose call is not in the history keeps its id as one.
        response.put("name", call != null ? call.name() : r.toolUseId());
        response.putObject("response").put(r.isError() ? "error" : "output", OpenAiCodec.joinText(r.content()));
      }
      // Gemini's thought summaries are not taken back; its signatures travel on the calls.
      case Thinking t -> {}
      case Chat.RedactedThinking t -> {}
    }
  }

  /** A call as Gemini states it: its id when Gemini gave one, its signature beside it. */
  private static void functionCall(ObjectNode part, ToolUse u) {
    CallId carried = CallId.of(u.id());
    ObjectNode call = part.putObject("functionCall");
    if (carried.id() != null) call.put("id", carried.id());
    call.put("name", u.name()).set("args", Translation.arguments(u.arguments()));
    if (carried.signature() != null) part.put("thoughtSignature", carried.signature());
  }

  private static @Nullable String mimeOf(String url) {
    String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
    int dot = path.lastIndexOf('.');
    return dot < 0 ? null : MIME_BY_EXTENSION.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }


  // ---- whole answers

  @Override
  public Response decodeResponse(byte[] body, Request asked) {
    JsonNode root = Translation.tree(body);
    String id = root.path("responseId").asString("");
    JsonNode candidate = root.path("candidates").path(0);
    List<Part> content = new ArrayList<>();
    int index = 0;
    for (JsonNode p : candidate.path("content").path("parts")) {
      if (p.has("functionCall")) {
        JsonNode call = p.get("functionCall");
        content.add(new ToolUse(callId(OpenAiCodec.text(call.get("id")), id + "/" + index, OpenAiCodec.text(p.get("thoughtSignature"))),
            call.path("name").asString(), Json.MAPPER.writeValueAsString(call.path("args"))));
      } else if (p.has("text")) {
        content.add(p.path("thought").asBoolean(false) ? new Thinking(p.path("text").asString(), null)
            : new Text(p.path("text").asString()));
      }
      index++;
    }
    boolean calls = content.stream().anyMatch(p -> p instanceof ToolUse);
    String reason = candidate.path("finishReason").asString(root.path("promptFeedback").has("blockReason") ? "SAFETY" : null);
    return new Response(id, root.path("modelVersion").asString(""), content, stop(reason, calls), null,
        tokens(root.get("usageMetadata")));
  }

  static @Nullable Stop stop(@Nullable String reason, boolean calls) {
    if (reason == null) return null;
    return switch (reason) {
      case "MAX_TOKENS" -> Stop.MAX_TOKENS;
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> Stop.REFUSAL;
      default -> calls ? Stop.TOOL_USE : Stop.END_TURN;
    };
  }

  static @Nullable Tokens tokens(@Nullable JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return null;
    }
    long prompt = usage.path("promptTokenCount").asLong(0);
    long cached = usage.path("cachedContentTokenCount").asLong(0);
    long thoughts = usage.path("thoughtsTokenCount").asLong(0);
    return new Tokens(Math.max(0, prompt - cached), cached, 0, usage.path("candidatesTokenCount").asLong(0) + thoughts,
        thoughts);
  }

  private static ObjectNode usage(Tokens t) {
    return Json.MAPPER.createObjectNode()
        .put("promptTokenCount", t.prompt())
        .put("cachedContentTokenCount", t.cacheRead())
        .put("candidatesTokenCount", t.output() - t.reasoning())
        .put("thoughtsTokenCount", t.reasoning())
        .put("totalTokenCount", t.prompt() + t.output());
  }

  private static String finishReason(@Nullable Stop stop) {
    if (stop == null) return "STOP";
    return switch (stop) {
      case MAX_TOKENS -> "MAX_TOKENS";
      case REFUSAL -> "SAFETY";
      default -> "STOP";
    };
  }

  @Override
  public byte[] encodeResponse(Response r, Request asked) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode candidate = root.putArray("candidates").addObject();
    ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
    for (Part p : r.content()) {
      switch (p) {
        case Text t -> parts.addObject().put("text", t.text());
        case Thinking t -> parts.addObject().put("text", t.text()).put("thought", true);
        case ToolUse u -> functionCall(parts.addObject(), u);
        default -> {}
      }
    }
    candidate.put("finishReason", finishReason(r.stop())).put("index", 0);
    root.set("usageMetadata", usage(r.tokens() == null ? Tokens.NONE : r.tokens()));
    root.put("modelVersion", r.model()).put("responseId", r.id());
    return Json.MAPPER.writeValueAsBytes(root);
  }

  // ---- streams

  @Override
  public StreamDecoder decoder(@Nullable Request asked) {
    return new Decoder();
  }

  /**
   * Each event is a whole {@code GenerateContentResponse} holding the parts since the last. A block
   * opens when the kind of part changes; a call is a block of its own. Gemini's stream has no end
   * marker: the chunk with a {@code finishReason} (and the whole usage) ends it.
   */
  private static final class Decoder implements StreamDecoder {
    private boolean started;
    private boolean ended;
    private @Nullable String id;
    private int open = -1;
    private @Nullable DeltaKind openKind;
    private int blocks;
    private boolean calls;
    private Tokens tokens = Tokens.NONE;

    @Override
    public List<Event> decode(@Nullable String event, String data) {
      List<Event> out = new ArrayList<>(4);
      JsonNode chunk = Translation.tree(data);
      JsonNode error = chunk.get("error");
      if (error != null && !error.isNull()) {
        out.add(new Chat.Failure(error.path("status").asString("INTERNAL"), error.path("message").asString("")));
        return out;
      }
      if (ended) {
        return out;
      }
      if (!started) {
        started = true;
        id = chunk.path("responseId").asString("");
        out.add(new Chat.Start(id, chunk.path("modelVersion").asString(""), Tokens.NONE));
      }
      Tokens reported = tokens(chunk.get("usageMetadata"));
      if (reported != null) tokens = reported;
      JsonNode candidate = chunk.path("candidates").path(0);
      for (JsonNode p : candidate.path("content").path("parts")) {
        if (p.has("functionCall")) {
          close(out);
          JsonNode call = p.get("functionCall");
          int index = blocks++;
          String callId = callId(OpenAiCodec.text(call.get("id")), id + "/" + index,
              OpenAiCodec.text(p.get("thoughtSignature")));
          out.add(new BlockStart(index, new ToolUse(callId, call.path("name").asString(), "")));
          out.add(new BlockDelta(index, DeltaKind.JSON, Json.MAPPER.writeValueAsString(call.path("args"))));
          out.add(new BlockStop(index));
          calls = true;
        } else if (p.has("text")) {
          boolean thought = p.path("thought").asBoolean(false);
          DeltaKind kind = thought ? DeltaKind.THINKING : DeltaKind.TEXT;
          String text = p.path("text").asString("");
          if (openKind != kind) {
            close(out);
            open = blocks++;
            openKind = kind;
            out.add(new BlockStart(open, thought ? new Thinking("", null) : new Text("")));
          }
          if (!text.isEmpty()) out.add(new BlockDelta(open, kind, text));
        }
      }
      // A blocked prompt has no candidate: its feedback ends the stream.
      String reason = candidate.path("finishReason").asString(chunk.path("promptFeedback").has("blockReason") ? "SAFETY" : null);
      if (reason != null) {
        close(out);
        ended = true;
        out.add(new Chat.Finish(stop(reason, calls), null, tokens));
        out.add(new Chat.End());
      }
      return out;
    }

    private void close(List<Event> out) {
      if (openKind != null) {
        out.add(new BlockStop(open));
        openKind = null;
      }
    }
  }

  @Override
  public StreamEncoder encoder(Request asked) {
    return new Encoder();
  }

  /** Neutral events as Gemini's stream: one {@code GenerateContentResponse} per delta or call. */
  private static final class Encoder implements StreamEncoder {
    private final Map<Integer, ToolUse> calls = new HashMap<>();
    private final Map<Integer, StringBuilder> arguments = new HashMap<>();
    private String id = "";
    private String model = "";

    @Override
    public void encode(Event event, StringBuilder out) {
      switch (event) {
        case Chat.Start s -> {
          id = s.id() == null ? "" : s.id();
          model = s.model() == null ? "" : s.model();
        }
        case BlockStart b -> {
          if (b.block() instanceof ToolUse u) {
            calls.put(b.index(), u);
            arguments.put(b.index(), new StringBuilder());
          }
        }
        case BlockDelta d -> {
          switch (d.kind()) {
            case JSON -> arguments.computeIfAbsent(d.index(), k -> new StringBuilder()).append(d.value());
            case TEXT, THINKING -> {
              ObjectNode part = Json.MAPPER.createObjectNode().put("text", d.value());
              if (d.kind() == DeltaKind.THINKING) part.put("thought", true);
              chunk(out, part, null, null);
            }
            case SIGNATURE -> {}
          }
        }
        case BlockStop b -> {
          ToolUse u = calls.remove(b.index());
          StringBuilder args = arguments.remove(b.index());
          if (u != null) {
            ObjectNode part = Json.MAPPER.createObjectNode();
            functionCall(part, new ToolUse(u.id(), u.name(), args == null ? "{}" : args.toString()));
            chunk(out, part, null, null);
          }
        }
        case Chat.Finish f -> chunk(out, null, finishReason(f.stop()), f.tokens());
        case Chat.End e -> {}
        case Chat.Failure f -> {}
      }
    }

    private void chunk(StringBuilder out, @Nullable JsonNode part, @Nullable String finish, @Nullable Tokens tokens) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      ObjectNode candidate = root.putArray("candidates").addObject();
      ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
      if (part != null) parts.add(part);
      if (finish != null) candidate.put("finishReason", finish);
      candidate.put("index", 0);
      if (tokens != null) root.set("usageMetadata", usage(tokens));
      root.put("modelVersion", model).put("responseId", id);
      out.append("data: ").append(Json.MAPPER.writeValueAsString(root)).append("\r\n\r\n");
    }
  }
}
