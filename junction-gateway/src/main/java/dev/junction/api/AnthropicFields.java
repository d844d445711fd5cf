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
      case "tools" -> scan.tools(v, p, (param, t) -> tool(param, t, p));
      case "tool_choice" -> toolChoice(v, p);
      case "thinking" -> thinking(v, p);
      case "metadata" -> FieldReader.opaqueObject(name, v, p);
      default -> p.skipChildren();
    }
  }

  private static void messages(RequestInspector.Scan scan, JsonToken v, JsonParser p) {
    int count = FieldReader.array("messages", v, p, (param, t) -> message(scan, param, t, p));
    scan.sawMessagesArray();
    if (count == 0) {
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
        FieldReader.items(param, p, (item, t) -> block(scan, item, t, p));
        return true;
      }
      default -> throw RequestInspector.Scan.type(param, "a string or an array of content blocks", v);
    }
  }

  private static void block(RequestInspector.Scan scan, String param, JsonToken t, JsonParser p) {
    if (FieldReader.requiredType(param, t, p).equals("image")) {
      scan.features |= InspectedRequest.IMAGES;
    }
  }

  private static void system(JsonToken v, JsonParser p) {
    switch (v) {
      case VALUE_STRING, VALUE_NULL -> {}
      case START_ARRAY -> FieldReader.items("system", p, (param, t) -> {
        if (!"text".equals(FieldReader.typed(param, t, p))) {
          throw ApiError.invalid(param + ".type", param + ".type: system blocks are of type text.");
        }
      });
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
    FieldReader.strings(param, p);
  }

  private static void tool(String param, JsonToken t, JsonParser p) {
    @Nullable String[] name = {null};
    boolean[] schema = {false};
    @Nullable String type = FieldReader.typed(param, t, p, (field, value) -> {
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

  private static void toolChoice(JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    @Nullable String[] name = {null};
    String type = FieldReader.requiredType("tool_choice", v, p, (field, value) -> {
      switch (field) {
        case "name" -> name[0] = RequestInspector.Scan.string("tool_choice.name", value, p);
        case "disable_parallel_tool_use" -> RequestInspector.Scan.bool("tool_choice.disable_parallel_tool_use", value);
        default -> p.skipChildren();
      }
    });
    RequestInspector.Scan.oneOf("tool_choice.type", type, TOOL_CHOICES);
    if (type.equals("tool") && name[0] == null) {
      throw RequestInspector.Scan.missing("tool_choice.name");
    }
  }

  private static void thinking(JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    String type = FieldReader.requiredType("thinking", v, p, (field, value) -> {
      if (field.equals("budget_tokens")) {
        RequestInspector.Scan.integer("thinking.budget_tokens", value, p, 1024, Integer.MAX_VALUE);
      } else {
        p.skipChildren();
      }
    });
    RequestInspector.Scan.oneOf("thinking.type", type, THINKING);
  }
}
