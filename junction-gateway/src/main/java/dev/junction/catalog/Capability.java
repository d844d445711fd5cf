package dev.junction.catalog;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What a deployment can do beyond plain text; routing only sends a request where it can be served. */
public enum Capability {
  TOOLS, VISION, JSON_SCHEMA, JSON_OBJECT, STREAMING, LOGPROBS, EMBEDDINGS;

  /** The name used in config and in {@code /v1/models}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses config names (already validated), or empty when none were stated. */
  static Optional<Set<Capability>> parse(Optional<? extends Collection<String>> names) {
    return names.map(list -> {
      EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
      list.forEach(n -> set.add(valueOf(n.toUpperCase(Locale.ROOT))));
      return set;
    });
  }
}
