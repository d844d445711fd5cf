package dev.junction.api;

import org.jspecify.annotations.Nullable;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The fields of an Anthropic Messages request, validated as Anthropic's API does: only {@code user}
 * and {@code assistant} turns (the system prompt is the top-level {@code system}), content as a string
 * or typed blocks, tools with a name and an {@code input_schema}, {@code tool_choice} by type. Errors
 * name the field ({@code messages[0].role}); every other field passes through untouched.
 */
final class AnthropicFields {

  private static final Set<String> ROLES = Set.of("user", "assistant");
  private static final Set<String> TOOL_CHOICES = Set.of("auto", "any", "tool", "none");
  private static final Set<String> THINKING = Set.of("enabled", "disabled", "adaptive");

  private AnthropicFields() {}

  static void field(RequestInspector.Scan scan, String name, JsonToken v, JsonParser p) {
    switch (name) {
      case "messages" -> messages(scan, v, p);
      case "system" -> system(v, p);
      case "stop_sequences" -> strings(name, v, p);
      case "top_k" -> RequestInspector.Scan.integer(name, v, p, 0, Integer.MAX_VALUE);
      case "tools" -> tools(scan, v, p);
      case "tool_choice" -> toolChoice(v, p);
      case "thinking" -> thinking(v, p);
      case "metadata" -> {
        if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
          throw RequestInspector.Scan.type(name, "an object", v);
        }
        p.skipChildren();
      }
      default -> p.skipChildren();
    }
  }

  private static void messages(RequestInspector.Scan scan, JsonToken v, JsonParser p) {
    if (v != JsonToken.START_ARRAY) {
      throw RequestInspector.Scan.type("messages", "an array", v);
    }
    scan.sawMessagesArray();
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      message(scan, "messages[" + index++ + "]", t, p);
    }
    if (index == 0) {
      throw ApiError.invalid("messages", "messages: at least one message is required.");
    }
  }

  private static void message(RequestInspector.Scan scan, String param, JsonToken t, JsonParser p) {
    if (t != JsonToken.START_OBJECT) {
      throw RequestInspector.Scan.type(param, "an object", t);
    }
    String role = null;
    boolean content = false;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      switch (name) {
        case "role" -> role = RequestInspector.Scan.string(param + ".role", value, p);
        case "content" -> content = content(scan, param + ".content", value, p);
        default -> p.skipChildren();
      }
    }
    if (role == null) {
      throw RequestInspector.Scan.missing(param + ".role");
    }
    if (!ROLES.contains(role)) {
      throw ApiError.invalid(param + ".role", "Unexpected role \"" + Bounded.text(role, Bounded.NAME)
          + "\" in " + param + ".role: messages take the roles user and assistant; a system prompt goes in "
          + "the top-level system parameter.");
    }
    if (!content) {
      throw RequestInspector.Scan.missing(param + ".content");
    }
  }

  private static boolean content(RequestInspector.Scan scan, String param, JsonToken v, JsonParser p) {
    switch (v) {
      case VALUE_STRING -> {
        return true;
      }
      case START_ARRAY -> {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          block(scan, param + "[" + index++ + "]", t, p);
        }
        return true;
      }
      default -> throw RequestInspector.Scan.type(param, "a string or an array of content blocks", v);
    }
  }

  private static void block(RequestInspector.Scan scan, String param, JsonToken t, JsonParser p) {
    String type = typed(param, t, p, (name, value) -> p.skipChildren());
    if (type == null) {
      throw RequestInspector.Scan.missing(param + ".type");
    }
    if (type.equals("image")) {
      scan.features |= InspectedRequest.IMAGES;
    }
  }

  /**
   * Reads an object field by field: its {@code type} as a string, every other field through
   * {@code others}, which must consume the value.
   *
   * @return the type, or null when it has none
   */
  private static @Nullable String typed(String param, JsonToken v, JsonParser p, Fields others) {
    if (v != JsonToken.START_OBJECT) {
      throw RequestInspector.Scan.type(param, "an object", v);
    }
    @Nullable String type = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("type")) {
        type = RequestInspector.Scan.string(param + ".type", value, p);
      } else {
        others.read(name, value);
      }
    }
    return type;
  }

  /** The fields of an object other than its type. */
  private interface Fields {
    void read(String name, JsonToken value);
  }

  private static void system(JsonToken v, JsonParser p) {
    switch (v) {
      case VALUE_STRING, VALUE_NULL -> {}
      case START_ARRAY -> {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          String param = "system[" + index++ + "]";
          String type = typed(param, t, p, (name, value) -> p.skipChildren());
          if (!"text".equals(type)) {
            throw ApiError.invalid(param + ".type", param + ".type: system blocks are of type text.");
          }
        }
      }
      default -> throw RequestInspector.Scan.type("system", "a string or an array of text blocks", v);
    }
  }

  private static void strings(String param, JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    if (v != JsonToken.START_ARRAY) {
      throw RequestInspector.Scan.type(param, "an array of strings", v);
    }
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_STRING) {
        throw RequestInspector.Scan.type(param + "[" + index + "]", "a string", t);
      }
      index++;
    }
  }

  private static void tools(RequestInspector.Scan scan, JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    if (v != JsonToken.START_ARRAY) {
      throw RequestInspector.Scan.type("tools", "an array", v);
    }
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      String param = "tools[" + index++ + "]";
      String[] name = {null};
      boolean[] schema = {false};
      String type = typed(param, t, p, (field, value) -> {
        switch (field) {
          case "name" -> name[0] = RequestInspector.Scan.string(param + ".name", value, p);
          case "input_schema" -> {
            if (value != JsonToken.START_OBJECT) {
              throw RequestInspector.Scan.type(param + ".input_schema", "an object", value);
            }
            schema[0] = true;
            p.skipChildren();
          }
          default -> p.skipChildren();
        }
      });
      if (name[0] == null) {
        throw RequestInspector.Scan.missing(param + ".name");
      }
      // Anthropic's own server tools (web search, code execution) have a versioned type and no schema.
      if (!schema[0] && (type == null || type.equals("custom"))) {
        throw RequestInspector.Scan.missing(param + ".input_schema");
      }
    }
    if (index > 0) {
      scan.features |= InspectedRequest.TOOLS;
    }
  }

  private static void toolChoice(JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    String[] name = {null};
    String type = typed("tool_choice", v, p, (field, value) -> {
      switch (field) {
        case "name" -> name[0] = RequestInspector.Scan.string("tool_choice.name", value, p);
        case "disable_parallel_tool_use" -> RequestInspector.Scan.bool("tool_choice.disable_parallel_tool_use", value);
        default -> p.skipChildren();
      }
    });
    if (type == null) {
      throw RequestInspector.Scan.missing("tool_choice.type");
    }
    RequestInspector.Scan.oneOf("tool_choice.type", type, TOOL_CHOICES);
    if (type.equals("tool") && name[0] == null) {
      throw RequestInspector.Scan.missing("tool_choice.name");
    }
  }

  private static void thinking(JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    String type = typed("thinking", v, p, (field, value) -> {
      if (field.equals("budget_tokens")) {
        RequestInspector.Scan.integer("thinking.budget_tokens", value, p, 1024, Integer.MAX_VALUE);
      } else {
        p.skipChildren();
      }
    });
    if (type == null) {
      throw RequestInspector.Scan.missing("thinking.type");
    }
    RequestInspector.Scan.oneOf("thinking.type", type, THINKING);
  }
}
