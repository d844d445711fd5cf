package dev.junction.routing;

import dev.junction.api.InspectedRequest;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.engine.Rooms;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Orders eligible deployments for one request. A policy scores each (predicted seconds, or dollars);
 * unhealthy deployments go last; the leading tier of near-equal scores is then ordered by cache
 * affinity (rendezvous hashing on the request's affinity key) or, without a key, balanced with
 * power-of-two-choices on peak-EWMA latency.
 */
final class Ranking {

  /** Output tokens assumed when a request sets no {@code max_tokens}. */
  static final int DEFAULT_OUTPUT_TOKENS = 256;
  /** Prompt bytes two requests must share to count as one cacheable prefix (about 512 tokens). */
  static final int PREFIX_BYTES = 2048;
  /** Output rate assumed where none was ever measured. */
  private static final double PRIOR_TOKENS_PER_SECOND = 100;
  /** Predicted times within this share of the best are indistinguishable from it. */
  static final double FAST_TIE = 0.2;
  /** Loads within this share of each other are a coin toss, so equal deployments share traffic. */
  private static final double LOAD_TIE = 0.1;

  private final LiveStats stats;
  private final Rooms rooms;
  private final boolean affinity;
  private final Supplier<RandomGenerator> random;

  /** @param random where ties are broken: the thread's own generator, or a seeded one in tests */
  Ranking(LiveStats stats, Rooms rooms, boolean affinity, Supplier<RandomGenerator> random) {
    this.stats = stats;
    this.rooms = rooms;
    this.affinity = affinity;
    this.random = random;
  }

  /**
   * Up to three tiers, each ordered by the policy: when the model prefers self-hosting, its engines
   * with room; then every other deployment in good health; last, those set aside (failing, or engines
   * that are full or down). Set aside is not refused: they are still tried when all else fails.
   */
  List<Deployment> rank(InspectedRequest request, List<Deployment> eligible, Policy policy, boolean preferSelfHosted) {
    if (eligible.size() < 2) {
      return eligible;
    }
    ToDoubleFunction<Deployment> score = score(request, eligible, policy);
    List<Deployment> own = new ArrayList<>();
    List<Deployment> healthy = new ArrayList<>();
    List<Deployment> setAside = new ArrayList<>();
    for (Deployment d : eligible) {
      String provider = d.provider().name();
      if (stats.snapshot(d).unhealthy() || rooms.room(provider).setAside()) {
        setAside.add(d);
      } else if (preferSelfHosted && rooms.engine(provider)) {
        own.add(d);
      } else {
        healthy.add(d);
      }
    }
    List<Deployment> ranked = new ArrayList<>(eligible.size());
    ranked.addAll(leadingTierFirst(request, sorted(own, score), score, policy));
    ranked.addAll(own.isEmpty() ? leadingTierFirst(request, sorted(healthy, score), score, policy) : sorted(healthy, score));
    ranked.addAll(sorted(setAside, score));
    return ranked;
  }

  private static List<Deployment> sorted(List<Deployment> list, ToDoubleFunction<Deployment> score) {
    List<Deployment> copy = new ArrayList<>(list);
    copy.sort(Comparator.comparingDouble(score)); // stable: listed order breaks exact ties
    return copy;
  }

  private ToDoubleFunction<Deployment> score(InspectedRequest request, List<Deployment> eligible, Policy policy) {
    long output = expectedOutput(request);
    long input = request.estimatedPromptTokens();
    return switch (policy) {
      case CHEAPEST -> d -> {
        Pricing price = stats.pricing(d);
        return price.input() * input + price.output() * Math.min(output, cap(d, output));
      };
      case FASTEST -> new Predictor(eligible, output)::predictedMs;
      case LATENCY -> new Predictor(eligible, 1)::predictedMs;
      case THROUGHPUT -> new Predictor(eligible, output)::secondsPerToken;
      case PREFERRED, PINNED -> eligible::indexOf;
    };
  }

  private static long expectedOutput(InspectedRequest request) {
    return request.maxTokens() > 0 ? request.maxTokens() : DEFAULT_OUTPUT_TOKENS;
  }

  private static long cap(Deployment d, long output) {
    return d.maxOutput() > 0 ? d.maxOutput() : output;
  }

  /** Predicted completion time from live statistics, with priors that make unmeasured deployments worth a try. */
  private final class Predictor {
    private final double priorTtft;
    private final double priorRate;
    private final long output;

    Predictor(List<Deployment> eligible, long output) {
      this.output = output;
      double bestTtft = Double.NaN;
      double bestRate = Double.NaN;
      for (Deployment d : eligible) {
        LiveStats.Snapshot s = stats.snapshot(d);
        if (!Double.isNaN(s.ttftMs()) && !(s.ttftMs() >= bestTtft)) bestTtft = s.ttftMs();
        if (!Double.isNaN(s.tokensPerSecond()) && !(s.tokensPerSecond() <= bestRate)) bestRate = s.tokensPerSecond();
      }
      // Optimistic priors: an unmeasured deployment ties with the best known one, so it gets explored.
      this.priorTtft = Double.isNaN(bestTtft) ? 0 : bestTtft;
      this.priorRate = Double.isNaN(bestRate) ? PRIOR_TOKENS_PER_SECOND : bestRate;
    }

    double predictedMs(Deployment d) {
      LiveStats.Snapshot s = stats.snapshot(d);
      double ttft = Double.isNaN(s.ttftMs()) ? priorTtft : s.ttftMs();
      double rate = Double.isNaN(s.tokensPerSecond()) ? priorRate : s.tokensPerSecond();
      double ms = ttft + Math.min(output, cap(d, output)) * 1000 / rate;
      // A request that fails must be retried elsewhere: expected cost grows with the error rate.
      return ms / Math.max(0.05, 1 - s.errorRate());
    }

    double secondsPerToken(Deployment d) {
      LiveStats.Snapshot s = stats.snapshot(d);
      return 1 / (Double.isNaN(s.tokensPerSecond()) ? priorRate : s.tokensPerSecond());
    }
  }

  /** Puts the chosen member of the leading tier of equals first; the rest keep their order. */
  private List<Deployment> leadingTierFirst(
      InspectedRequest request, List<Deployment> ranked, ToDoubleFunction<Deployment> score, Policy policy) {
    if (ranked.size() < 2) {
      return ranked;
    }
    double best = score.applyAsDouble(ranked.getFirst());
    double tolerance = Math.max(policy.tie(), 1e-9);
    int tier = 1;
    while (tier < ranked.size() && equal(ranked.getFirst(), ranked.get(tier), score, best, tolerance)) {
      tier++;
    }
    if (tier < 2) {
      return ranked;
    }
    List<Deployment> out = new ArrayList<>(ranked);
    long key = affinity ? affinityKey(request) : 0;
    if (key != 0) {
      out.subList(0, tier).sort(Comparator.comparingLong((Deployment d) -> rendezvous(key, d)).reversed());
    } else {
      Deployment chosen = powerOfTwoChoices(out.subList(0, tier));
      out.remove(chosen);
      out.addFirst(chosen);
    }
    return out;
  }

  /**
   * Near-equal scores, or the same provider model on several accounts of one provider profile at one
   * price (credentials or regions), are interchangeable.
   */
  private static boolean equal(Deployment first, Deployment other, ToDoubleFunction<Deployment> score, double best,
      double tolerance) {
    double s = score.applyAsDouble(other);
    boolean tie = s <= best + Math.abs(best) * tolerance + 1e-12;
    boolean twin = first.model().equals(other.model())
        && first.provider().profile().name().equals(other.provider().profile().name())
        && first.pricing().equals(other.pricing());
    return tie || twin;
  }

  private Deployment powerOfTwoChoices(List<Deployment> tier) {
    RandomGenerator random = this.random.get();
    int i = random.nextInt(tier.size());
    int j = random.nextInt(tier.size() - 1);
    if (j >= i) j++;
    Deployment a = tier.get(i);
    Deployment b = tier.get(j);
    double la = stats.snapshot(a).load();
    double lb = stats.snapshot(b).load();
    if (Math.abs(la - lb) <= Math.max(la, lb) * LOAD_TIE) {
      return random.nextBoolean() ? a : b;
    }
    return la < lb ? a : b;
  }

  /**
   * What keeps a conversation on one deployment: the client's {@code prompt_cache_key}, else its
   * {@code user}, else the first {@link #PREFIX_BYTES} bytes of the prompt; 0 when there is none.
   */
  static long affinityKey(InspectedRequest request) {
    if (request.promptCacheKey() != null) return mix(request.promptCacheKey().hashCode() * 0x9E3779B97F4A7C15L + 1);
    if (request.user() != null) return mix(request.user().hashCode() * 0xC2B2AE3D27D4EB4FL + 2);
    return request.promptPrefixHash(PREFIX_BYTES);
  }

  /** Highest-random-weight hashing: each key prefers one deployment, and losing it moves only its keys. */
  private static long rendezvous(long key, Deployment d) {
    return mix(key ^ (d.provider().name().hashCode() * 0x9E3779B97F4A7C15L) ^ d.model().hashCode());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
