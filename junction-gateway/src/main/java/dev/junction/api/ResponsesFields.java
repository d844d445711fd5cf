package dev.junction.api;

import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The fields of a Responses API request ({@code POST /v1/responses}), validated as OpenAI's API does:
 * {@code input} as text or items (messages of typed parts, function calls and their outputs),
 * {@code instructions}, function tools, {@code tool_choice}, {@code text.format},
 * {@code reasoning.effort}, {@code max_output_tokens}, {@code metadata}, {@code store} and
 * {@code previous_response_id}. Errors name the field ({@code input[1].call_id}); every other field
 * passes on to the translation, which refuses what no provider family can honour.
 */
final class ResponsesFields {

  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final Set<String> PARTS =
      Set.of("input_text", "input_image", "input_file", "output_text", "refusal", "summary_text", "reasoning_text");
  private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");
  private static final Set<String> FORMATS = Set.of("text", "json_object", "json_schema");
  private static final Set<String> EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");

  private ResponsesFields() {}

  static void field(RequestInspector.Scan scan, String name, JsonToken v, JsonParser p) {
    switch (name) {
      case "input" -> input(scan, v, p);
      case "instructions" -> RequestInspector.Scan.string(name, v, p);
      case "tools" -> scan.tools(v, p, (param, t) -> tool(param, t, p));
      case "tool_choice" -> toolChoice(v, p);
      case "text" -> text(scan, v, p);
      case "reasoning" -> reasoning(v, p);
      case "max_output_tokens" -> scan.maxTokens = RequestInspector.Scan.integer(name, v, p, 1, Integer.MAX_VALUE);
      case "metadata" -> FieldReader.opaqueObject(name, v, p);
      case "store" -> scan.store = v == JsonToken.VALUE_NULL || RequestInspector.Scan.bool(name, v);
      case "previous_response_id" -> {
        String id = RequestInspector.Scan.string(name, v, p);
        if (id != null && id.isBlank()) {
          throw ApiError.invalid(name, "'previous_response_id' must not be empty.");
        }
        scan.previousResponseId = id;
      }
      case "parallel_tool_calls" -> RequestInspector.Scan.bool(name, v);
      default -> p.skipChildren();
    }
  }

  private static void input(RequestInspector.Scan scan, JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_STRING) {
      scan.sawInput();
      return;
    }
    if (v != JsonToken.START_ARRAY) {
      throw RequestInspector.Scan.type("input", "a string or an array of input items", v);
    }
    scan.sawInput();
    FieldReader.items("input", p, (param, t) -> item(scan, param, t, p));
  }

  private static void item(RequestInspector.Scan scan, String param, JsonToken t, JsonParser p) {
    if (t != JsonToken.START_OBJECT) {
      throw RequestInspector.Scan.type(param, "an object", t);
    }
    String type = null;
    String role = null;
    boolean content = false;
    boolean callId = false;
    boolean name = false;
    boolean arguments = false;
    boolean output = false;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      String at = param + "." + field;
      switch (field) {
        case "type" -> type = RequestInspector.Scan.string(at, value, p);
        case "role" -> role = RequestInspector.Scan.string(at, value, p);
        case "content" -> content = FieldReader.content(at, value, p, (partAt, token) -> part(scan, partAt, token, p));
        case "call_id" -> callId = RequestInspector.Scan.string(at, value, p) != null;
        case "name" -> name = RequestInspector.Scan.string(at, value, p) != null;
        case "arguments" -> arguments = RequestInspector.Scan.string(at, value, p) != null;
        case "output" -> {
          if (value != JsonToken.VALUE_STRING && value != JsonToken.START_ARRAY) {
            throw RequestInspector.Scan.type(at, "a string or an array", value);
          }
          output = true;
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    if (type == null && role == null) {
      throw RequestInspector.Scan.missing(param + ".type");
    }
    switch (type == null ? "message" : type) {
      case "message" -> {
        if (role == null) throw RequestInspector.Scan.missing(param + ".role");
        RequestInspector.Scan.oneOf(param + ".role", role, ROLES);
        if (!content) throw RequestInspector.Scan.missing(param + ".content");
      }
      case "function_call" -> {
        if (!callId) throw RequestInspector.Scan.missing(param + ".call_id");
        if (!name) throw RequestInspector.Scan.missing(param + ".name");
        if (!arguments) throw RequestInspector.Scan.missing(param + ".arguments");
      }
      case "function_call_output" -> {
        if (!callId) throw RequestInspector.Scan.missing(param + ".call_id");
        if (!output) throw RequestInspector.Scan.missing(param + ".output");
      }
      default -> {}
    }
  }

  private static void part(RequestInspector.Scan scan, String param, JsonToken t, JsonParser p) {
    String type = FieldReader.requiredType(param, t, p);
    RequestInspector.Scan.oneOf(param + ".type", type, PARTS);
    if (type.equals("input_image")) {
      scan.features |= InspectedRequest.IMAGES;
    }
  }

  private static void tool(String param, JsonToken t, JsonParser p) {
    boolean[] named = {false};
    String type = FieldReader.requiredType(param, t, p, (field, value) -> {
      switch (field) {
        case "name" -> named[0] = RequestInspector.Scan.string(param + ".name", value, p) != null;
        case "parameters" -> FieldReader.opaqueObject(param + ".parameters", value, p);
        default -> p.skipChildren();
      }
    });
    if (type.equals("function") && !named[0]) {
      throw RequestInspector.Scan.missing(param + ".name");
    }
  }

  private static void toolChoice(JsonToken v, JsonParser p) {
    switch (v) {
      case VALUE_NULL -> {}
      case VALUE_STRING -> RequestInspector.Scan.oneOf("tool_choice", p.getString(), TOOL_CHOICES);
      case START_OBJECT -> {
        boolean[] named = {false};
        String type = FieldReader.requiredType("tool_choice", v, p, (field, value) -> {
          if (field.equals("name")) {
            named[0] = RequestInspector.Scan.string("tool_choice.name", value, p) != null;
          } else {
            p.skipChildren();
          }
        });
        if (type.equals("function") && !named[0]) throw RequestInspector.Scan.missing("tool_choice.name");
      }
      default -> throw RequestInspector.Scan.type("tool_choice", "a string or an object", v);
    }
  }

  private static void text(RequestInspector.Scan scan, JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    FieldReader.object("text", v, p, (field, value) -> {
      if (field.equals("format")) {
        format(scan, value, p);
      } else {
        p.skipChildren();
      }
    });
  }

  private static void format(RequestInspector.Scan scan, JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    boolean[] named = {false};
    boolean[] schema = {false};
    String type = FieldReader.requiredType("text.format", v, p, (field, value) -> {
      switch (field) {
        case "name" -> named[0] = RequestInspector.Scan.string("text.format.name", value, p) != null;
        case "schema" -> {
          if (value != JsonToken.START_OBJECT) throw RequestInspector.Scan.type("text.format.schema", "an object", value);
          schema[0] = true;
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    });
    RequestInspector.Scan.oneOf("text.format.type", type, FORMATS);
    if (type.equals("json_schema")) {
      if (!named[0]) throw RequestInspector.Scan.missing("text.format.name");
      if (!schema[0]) throw RequestInspector.Scan.missing("text.format.schema");
      scan.features |= InspectedRequest.JSON_SCHEMA;
    } else if (type.equals("json_object")) {
      scan.features |= InspectedRequest.JSON_OBJECT;
    }
  }

  private static void reasoning(JsonToken v, JsonParser p) {
    if (v == JsonToken.VALUE_NULL) {
      return;
    }
    FieldReader.object("reasoning", v, p, (field, value) -> {
      if (field.equals("effort")) {
        @Nullable String effort = RequestInspector.Scan.string("reasoning.effort", value, p);
        RequestInspector.Scan.oneOf("reasoning.effort", effort, EFFORTS);
      } else {
        p.skipChildren();
      }
    });
  }
}
