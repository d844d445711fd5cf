package dev.junction.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Validates a client request in one streaming pass and records what routing and rewriting need.
 *
 * <p>Only the fields the gateway relies on, or whose wrong type would otherwise come back as a
 * provider's confusing error, are checked; every other field passes through untouched. Errors name
 * the field the way OpenAI does ({@code messages[0].role}).
 */
public final class RequestInspector {

  private static final Set<String> ROLES =
      Set.of("system", "developer", "user", "assistant", "tool", "function");
  private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");
  private static final Set<String> RESPONSE_FORMATS = Set.of("text", "json_object", "json_schema");
  private static final Set<String> ENCODINGS = Set.of("float", "base64");
  private static final Set<String> SORTS = Set.of("price", "throughput", "latency");

  /** Request fields that steer the gateway itself; {@link BodyRewriter} never sends them upstream. */
  static final Set<String> GATEWAY_FIELDS = Set.of("provider", "models");

  private RequestInspector() {}

  /** @throws ApiError 400 when the body is not a valid request for this endpoint */
  public static InspectedRequest inspect(Endpoint endpoint, byte[] body) {
    return inspect(endpoint, Family.OPENAI, body, Map.of());
  }

  /**
   * @param family the client's wire family: its body is validated as that API validates it
   * @param headers the client's headers of that family (e.g. {@code anthropic-version}), bounded, for
   *     a provider of the same family
   * @throws ApiError 400 when the body is not a valid request for this endpoint
   */
  public static InspectedRequest inspect(Endpoint endpoint, Family family, byte[] body, Map<String, String> headers) {
    Scan scan = new Scan(endpoint, body);
    scan.family = family;
    scan.headers = Map.copyOf(headers);
    return scan.inspected();
  }

  /**
   * An Anthropic {@code count_tokens} body: a Messages request without {@code max_tokens}.
   *
   * @throws ApiError 400 when the body is not one
   */
  public static InspectedRequest inspectTokenCount(byte[] body, Map<String, String> headers) {
    Scan scan = new Scan(Endpoint.CHAT, body);
    scan.family = Family.ANTHROPIC;
    scan.headers = Map.copyOf(headers);
    scan.counting = true;
    return scan.inspected();
  }

  /** The mutable state of one pass; becomes an {@link InspectedRequest}. */
  static final class Scan {
    final Endpoint endpoint;
    final byte[] body;
    Family family = Family.OPENAI;
    /** A token count: no answer is asked for, so no {@code max_tokens} either. */
    boolean counting;
    Map<String, String> headers = Map.of();
    @Nullable String model;
    int objectStart;
    int objectEnd;
    int modelStart = -1;
    int modelEnd = -1;
    boolean stream;
    boolean includeUsage;
    int streamOptionsStart = -1;
    int streamOptionsEnd = -1;
    String[] fieldNames = new String[16];
    int[] fieldStarts = new int[17];
    int fieldCount;
    int features;
    int maxTokens = -1;
    double temperature = Double.NaN;
    @Nullable String user;
    @Nullable String promptCacheKey;
    ProviderPreferences preferences = ProviderPreferences.NONE;
    List<String> fallbackModels = List.of();
    /** The Responses API's {@code previous_response_id}, or null. */
    @Nullable String previousResponseId;
    /** The Responses API's {@code store}: whether the answer is kept for a later turn (its default). */
    boolean store = true;
    /** The index of the field holding the prompt (messages, prompt or input), or -1. */
    int promptField = -1;
    private boolean sawMessages;

    void sawMessagesArray() {
      sawMessages = true;
    }

    void sawInput() {
      sawInput = true;
    }
    private boolean sawPrompt;
    private boolean sawInput;

    Scan(Endpoint endpoint, byte[] body) {
      this.endpoint = endpoint;
      this.body = body;
    }

    /** The request, read in one pass. */
    InspectedRequest inspected() {
      JsonParser p = Json.requestParser(body);
      try {
        read(p);
      } catch (JacksonException e) {
        // Read before closing: the parser still knows where it stopped, and in which object.
        throw JsonSyntax.refusal(e, p);
      } finally {
        p.close();
      }
      return new InspectedRequest(this);
    }

    void read(JsonParser p) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw ApiError.invalidJson("the body is empty.");
      }
      if (t != JsonToken.START_OBJECT) {
        throw ApiError.invalid(null, "The request body must be a JSON object.");
      }
      objectStart = offset(p);
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        addField(name, offset(p));
        JsonToken value = p.nextToken();
        field(name, value, p);
      }
      objectEnd = offset(p);
      fieldStarts[fieldCount] = objectEnd;
      if (!endsHere(p)) {
        throw ApiError.invalidJson("there is more after the JSON object.");
      }
      requireFields();
    }

    private static boolean endsHere(JsonParser p) {
      try {
        return p.nextToken() == null;
      } catch (JacksonException e) {
        return false;
      }
    }

    private void addField(String name, int start) {
      if (fieldCount == fieldNames.length) {
        fieldNames = Arrays.copyOf(fieldNames, fieldCount * 2);
        fieldStarts = Arrays.copyOf(fieldStarts, fieldCount * 2 + 1);
      }
      fieldNames[fieldCount] = name;
      fieldStarts[fieldCount++] = start;
    }

    private void requireFields() {
      if (model == null) {
        throw missing("model");
      }
      if (family == Family.RESPONSES) {
        if (!sawInput) throw missing("input");
        return;
      }
      if (family == Family.ANTHROPIC) {
        if (!sawMessages) throw missing("messages");
        if (maxTokens < 0 && !counting) throw missing("max_tokens");
        return;
      }
      switch (endpoint) {
        case CHAT -> {
          if (!sawMessages) throw missing("messages");
        }
        case COMPLETIONS -> {
          if (!sawPrompt) throw missing("prompt");
        }
        case EMBEDDINGS -> {
          if (!sawInput) throw missing("input");
        }
      }
      if (streamOptionsStart >= 0 && !stream) {
        throw ApiError.invalid(
            "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
      }
    }

    private void field(String name, JsonToken v, JsonParser p) {
      switch (name) {
        case "model" -> model(v, p);
        case "stream" -> stream = bool(name, v);
        case "stream_options" -> streamOptions(v, p);
        case "n" -> integer(name, v, p, 1, 128);
        case "max_tokens", "max_completion_tokens" ->
            maxTokens = integer(name, v, p, family == Family.ANTHROPIC ? 1 : 0, Integer.MAX_VALUE);
        case "temperature" -> temperature = number(name, v, p, 0, family == Family.ANTHROPIC ? 1 : 2);
        case "top_p" -> number(name, v, p, 0, 1);
        case "presence_penalty", "frequency_penalty" -> number(name, v, p, -2, 2);
        case "seed" -> integer(name, v, p, Integer.MIN_VALUE, Integer.MAX_VALUE);
        case "top_logprobs" -> integer(name, v, p, 0, 20);
        case "user" -> user = string(name, v, p);
        case "prompt_cache_key" -> promptCacheKey = string(name, v, p);
        case "stop" -> stringOrStrings(name, v, p);
        case "provider" -> preferences = preferences(v, p);
        case "models" -> fallbackModels = strings("models", v, p, 1);
        default -> {
          if (name.equals("messages") || name.equals("prompt") || name.equals("input")) {
            promptField = fieldCount - 1;
          }
          endpointField(name, v, p);
        }
      }
    }

    private ProviderPreferences preferences(JsonToken v, JsonParser p) {
      if (v == JsonToken.VALUE_NULL) {
        return ProviderPreferences.NONE;
      }
      if (v != JsonToken.START_OBJECT) {
        throw type("provider", "an object", v);
      }
      ProviderPreferences d = ProviderPreferences.NONE;
      List<String> order = d.order(), only = d.only(), ignore = d.ignore();
      boolean allowFallbacks = true, requireParameters = false;
      String sort = null;
      double[] maxPrice = {Double.NaN, Double.NaN};
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = Bounded.text(p.currentName(), Bounded.NAME);
        String param = "provider." + name;
        JsonToken value = p.nextToken();
        switch (name) {
          case "order" -> order = strings(param, value, p, 0);
          case "only" -> only = strings(param, value, p, 0);
          case "ignore" -> ignore = strings(param, value, p, 0);
          case "allow_fallbacks" -> allowFallbacks = value == JsonToken.VALUE_NULL || bool(param, value);
          case "require_parameters" -> requireParameters = bool(param, value);
          case "sort" -> {
            sort = string(param, value, p);
            oneOf(param, sort, SORTS);
          }
          case "max_price" -> maxPrice(value, p, maxPrice);
          default -> throw ApiError.invalid(param, "Unsupported provider preference '" + name
              + "'. This gateway supports: allow_fallbacks, ignore, max_price, only, order, require_parameters, sort.");
        }
      }
      return new ProviderPreferences(order, only, ignore, allowFallbacks, sort, maxPrice[0], maxPrice[1], requireParameters);
    }

    private void maxPrice(JsonToken v, JsonParser p, double[] bounds) {
      if (v == JsonToken.VALUE_NULL) {
        return;
      }
      FieldReader.object("provider.max_price", v, p, (field, value) -> {
        String name = Bounded.text(field, Bounded.NAME);
        switch (name) {
          case "prompt" -> bounds[0] = price("provider.max_price.prompt", value, p);
          case "completion" -> bounds[1] = price("provider.max_price.completion", value, p);
          default -> throw ApiError.invalid("provider.max_price." + name, "Unsupported price bound '" + name
              + "'. This gateway supports: prompt, completion (USD per million tokens).");
        }
      });
    }

    private static double price(String param, JsonToken v, JsonParser p) {
      if (v == JsonToken.VALUE_NULL) {
        return Double.NaN;
      }
      number(param, v, p, 0, Double.MAX_VALUE);
      return p.getDoubleValue();
    }

    /** An array of non-empty strings, at least {@code min} of them; null reads as none. */
    private static List<String> strings(String param, JsonToken v, JsonParser p, int min) {
      if (v == JsonToken.VALUE_NULL && min == 0) {
        return List.of();
      }
      if (v != JsonToken.START_ARRAY) {
        throw type(param, "an array of strings", v);
      }
      List<String> items = new ArrayList<>();
      FieldReader.items(param, p, (item, t) -> {
        if (t != JsonToken.VALUE_STRING) {
          throw type(item, "a string", t);
        }
        if (p.getString().isBlank()) {
          throw ApiError.invalid(item, "'" + item + "' must not be empty.");
        }
        items.add(p.getString());
      });
      if (items.size() < min) {
        throw ApiError.invalid(param, "'" + param + "' must contain at least " + min + " item.");
      }
      return List.copyOf(items);
    }

    private void endpointField(String name, JsonToken v, JsonParser p) {
      if (family == Family.ANTHROPIC) {
        AnthropicFields.field(this, name, v, p);
        return;
      }
      if (family == Family.RESPONSES) {
        ResponsesFields.field(this, name, v, p);
        return;
      }
      switch (endpoint) {
        case CHAT -> chatField(name, v, p);
        case COMPLETIONS -> completionField(name, v, p);
        case EMBEDDINGS -> embeddingField(name, v, p);
      }
    }

    private void chatField(String name, JsonToken v, JsonParser p) {
      switch (name) {
        case "messages" -> messages(v, p);
        case "logprobs" -> {
          if (bool(name, v)) features |= InspectedRequest.LOGPROBS;
        }
        case "parallel_tool_calls" -> bool(name, v);
        case "tools" -> tools(v, p, (param, t) -> tool(param, t, p));
        case "tool_choice" -> toolChoice(v, p);
        case "response_format" -> responseFormat(v, p);
        default -> p.skipChildren();
      }
    }

    private void completionField(String name, JsonToken v, JsonParser p) {
      switch (name) {
        case "prompt" -> {
          if (v != JsonToken.VALUE_STRING && v != JsonToken.START_ARRAY) {
            throw type(name, "a string or an array", v);
          }
          sawPrompt = true;
          p.skipChildren();
        }
        case "logprobs" -> {
          if (integer(name, v, p, 0, 5) > 0) features |= InspectedRequest.LOGPROBS;
        }
        case "echo" -> bool(name, v);
        case "suffix" -> string(name, v, p);
        case "best_of" -> integer(name, v, p, 1, 20);
        default -> p.skipChildren();
      }
    }

    private void embeddingField(String name, JsonToken v, JsonParser p) {
      switch (name) {
        case "input" -> {
          if (v != JsonToken.VALUE_STRING && v != JsonToken.START_ARRAY) {
            throw type(name, "a string or an array", v);
          }
          if (v == JsonToken.START_ARRAY) {
            if (p.nextToken() == JsonToken.END_ARRAY) {
              throw ApiError.invalid("input", "'input' must not be empty.");
            }
            p.skipChildren(); // the first item's own content, when it is an array
            while (p.nextToken() != JsonToken.END_ARRAY) {
              p.skipChildren();
            }
          }
          sawInput = true;
        }
        case "encoding_format" -> oneOf(name, string(name, v, p), ENCODINGS);
        case "dimensions" -> integer(name, v, p, 1, 65_536);
        default -> p.skipChildren();
      }
    }

    private void model(JsonToken v, JsonParser p) {
      if (v != JsonToken.VALUE_STRING) {
        throw type("model", "a string", v);
      }
      // The parser reads a string's content only when asked: asked first, an unterminated string
      // is its error rather than a scan past the end of the body.
      model = p.getString();
      modelStart = offset(p);
      modelEnd = stringEnd(body, modelStart);
      if (model.isBlank()) {
        throw ApiError.invalid("model", "'model' must not be empty.");
      }
    }

    private void streamOptions(JsonToken v, JsonParser p) {
      if (v == JsonToken.VALUE_NULL) {
        return;
      }
      streamOptionsStart = offset(p);
      FieldReader.object("stream_options", v, p, (name, value) -> {
        if (name.equals("include_usage")) {
          includeUsage = bool("stream_options.include_usage", value);
        } else {
          p.skipChildren();
        }
      });
      streamOptionsEnd = offset(p) + 1;
    }

    private void messages(JsonToken v, JsonParser p) {
      int count = FieldReader.array("messages", v, p, (param, t) -> message(param, t, p));
      sawMessages = true;
      if (count == 0) {
        throw ApiError.invalid("messages", "'messages' must contain at least one message.");
      }
    }

    private void message(String param, JsonToken t, JsonParser p) {
      if (t != JsonToken.START_OBJECT) {
        throw type(param, "an object", t);
      }
      String role = null;
      boolean content = false;
      boolean toolCallId = false;
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "role" -> role = string(param + ".role", value, p);
          case "content" ->
              content = FieldReader.content(param + ".content", value, p, (part, token) -> contentPart(part, token, p));
          case "tool_call_id" -> toolCallId = string(param + ".tool_call_id", value, p) != null;
          case "name" -> string(param + ".name", value, p);
          default -> p.skipChildren();
        }
      }
      if (role == null) {
        throw missing(param + ".role");
      }
      oneOf(param + ".role", role, ROLES);
      // Only an assistant turn may omit content (a tool-call turn, or a prefix to continue).
      if (!content && !role.equals("assistant")) {
        throw missing(param + ".content");
      }
      if (role.equals("tool") && !toolCallId) {
        throw missing(param + ".tool_call_id");
      }
    }

    private void contentPart(String param, JsonToken t, JsonParser p) {
      if (FieldReader.requiredType(param, t, p).equals("image_url")) {
        features |= InspectedRequest.IMAGES;
      }
    }

    /** Every format's {@code tools}: null, or an array of tools, each read by {@code tool}. */
    void tools(JsonToken v, JsonParser p, FieldReader.Item tool) {
      if (v == JsonToken.VALUE_NULL) {
        return;
      }
      if (FieldReader.array("tools", v, p, tool) > 0) {
        features |= InspectedRequest.TOOLS;
      }
    }

    private static void tool(String param, JsonToken t, JsonParser p) {
      boolean[] named = {false};
      String type = FieldReader.requiredType(param, t, p, (name, value) -> {
        if (name.equals("function")) {
          named[0] = function(param + ".function", value, p);
        } else {
          p.skipChildren();
        }
      });
      if (type.equals("function") && !named[0]) {
        throw missing(param + ".function.name");
      }
    }

    private static boolean function(String param, JsonToken v, JsonParser p) {
      boolean[] named = {false};
      FieldReader.object(param, v, p, (name, value) -> {
        if (name.equals("name")) {
          named[0] = string(param + ".name", value, p) != null;
        } else if (name.equals("parameters") && value != JsonToken.START_OBJECT) {
          throw type(param + ".parameters", "an object", value);
        } else {
          p.skipChildren();
        }
      });
      return named[0];
    }

    private void toolChoice(JsonToken v, JsonParser p) {
      switch (v) {
        case VALUE_NULL -> {}
        case VALUE_STRING -> oneOf("tool_choice", p.getString(), TOOL_CHOICES);
        case START_OBJECT -> p.skipChildren();
        default -> throw type("tool_choice", "a string or an object", v);
      }
    }

    private void responseFormat(JsonToken v, JsonParser p) {
      if (v == JsonToken.VALUE_NULL) {
        return;
      }
      boolean[] schemaNamed = {false};
      String type = FieldReader.requiredType("response_format", v, p, (name, value) -> {
        if (name.equals("json_schema")) {
          schemaNamed[0] = jsonSchema(value, p);
        } else {
          p.skipChildren();
        }
      });
      oneOf("response_format.type", type, RESPONSE_FORMATS);
      if (type.equals("json_schema")) {
        if (!schemaNamed[0]) {
          throw missing("response_format.json_schema.name");
        }
        features |= InspectedRequest.JSON_SCHEMA;
      } else if (type.equals("json_object")) {
        features |= InspectedRequest.JSON_OBJECT;
      }
    }

    private static boolean jsonSchema(JsonToken v, JsonParser p) {
      boolean[] named = {false};
      FieldReader.object("response_format.json_schema", v, p, (name, value) -> {
        if (name.equals("name")) {
          named[0] = string("response_format.json_schema.name", value, p) != null;
        } else {
          p.skipChildren();
        }
      });
      return named[0];
    }

    private void stringOrStrings(String param, JsonToken v, JsonParser p) {
      switch (v) {
        case VALUE_NULL, VALUE_STRING -> {}
        case START_ARRAY -> FieldReader.strings(param, p);
        default -> throw type(param, "a string or an array of strings", v);
      }
    }

    static boolean bool(String param, JsonToken v) {
      return switch (v) {
        case VALUE_TRUE -> true;
        case VALUE_FALSE, VALUE_NULL -> false;
        default -> throw type(param, "a boolean", v);
      };
    }

    /** @return the value, or 0 when null */
    static int integer(String param, JsonToken v, JsonParser p, int min, int max) {
      if (v == JsonToken.VALUE_NULL) {
        return 0;
      }
      if (v != JsonToken.VALUE_NUMBER_INT) {
        throw type(param, "an integer", v);
      }
      // Too large for a long is out of range too, not a parse error.
      boolean fits = p.getNumberType() == JsonParser.NumberType.INT || p.getNumberType() == JsonParser.NumberType.LONG;
      long value = fits ? p.getLongValue() : 0;
      if (!fits || value < min || value > max) {
        throw ApiError.invalid(param, "Invalid '" + param + "': " + Bounded.text(p.getString(), 32)
            + " is outside the range " + min + " to " + max + ".");
      }
      return (int) value;
    }

    /** @return the number, or NaN when the value is null */
    static double number(String param, JsonToken v, JsonParser p, double min, double max) {
      if (v == JsonToken.VALUE_NULL) {
        return Double.NaN;
      }
      if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
        throw type(param, "a number", v);
      }
      double value = p.getDoubleValue();
      if (value < min || value > max) {
        throw ApiError.invalid(
            param, "Invalid '" + param + "': " + value + " is outside the range " + min + " to " + max + ".");
      }
      return value;
    }

    /** @return the string, or null when the value is null */
    static @Nullable String string(String param, JsonToken v, JsonParser p) {
      if (v == JsonToken.VALUE_NULL) {
        return null;
      }
      if (v != JsonToken.VALUE_STRING) {
        throw type(param, "a string", v);
      }
      return p.getString();
    }

    static void oneOf(String param, @Nullable String value, Set<String> allowed) {
      if (value != null && !allowed.contains(value)) {
        throw ApiError.invalid(
            param,
            "Invalid value for '" + param + "': '" + Bounded.text(value, Bounded.NAME) + "'. Supported values are: "
                + String.join(", ", allowed.stream().sorted().toList()) + ".");
      }
    }

    static ApiError missing(String param) {
      return ApiError.invalid(param, "Missing required parameter: '" + param + "'.");
    }

    static ApiError type(String param, String expected, JsonToken actual) {
      return ApiError.invalid(
          param,
          "Invalid type for '" + param + "': expected " + expected + ", but got " + describe(actual) + " instead.");
    }

    private static String describe(JsonToken t) {
      return switch (t) {
        case VALUE_STRING -> "a string";
        case VALUE_NUMBER_INT -> "an integer";
        case VALUE_NUMBER_FLOAT -> "a decimal number";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "null";
        case START_ARRAY -> "an array";
        case START_OBJECT -> "an object";
        default -> String.valueOf(t);
      };
    }

    private static int offset(JsonParser p) {
      return (int) p.currentTokenLocation().getByteOffset();
    }

    /** The offset just past the closing quote of the JSON string starting at {@code start}. */
    static int stringEnd(byte[] body, int start) {
      int i = start + 1;
      while (true) {
        byte b = body[i];
        if (b == '\\') {
          i += 2;
        } else if (b == '"') {
          return i + 1;
        } else {
          i++;
        }
      }
    }
  }
}
