package dev.junction.routing;

import dev.junction.api.ApiError;
import dev.junction.api.InspectedRequest;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.CatalogModel;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.provider.Provider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves the model a client asked for into ranked candidates. The model string carries the choice:
 * {@code id} alone uses the default policy, {@code id:provider} pins a provider, {@code id:cheapest},
 * {@code id:fastest} and {@code id:preferred} pick a policy.
 */
public final class Router {

  static final Set<String> POLICIES = Set.of("fastest", "cheapest", "preferred");

  private final Catalog catalog;
  private final String defaultPolicy;

  public Router(Catalog catalog, String defaultPolicy) {
    this.catalog = catalog;
    this.defaultPolicy = defaultPolicy;
  }

  /** @throws ApiError 404 when nothing here serves the model */
  public Route route(InspectedRequest request) {
    String asked = request.model();
    Optional<CatalogModel> exact = catalog.find(asked);
    if (exact.isPresent()) {
      return rank(request, exact.get(), defaultPolicy);
    }
    int colon = asked.lastIndexOf(':');
    if (colon <= 0 || colon == asked.length() - 1) {
      throw ApiError.modelNotFound(asked);
    }
    String base = asked.substring(0, colon);
    String suffix = asked.substring(colon + 1);
    Optional<CatalogModel> model = catalog.find(base);
    if (model.isPresent() && POLICIES.contains(suffix)) {
      return rank(request, model.get(), suffix);
    }
    Optional<Provider> provider = catalog.provider(suffix);
    if (provider.isEmpty()) {
      throw ApiError.modelNotFound(asked);
    }
    return pin(base, model, provider.get());
  }

  private Route pin(String base, Optional<CatalogModel> model, Provider provider) {
    if (model.isEmpty()) {
      // A model the catalog does not list, sent as-is to a provider the gateway knows: unpriced.
      return new Route(base, "pinned", List.of(new Deployment(provider, base, Pricing.UNPRICED)));
    }
    List<Deployment> pinned =
        model.get().deployments().stream().filter(d -> d.provider() == provider).toList();
    if (pinned.isEmpty()) {
      throw ApiError.invalid(
          "model",
          "The model `" + base + "` is not served by provider `" + provider.name() + "` on this gateway.");
    }
    return new Route(model.get().id(), "pinned", pinned);
  }

  private Route rank(InspectedRequest request, CatalogModel model, String policy) {
    List<Deployment> candidates = new ArrayList<>();
    for (Deployment d : model.deployments()) {
      if (d.provider().serves(request.endpoint())) {
        candidates.add(d);
      }
    }
    if (candidates.isEmpty()) {
      throw ApiError.invalid(
          "model", "No provider of `" + model.id() + "` on this gateway serves " + request.endpoint().ledgerName() + ".");
    }
    if (policy.equals("cheapest")) {
      long output = request.maxTokens() > 0 ? request.maxTokens() : 256;
      long input = Math.max(1, request.body().length / 4);
      candidates.sort(Comparator.comparingDouble(d -> d.pricing().input() * input + d.pricing().output() * output));
    }
    return new Route(model.id(), policy, candidates);
  }
}
