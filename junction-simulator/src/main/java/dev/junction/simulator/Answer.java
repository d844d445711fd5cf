package dev.junction.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the simulator answers to one chat or text completion request, planned in full before the
 * first byte goes out: choices, their pieces (one token each), tool calls and exact usage. It renders
 * itself as one JSON document or as the events of a stream.
 */
final class Answer {

  private static final int DEFAULT_MAX_TOKENS = 16;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** One choice: the pieces of text it says, or the tool calls it makes. */
  record Choice(int index, List<String> pieces, List<ToolCall> calls, String finishReason) {
    String text() {
      return String.join("", pieces);
    }

    int tokens() {
      return pieces.size() + calls.stream().mapToInt(c -> c.pieces().size()).sum();
    }

    /** The deltas a stream delivers for this choice, one token each. */
    List<String> deltas() {
      List<String> out = new ArrayList<>();
      pieces.forEach(p -> out.add("{\"content\":" + quote(p) + "}"));
      for (int c = 0; c < calls.size(); c++) {
        ToolCall call = calls.get(c);
        for (int p = 0; p < call.pieces().size(); p++) {
          String function = p == 0 ? "{\"name\":" + quote(call.name()) + ",\"arguments\":" + quote(call.pieces().get(p)) + "}"
              : "{\"arguments\":" + quote(call.pieces().get(p)) + "}";
          out.add("{\"tool_calls\":[{\"index\":" + c + (p == 0 ? ",\"id\":\"" + call.id() + "\",\"type\":\"function\"" : "")
              + ",\"function\":" + function + "}]}");
        }
      }
      return out;
    }
  }

  /** A function call whose JSON arguments arrive in pieces. */
  record ToolCall(String id, String name, List<String> pieces) {
    String arguments() {
      return String.join("", pieces);
    }
  }

  private final boolean chat;
  private final String id;
  private final long created;
  private final String model;
  private final int promptTokens;
  private final int cachedTokens;
  private final List<Choice> choices;
  private final boolean includeUsage;
  private final boolean logprobs;

  private Answer(boolean chat, String model, int promptTokens, int cachedTokens, List<Choice> choices,
      boolean includeUsage, boolean logprobs, long seed) {
    this.chat = chat;
    this.id = (chat ? "chatcmpl-sim" : "cmpl-sim") + Long.toHexString(seed & 0xffffffffffL)
        + Long.toHexString(System.nanoTime() & 0xffffff);
    this.created = System.currentTimeMillis() / 1000;
    this.model = model;
    this.promptTokens = promptTokens;
    this.cachedTokens = cachedTokens;
    this.choices = choices;
    this.includeUsage = includeUsage;
    this.logprobs = logprobs;
  }

  /** Plans a chat completion. @throws BadRequest naming the field it cannot use */
  static Answer chat(JsonNode body, PromptCache cache) {
    String model = requiredString(body, "model");
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new BadRequest("messages", "`messages` must be a non-empty array.");
    }
    List<String> prompt = new ArrayList<>();
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray()) {
      // Tool definitions lead the prompt, as providers render them.
      for (int i = 0; i < tools.toString().length() / Text.PIECE_CHARS; i++) {
        prompt.add("<|tool" + i + "|>");
      }
    }
    for (JsonNode message : messages) {
      prompt.add("<|" + message.path("role").asString("user") + "|>");
      addWords(prompt, message.get("content"));
      JsonNode calls = message.get("tool_calls");
      if (calls != null) {
        addWords(prompt, NODES.stringNode(calls.toString().replace(",", " ")));
      }
      prompt.add("<|end|>");
    }
    int cached = cache.lookUp(prompt);
    long seed = seed(body, prompt);
    int maxTokens = maxTokens(body);
    int n = count(body, "n", 1, 128, 1);
    List<String> toolNames = toolsToCall(body, tools);
    JsonNode format = body.path("response_format");
    List<Choice> choices = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long choiceSeed = seed + 7919L * i;
      if (!toolNames.isEmpty()) {
        SplittableRandom random = new SplittableRandom(choiceSeed);
        List<ToolCall> calls = new ArrayList<>();
        for (String name : toolNames) {
          String arguments = Text.valueFor(parameters(tools, name), random).toString();
          calls.add(new ToolCall("call_sim" + Long.toHexString(random.nextLong() & 0xffffffffL), name, Text.pieces(arguments)));
        }
        choices.add(new Choice(i, List.of(), calls, "tool_calls"));
      } else if (format.path("type").asString("text").startsWith("json")) {
        choices.add(new Choice(i, Text.pieces(jsonContent(format, choiceSeed, maxTokens)), List.of(), "stop"));
      } else {
        choices.add(text(i, choiceSeed, body, maxTokens));
      }
    }
    return new Answer(true, model, prompt.size() + 3, cached, choices, includeUsage(body),
        body.path("logprobs").asBoolean(false), seed);
  }

  /** Plans a legacy text completion. */
  static Answer completion(JsonNode body, PromptCache cache) {
    String model = requiredString(body, "model");
    JsonNode promptNode = body.get("prompt");
    if (promptNode == null || promptNode.isNull()) {
      throw new BadRequest("prompt", "`prompt` is required.");
    }
    List<String> prompt = new ArrayList<>();
    addWords(prompt, promptNode);
    int cached = cache.lookUp(prompt);
    long seed = seed(body, prompt);
    int maxTokens = maxTokens(body);
    int n = count(body, "n", 1, 128, 1);
    List<Choice> choices = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      choices.add(text(i, seed + 7919L * i, body, maxTokens));
    }
    return new Answer(false, model, Math.max(1, prompt.size()), cached, choices, includeUsage(body),
        body.has("logprobs") && !body.get("logprobs").isNull(), seed);
  }

  int completionTokens() {
    return choices.stream().mapToInt(Choice::tokens).sum();
  }

  List<Choice> choices() {
    return choices;
  }

  int promptTokens() {
    return promptTokens;
  }

  int cachedTokens() {
    return cachedTokens;
  }

  String model() {
    return model;
  }

  /** Its id, without the OpenAI prefix, for another format's ids. */
  String idSuffix() {
    return id.substring(id.indexOf("-sim") + 4);
  }

  /** The complete response body. */
  byte[] document() {
    ObjectNode root = NODES.objectNode();
    root.put("id", id);
    root.put("object", chat ? "chat.completion" : "text_completion");
    root.put("created", created);
    root.put("model", model);
    root.put("system_fingerprint", "fp_sim");
    ArrayNode array = root.putArray("choices");
    for (Choice c : choices) {
      ObjectNode choice = array.addObject();
      choice.put("index", c.index());
      if (chat) {
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (!c.calls().isEmpty()) {
          message.putNull("content");
          ArrayNode calls = message.putArray("tool_calls");
          for (ToolCall tc : c.calls()) {
            ObjectNode call = calls.addObject();
            call.put("id", tc.id());
            call.put("type", "function");
            call.putObject("function").put("name", tc.name()).put("arguments", tc.arguments());
          }
        } else {
          message.put("content", c.text());
        }
        message.putNull("refusal");
        message.putArray("annotations");
        choice.set("logprobs", logprobs ? SimulatorJson.MAPPER.readTree(logprobsJson(c.pieces())) : NODES.nullNode());
      } else {
        choice.put("text", c.text());
        choice.putNull("logprobs");
      }
      choice.put("finish_reason", c.finishReason());
    }
    root.set("usage", SimulatorJson.MAPPER.readTree(usageJson()));
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  /**
   * The stream's events in order, each a complete {@code data: …\n\n} frame, without {@code [DONE]}.
   * Marks which events carry a token, for pacing.
   */
  List<Event> events() {
    List<Event> events = new ArrayList<>();
    String head = "data: {\"id\":\"" + id + "\",\"object\":\"" + (chat ? "chat.completion.chunk" : "text_completion")
        + "\",\"created\":" + created + ",\"model\":" + quote(model) + ",\"system_fingerprint\":\"fp_sim\",\"choices\":[";
    if (chat) {
      for (Choice c : choices) {
        String delta = c.calls().isEmpty() ? "{\"role\":\"assistant\",\"content\":\"\"}"
            : "{\"role\":\"assistant\",\"content\":null}";
        events.add(new Event(frame(head, choiceChunk(c.index(), delta, null, null)), false));
      }
    }
    List<List<String>> deltas = choices.stream().map(c -> chat ? c.deltas() : c.pieces()).toList();
    int longest = deltas.stream().mapToInt(List::size).max().orElse(0);
    for (int p = 0; p < longest; p++) {
      for (Choice c : choices) {
        List<String> mine = deltas.get(c.index());
        if (p < mine.size()) {
          events.add(new Event(frame(head, pieceChunk(c, p, mine.get(p))), true));
        }
      }
    }
    for (Choice c : choices) {
      String last = chat ? choiceChunk(c.index(), "{}", null, c.finishReason())
          : "{\"text\":\"\",\"index\":" + c.index() + ",\"logprobs\":null,\"finish_reason\":\"" + c.finishReason() + "\"}";
      events.add(new Event(frame(head, last), false));
    }
    if (includeUsage) {
      events.add(new Event(frame(head, "").replace("\"choices\":[]}", "\"choices\":[],\"usage\":" + usageJson() + "}")
          .getBytes(StandardCharsets.UTF_8), false));
    }
    return events;
  }

  /** One frame of a stream; {@code token} says whether it delivers a token (paced) or not. */
  record Event(byte[] bytes, boolean token) {
    Event(String text, boolean token) {
      this(text.getBytes(StandardCharsets.UTF_8), token);
    }
  }

  private String pieceChunk(Choice c, int p, String delta) {
    if (!chat) {
      return "{\"text\":" + quote(delta) + ",\"index\":" + c.index() + ",\"logprobs\":null,\"finish_reason\":null}";
    }
    boolean text = c.calls().isEmpty();
    return choiceChunk(c.index(), delta, logprobs && text ? logprobsJson(List.of(c.pieces().get(p))) : null, null);
  }

  private static String choiceChunk(int index, String delta, @Nullable String logprobs, @Nullable String finishReason) {
    return "{\"index\":" + index + ",\"delta\":" + delta + ",\"logprobs\":" + (logprobs == null ? "null" : logprobs)
        + ",\"finish_reason\":" + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}";
  }

  private static String frame(String head, String choice) {
    return head + choice + "]}\n\n";
  }

  private String usageJson() {
    int completion = completionTokens();
    return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
        + (promptTokens + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cachedTokens
        + ",\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
        + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";
  }

  private static String logprobsJson(List<String> pieces) {
    StringBuilder out = new StringBuilder("{\"content\":[");
    for (int i = 0; i < pieces.size(); i++) {
      String token = pieces.get(i);
      out.append(i == 0 ? "" : ",").append("{\"token\":").append(quote(token)).append(",\"logprob\":-0.25,\"bytes\":[");
      byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
      for (int b = 0; b < bytes.length; b++) {
        out.append(b == 0 ? "" : ",").append(bytes[b] & 0xff);
      }
      out.append("],\"top_logprobs\":[]}");
    }
    return out.append("],\"refusal\":null}").toString();
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8).append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    return out.append('"').toString();
  }

  private static Choice text(int index, long seed, JsonNode body, int maxTokens) {
    List<String> words = Text.words(seed, maxTokens);
    String finish = body.has("max_tokens") || body.has("max_completion_tokens") ? "length" : "stop";
    List<String> stops = stops(body.get("stop"));
    StringBuilder said = new StringBuilder();
    for (int i = 0; i < words.size(); i++) {
      said.append(words.get(i));
      for (String stop : stops) {
        if (said.indexOf(stop) >= 0) {
          return new Choice(index, List.copyOf(words.subList(0, i)), List.of(), "stop");
        }
      }
    }
    return new Choice(index, words, List.of(), finish);
  }

  private static String jsonContent(JsonNode format, long seed, int maxTokens) {
    SplittableRandom random = new SplittableRandom(seed);
    if (format.path("type").asString().equals("json_schema")) {
      return Text.valueFor(format.path("json_schema").get("schema"), random).toString();
    }
    return NODES.objectNode().put("answer", String.join("", Text.words(seed, Math.min(maxTokens, 8)))).toString();
  }

  /**
   * The functions a request makes the model call: none for text, the one {@code tool_choice} names,
   * else every tool offered (up to three) in parallel unless {@code parallel_tool_calls} is false.
   */
  private static List<String> toolsToCall(JsonNode body, JsonNode tools) {
    if (tools == null || !tools.isArray() || tools.isEmpty()) {
      return List.of();
    }
    JsonNode choice = body.get("tool_choice");
    if (choice != null && choice.isString() && choice.asString().equals("none")) {
      return List.of();
    }
    if (choice != null && choice.isObject()) {
      return List.of(choice.path("function").path("name").asString("function"));
    }
    int calls = body.path("parallel_tool_calls").asBoolean(true) ? Math.min(3, tools.size()) : 1;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      names.add(tools.get(i).path("function").path("name").asString("function"));
    }
    return names;
  }

  private static @Nullable JsonNode parameters(JsonNode tools, String name) {
    for (JsonNode tool : tools) {
      if (tool.path("function").path("name").asString("").equals(name)) {
        return tool.path("function").get("parameters");
      }
    }
    return null;
  }

  private static void addWords(List<String> prompt, JsonNode content) {
    if (content == null || content.isNull()) {
      return;
    }
    if (content.isString()) {
      for (String word : content.asString().split("\\s+")) {
        if (!word.isEmpty()) {
          prompt.add(word);
        }
      }
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.isObject() && part.has("text")) {
          addWords(prompt, part.get("text"));
        } else if (part.isObject() && part.path("type").asString("").toLowerCase(Locale.ROOT).contains("image")) {
          for (int i = 0; i < 85; i++) {
            prompt.add("<|image|>"); // OpenAI's flat cost of a low-detail image
          }
        } else if (part.isNumber()) {
          prompt.add(part.asString());
        } else {
          addWords(prompt, part);
        }
      }
    }
  }

  private static long seed(JsonNode body, List<String> prompt) {
    long seed = body.path("seed").asLong(0);
    return 31 * prompt.hashCode() + seed;
  }

  private static int maxTokens(JsonNode body) {
    if (body.has("max_completion_tokens") && !body.get("max_completion_tokens").isNull()) {
      return count(body, "max_completion_tokens", 1, 100_000, DEFAULT_MAX_TOKENS);
    }
    return count(body, "max_tokens", 1, 100_000, DEFAULT_MAX_TOKENS);
  }

  private static boolean includeUsage(JsonNode body) {
    return body.path("stream_options").path("include_usage").asBoolean(false);
  }

  private static List<String> stops(JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    if (stop.isString()) {
      return List.of(stop.asString());
    }
    List<String> out = new ArrayList<>();
    stop.forEach(s -> out.add(s.asString()));
    return out;
  }

  static int count(JsonNode body, String field, int min, int max, int otherwise) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
      throw new BadRequest(field, "`" + field + "` must be an integer from " + min + " to " + max + ".");
    }
    return value.asInt();
  }

  static String requiredString(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isString() || value.asString().isEmpty()) {
      throw new BadRequest(field, "`" + field + "` is required and must be a string.");
    }
    return value.asString();
  }

  /** A request the simulator refuses with a 400, as a provider would. */
  static final class BadRequest extends RuntimeException {
    final @Nullable String param;

    BadRequest(@Nullable String param, String message) {
      super(message, null, false, false);
      this.param = param;
    }
  }
}
