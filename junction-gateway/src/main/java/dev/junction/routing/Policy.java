package dev.junction.routing;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a model's deployments are ranked for one request. The first three can be asked for by name
 * ({@code server.default_policy}, or a {@code model:policy} suffix); {@code latency} and
 * {@code throughput} come from OpenRouter's {@code provider.sort}; {@code pinned} is what
 * {@code model:provider} leaves to choose among.
 */
public enum Policy {
  /** Least predicted time to the whole answer: time to first token plus output at the measured rate. */
  FASTEST("fastest", true, Ranking.FAST_TIE),
  /** Least price for the prompt and the expected output. */
  CHEAPEST("cheapest", true, 0),
  /** The order the deployments are listed in. */
  PREFERRED("preferred", true, 0),
  /** Least predicted time to the first token ({@code provider.sort: latency}). */
  LATENCY("latency", false, Ranking.FAST_TIE),
  /** Most output tokens a second ({@code provider.sort: throughput}). */
  THROUGHPUT("throughput", false, Ranking.FAST_TIE),
  /** One provider named: its deployments in listed order. */
  PINNED("pinned", false, 0);

  private final String wireName;
  private final boolean nameable;
  private final double tie;

  /**
   * @param tie the share of the best score within which another deployment counts as its equal:
   *     measured times are noisy, so near-equals share traffic; prices and list positions are exact
   */
  Policy(String wireName, boolean nameable, double tie) {
    this.wireName = wireName;
    this.nameable = nameable;
    this.tie = tie;
  }

  /** As written in config, model suffixes and {@code x-junction-route}. */
  public String wireName() {
    return wireName;
  }

  double tie() {
    return tie;
  }

  /** The policy a client or the config may name, if {@code name} is one. */
  public static Optional<Policy> named(String name) {
    for (Policy p : values()) {
      if (p.nameable && p.wireName.equals(name)) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** The names {@link #named} accepts, for messages and config validation. */
  public static List<String> names() {
    return Arrays.stream(values()).filter(p -> p.nameable).map(Policy::wireName).toList();
  }

  /** OpenRouter's {@code provider.sort}: {@code price}, {@code throughput} or {@code latency}. */
  static Policy ofSort(String sort) {
    return switch (sort) {
      case "price" -> CHEAPEST;
      case "throughput" -> THROUGHPUT;
      default -> LATENCY;
    };
  }

  @Override
  public String toString() {
    return wireName;
  }
}
