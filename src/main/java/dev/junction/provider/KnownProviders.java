package dev.junction.provider;

import java.util.List;
import java.util.Optional;

/** The OpenAI-compatible providers and servers Junction knows by name. */
public final class KnownProviders {

  private KnownProviders() {}

  /** Every known profile, hosted providers first. */
  public static List<ProviderProfile> all() {
    return List.of();
  }

  /** The profile with this name, if known. */
  public static Optional<ProviderProfile> byName(String name) {
    return all().stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
