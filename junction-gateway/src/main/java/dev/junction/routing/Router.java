package dev.junction.routing;

import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.InspectedRequest;
import dev.junction.api.ProviderPreferences;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.CatalogModel;
import dev.junction.catalog.Deployment;
import dev.junction.engine.Rooms;
import dev.junction.catalog.Pricing;
import dev.junction.provider.Provider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Resolves the model a client asked for into ranked candidates. The model string carries the choice:
 * {@code id} alone uses the default policy, {@code id:provider} pins a provider, {@code id:cheapest},
 * {@code id:fastest} and {@code id:preferred} pick a policy. The body may add a {@code provider}
 * object (OpenRouter's preferences) and a {@code models} array of fallback models, whose candidates
 * follow the first model's.
 */
public final class Router {

  /** One model the request names, and the deployments and policy that go with how it was named. */
  private record Target(String id, List<Deployment> deployments, Policy policy, long hedgeAfterMs,
      boolean preferSelfHosted) {

    Target(String id, List<Deployment> deployments, Policy policy, long hedgeAfterMs) {
      this(id, deployments, policy, hedgeAfterMs, false);
    }
  }

  private final Catalog catalog;
  private final Policy defaultPolicy;
  private final LiveStats stats;
  private final Ranking ranking;
  private final Rooms rooms;

  /**
   * @param defaultPolicy one of {@link Policy#names()}, as validated by the config
   * @param cacheAffinity keep requests with one affinity key on one deployment among equals
   */
  public Router(Catalog catalog, String defaultPolicy, LiveStats stats, boolean cacheAffinity) {
    this(catalog, defaultPolicy, stats, Rooms.NONE, cacheAffinity);
  }

  /** @param rooms what the self-hosted engines report: set aside when full or down, first when preferred */
  public Router(Catalog catalog, String defaultPolicy, LiveStats stats, Rooms rooms, boolean cacheAffinity) {
    this(catalog, defaultPolicy, stats, rooms, cacheAffinity, ThreadLocalRandom::current);
  }

  /** @param random breaks ties among equal deployments; seeded in tests so that choices repeat */
  Router(Catalog catalog, String defaultPolicy, LiveStats stats, boolean cacheAffinity,
      Supplier<RandomGenerator> random) {
    this(catalog, defaultPolicy, stats, Rooms.NONE, cacheAffinity, random);
  }

  Router(Catalog catalog, String defaultPolicy, LiveStats stats, Rooms rooms, boolean cacheAffinity,
      Supplier<RandomGenerator> random) {
    this.catalog = catalog;
    this.defaultPolicy = Policy.named(defaultPolicy)
        .orElseThrow(() -> new IllegalArgumentException("Unknown policy " + defaultPolicy + "; one of " + Policy.names()));
    this.stats = stats;
    this.ranking = new Ranking(stats, rooms, cacheAffinity, random);
    this.rooms = rooms;
  }

  /**
   * @throws ApiError 404 when nothing here serves the model; 400 when a fallback model is unknown, or
   *     when no deployment can take this request (saying why for each)
   */
  public Route route(InspectedRequest request) {
    List<Target> targets = new ArrayList<>();
    targets.add(target(request.model(), "model"));
    List<String> fallbacks = request.fallbackModels();
    for (int i = 0; i < fallbacks.size(); i++) {
      targets.add(target(fallbacks.get(i), "models[" + i + "]"));
    }
    ProviderPreferences prefs = request.preferences();
    Eligibility eligibility = new Eligibility(request, rooms);
    LinkedHashSet<Deployment> candidates = new LinkedHashSet<>();
    for (Target target : targets) {
      Policy policy = policy(target, prefs);
      candidates.addAll(ordered(ranking.rank(request, eligibility.filter(target.deployments()), policy,
          target.preferSelfHosted()), prefs));
    }
    Target first = targets.getFirst();
    if (candidates.isEmpty()) {
      throw eligibility.refusal(first.id());
    }
    return new Route(first.id(), policy(first, prefs), List.copyOf(candidates), stats, first.hedgeAfterMs(), catalog,
        rooms);
  }

  /** {@code provider.sort} overrides the model's policy, as on OpenRouter. */
  private static Policy policy(Target target, ProviderPreferences prefs) {
    return prefs.sort() == null ? target.policy() : Policy.ofSort(prefs.sort());
  }

  /** {@code provider.order}: the named providers first, in that order; the others after them. */
  private static List<Deployment> ordered(List<Deployment> ranked, ProviderPreferences prefs) {
    if (prefs.order().isEmpty()) {
      return ranked;
    }
    List<Deployment> out = new ArrayList<>(ranked.size());
    for (String name : prefs.order()) {
      ranked.stream().filter(d -> d.provider().name().equals(name)).forEach(out::add);
    }
    ranked.stream().filter(d -> !prefs.order().contains(d.provider().name())).forEach(out::add);
    return out;
  }

  private Target target(String asked, String param) {
    Optional<CatalogModel> exact = catalog.find(asked);
    if (exact.isPresent()) {
      return new Target(exact.get().id(), exact.get().deployments(), defaultPolicy, exact.get().hedgeAfterMs(),
          exact.get().preferSelfHosted());
    }
    List<String> engines = rooms.serving(asked);
    if (!engines.isEmpty()) {
      // Served by engines that list it (a model they loaded, a LoRA adapter), with no catalog entry:
      // unpriced, like any model sent as-is to a provider.
      List<Deployment> serving = engines.stream().flatMap(p -> catalog.provider(p).stream())
          .map(p -> new Deployment(p, asked, Pricing.UNPRICED)).toList();
      return new Target(asked, serving, defaultPolicy, 0);
    }
    int colon = asked.lastIndexOf(':');
    if (colon <= 0 || colon == asked.length() - 1) {
      throw unknown(asked, param);
    }
    String base = asked.substring(0, colon);
    String suffix = asked.substring(colon + 1);
    Optional<CatalogModel> model = catalog.find(base);
    Optional<Policy> named = Policy.named(suffix);
    if (model.isPresent() && named.isPresent()) {
      return new Target(model.get().id(), model.get().deployments(), named.get(), model.get().hedgeAfterMs(),
          model.get().preferSelfHosted());
    }
    Optional<Provider> provider = catalog.provider(suffix);
    if (provider.isEmpty()) {
      throw unknown(asked, param);
    }
    return pin(base, model, provider.get(), param);
  }

  private static ApiError unknown(String asked, String param) {
    return param.equals("model")
        ? ApiError.modelNotFound(asked)
        : ApiError.invalid(param, "The model `" + Bounded.text(asked, Bounded.NAME) + "` in '" + param
            + "' does not exist on this gateway.");
  }

  private Target pin(String base, Optional<CatalogModel> model, Provider provider, String param) {
    if (model.isEmpty() && !rooms.serves(provider.name(), base)) {
      throw ApiError.invalid(param, "The model `" + Bounded.text(base, Bounded.NAME) + "` is not served by `"
          + provider.name() + "`: its engine does not list it.");
    }
    if (model.isEmpty()) {
      // A model the catalog does not list, sent as-is to a provider the gateway knows: unpriced.
      return new Target(base, List.of(new Deployment(provider, base, Pricing.UNPRICED)), Policy.PINNED, 0);
    }
    List<Deployment> pinned =
        model.get().deployments().stream().filter(d -> d.provider() == provider).toList();
    if (pinned.isEmpty()) {
      throw ApiError.invalid(
          param,
          "The model `" + Bounded.text(base, Bounded.NAME) + "` is not served by provider `" + provider.name()
              + "` on this gateway.");
    }
    return new Target(model.get().id(), pinned, Policy.PINNED, model.get().hedgeAfterMs());
  }
}
