package dev.junction.api;

import static dev.junction.api.RequestInspector.Scan.missing;
import static dev.junction.api.RequestInspector.Scan.type;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The JSON shapes that every client format's request is made of (an object read field by field, an
 * array item by item, an object with a {@code type}), read in {@link RequestInspector}'s one
 * streaming pass. What each format asks of the fields stays with the format; the errors these raise
 * name the field the same way in all of them ({@code messages[0].content[1].type}).
 */
final class FieldReader {

  private FieldReader() {}

  /** One field of an object: it must consume the value. */
  interface Field {
    void read(String name, JsonToken value);
  }

  /** One item of an array, named {@code param[index]}: it must consume the item. */
  interface Item {
    void read(String param, JsonToken t);
  }

  /** Reads an object field by field; {@code v} is its first token. */
  static void object(String param, JsonToken v, JsonParser p, Field each) {
    if (v != JsonToken.START_OBJECT) {
      throw type(param, "an object", v);
    }
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      each.read(name, p.nextToken());
    }
  }

  /** An object or null, whose content is the provider's to judge: it is skipped. */
  static void opaqueObject(String param, JsonToken v, JsonParser p) {
    if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
      throw type(param, "an object", v);
    }
    p.skipChildren();
  }

  /**
   * Reads an object field by field: its {@code type} as a string, every other field through
   * {@code others}.
   *
   * @return the type, or null when it has none
   */
  static @Nullable String typed(String param, JsonToken v, JsonParser p, Field others) {
    @Nullable String[] type = {null};
    object(param, v, p, (name, value) -> {
      if (name.equals("type")) {
        type[0] = RequestInspector.Scan.string(param + ".type", value, p);
      } else {
        others.read(name, value);
      }
    });
    return type[0];
  }

  /** {@link #typed(String, JsonToken, JsonParser, Field)} of an object whose type is all that is read. */
  static @Nullable String typed(String param, JsonToken v, JsonParser p) {
    return typed(param, v, p, (name, value) -> p.skipChildren());
  }

  /** {@link #typed(String, JsonToken, JsonParser, Field)} of an object that must have a type. */
  static String requiredType(String param, JsonToken v, JsonParser p, Field others) {
    String type = typed(param, v, p, others);
    if (type == null) {
      throw missing(param + ".type");
    }
    return type;
  }

  /** {@link #requiredType(String, JsonToken, JsonParser, Field)} whose type is all that is read. */
  static String requiredType(String param, JsonToken v, JsonParser p) {
    return requiredType(param, v, p, (name, value) -> p.skipChildren());
  }

  /** Reads an array item by item; {@code v} is its first token. @return how many items it has */
  static int array(String param, JsonToken v, JsonParser p, Item each) {
    if (v != JsonToken.START_ARRAY) {
      throw type(param, "an array", v);
    }
    return items(param, p, each);
  }

  /** Reads the items of an array whose opening the caller has read. @return how many */
  static int items(String param, JsonParser p, Item each) {
    int index = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      each.read(param + "[" + index++ + "]", t);
    }
    return index;
  }

  /** Reads the items, each a string, of an array whose opening the caller has read. */
  static void strings(String param, JsonParser p) {
    items(param, p, (item, t) -> {
      if (t != JsonToken.VALUE_STRING) {
        throw type(item, "a string", t);
      }
    });
  }

  /**
   * OpenAI's message content, in Chat Completions as in the Responses API: a string or an array of
   * typed parts, each read by {@code part}.
   *
   * @return whether content is present and non-null
   */
  static boolean content(String param, JsonToken v, JsonParser p, Item part) {
    switch (v) {
      case VALUE_NULL -> {
        return false;
      }
      case VALUE_STRING -> {
        return true;
      }
      case START_ARRAY -> {
        items(param, p, part);
        return true;
      }
      default -> throw type(param, "a string or an array of content parts", v);
    }
  }
}
