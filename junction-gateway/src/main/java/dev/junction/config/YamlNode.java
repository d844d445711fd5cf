package dev.junction.config;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed YAML value that remembers its line, so that every problem found later, long after
 * parsing, can still point at the line the user has to edit. Jackson's own tree drops locations.
 */
sealed interface YamlNode {

  /** 1-based line where the value starts. */
  int line();

  enum Type { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }

  /**
   * @param text the scalar as YAML resolved it (a string's content, a number's digits)
   * @param number the value of an INTEGER or DECIMAL, else null
   */
  record Scalar(Type type, String text, @Nullable Number number, int line) implements YamlNode {}

  /** Entries in file order. */
  record Mapping(Map<String, Entry> entries, int line) implements YamlNode {
    public Mapping {
      entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
    }
  }

  /** @param keyLine where the key is written, which is what an "unknown key" problem points at */
  record Entry(String key, int keyLine, YamlNode value) {}

  record Sequence(List<YamlNode> items, int line) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }
  }

  /**
   * Names what a value is, for "expected X, got Y" problems.
   *
   * @param secret when true the value itself is never included, only its kind
   */
  static String describe(YamlNode node, boolean secret) {
    return switch (node) {
      case Mapping m -> "a mapping";
      case Sequence s -> "a list";
      case Scalar s when secret -> switch (s.type()) {
        case STRING -> "a string (value hidden)";
        case INTEGER, DECIMAL -> "a number (value hidden)";
        case BOOLEAN -> "a boolean (value hidden)";
        case NULL -> "nothing";
      };
      case Scalar s -> switch (s.type()) {
        case STRING -> "the string \"" + s.text() + "\"";
        case INTEGER, DECIMAL -> "the number " + s.text();
        case BOOLEAN -> "the boolean " + s.text();
        case NULL -> "nothing";
      };
    };
  }
}
