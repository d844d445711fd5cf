package dev.junction.config;

import dev.junction.config.YamlNode.Entry;
import dev.junction.config.YamlNode.Mapping;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One YAML mapping being read as a known section ({@code server}, {@code providers[2]}, …): knows
 * its key path for problems and rejects keys it does not know as soon as it is opened, so a typo is
 * never silently ignored.
 */
final class Section {

  private final Mapping mapping;
  private final String path;
  private final Fields fields;

  /** @param keys the keys this section knows, or null for a free-form mapping such as headers */
  Section(Mapping mapping, String path, @Nullable List<String> keys, Fields fields) {
    this.mapping = mapping;
    this.path = path;
    this.fields = fields;
    rejectUnknown(keys);
  }

  /** A section that is not in the file: every field reads as absent. */
  static Section missing(String path, Fields fields, int line) {
    return new Section(new Mapping(Map.of(), line), path, List.of(), fields);
  }

  String path() {
    return path;
  }

  int line() {
    return mapping.line();
  }

  /** The key path of one of this section's keys. */
  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The line of the value under key, or of this section when the key is absent. */
  int line(String key) {
    Entry entry = mapping.entries().get(key);
    return entry == null ? line() : entry.value().line();
  }

  Value<String> string(String key) {
    return fields.string(node(key), path(key), false);
  }

  /** A string that must never appear in a problem or a log. */
  Value<String> secret(String key) {
    return fields.string(node(key), path(key), true);
  }

  Value<Long> integer(String key, long min, long max) {
    return fields.integer(node(key), path(key), min, max);
  }

  Value<Boolean> bool(String key) {
    return fields.bool(node(key), path(key));
  }

  Value<Double> nonNegative(String key) {
    return fields.nonNegative(node(key), path(key));
  }

  Value<Section> section(String key, @Nullable List<String> keys) {
    return fields.section(node(key), path(key), keys);
  }

  Value<List<YamlNode>> list(String key) {
    return fields.list(node(key), path(key));
  }

  /** Entries in file order, for free-form mappings such as {@code headers}. */
  Map<String, Entry> entries() {
    return mapping.entries();
  }

  /** Reports a missing value unless reading it already reported why it is unusable. */
  <T> Value<T> required(String key, Value<T> value) {
    if (value.absent()) {
      problem(key, "is required");
    }
    return value;
  }

  /** Reports a problem about the value under key (or this section when absent). */
  void problem(String key, String message) {
    fields.problem(line(key), path(key), message);
  }

  /** Whether the key is written here at all, whatever its value. */
  boolean has(String key) {
    return node(key) != null;
  }

  private @Nullable YamlNode node(String key) {
    Entry entry = mapping.entries().get(key);
    return entry == null ? null : entry.value();
  }

  private void rejectUnknown(@Nullable List<String> keys) {
    if (keys == null) {
      return; // free-form mapping (headers)
    }
    for (Entry entry : mapping.entries().values()) {
      if (!keys.contains(entry.key())) {
        String hint = Suggestions.closest(entry.key(), keys)
            .map(k -> " (did you mean \"" + k + "\"?)")
            .orElseGet(() -> "; valid keys: " + String.join(", ", keys));
        fields.problem(entry.keyLine(), path(entry.key()), "unknown key" + hint);
      }
    }
  }
}
