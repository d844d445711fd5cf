package dev.junction.routing;

import dev.junction.api.Bounded;
import dev.junction.api.Usage;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.engine.Rooms;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where one request may go, best first: the attempt loop walks the candidates in order.
 *
 * @param model the catalog id the request resolved to
 * @param policy how the candidates were ranked
 * @param stats where the relay reports what each attempt did
 * @param hedgeAfterMs the model's configured hedging delay, 0 when its requests are not hedged
 * @param catalog where the model's hosted prices are read, for what a self-hosted answer saved
 * @param rooms which providers are self-hosted engines
 */
public record Route(String model, Policy policy, List<Deployment> candidates, LiveStats stats, long hedgeAfterMs,
    Catalog catalog, Rooms rooms) {

  public Route {
    candidates = List.copyOf(candidates);
  }

  /** A route whose answers are never compared with hosted prices. */
  public Route(String model, Policy policy, List<Deployment> candidates, LiveStats stats, long hedgeAfterMs) {
    this(model, policy, candidates, stats, hedgeAfterMs, Catalog.EMPTY, Rooms.NONE);
  }

  /**
   * For an answer a self-hosted engine served, what the same tokens would have cost at the cheapest
   * hosted deployment of the model, each class of token at that deployment's catalog price; null
   * when an engine did not serve it, or the model has no priced hosted deployment. Read once per
   * such request, when its record is made.
   */
  public @Nullable Long hostedEquivalentNanos(Deployment served, Usage usage) {
    if (!rooms.engine(served.provider().name())) {
      return null;
    }
    Long cheapest = null;
    for (Deployment d : catalog.find(model).map(m -> m.deployments()).orElse(List.of())) {
      if (!rooms.engine(d.provider().name()) && !d.pricing().equals(Pricing.UNPRICED)) {
        long cost = d.pricing().costNanos(usage);
        cheapest = cheapest == null ? cost : Math.min(cheapest, cost);
      }
    }
    return cheapest;
  }

  /** What one of the candidates' tokens cost now (an engine priced by the hour: by its measured throughput). */
  public Pricing pricing(Deployment deployment) {
    return stats.pricing(deployment);
  }

  /** An attempt against one of the candidates begins: report its first token and its end to the probe. */
  public LiveStats.Probe observe(Deployment deployment) {
    return stats.start(deployment);
  }

  /**
   * The {@code x-junction-route} header value: {@code policy=fastest; candidates=groq/llama-…,together/…}.
   * Anything outside printable ASCII is percent-encoded, as a header value must be. A client may pick
   * the model name (a pass-through model), so each name is cut to {@link Bounded#NAME} and the whole
   * value to {@link Bounded#ROUTE}, the candidates that do not fit elided as {@code ,...(+N)}.
   */
  public String header() {
    StringBuilder out = new StringBuilder(96).append("policy=").append(policy.wireName()).append("; candidates=");
    int last = candidates.size() - 1;
    int budget = Bounded.ROUTE - (",...(+" + candidates.size() + ")").length();
    for (int i = 0; i <= last; i++) {
      Deployment d = candidates.get(i);
      String one = Bounded.header(d.provider().name(), Bounded.NAME) + '/' + Bounded.header(d.model(), Bounded.NAME);
      String separator = i > 0 ? "," : "";
      if (out.length() + separator.length() + one.length() > (i == last ? Bounded.ROUTE : budget)) {
        out.append(separator).append("...(+").append(candidates.size() - i).append(')');
        break;
      }
      out.append(separator).append(one);
    }
    return out.toString();
  }
}
