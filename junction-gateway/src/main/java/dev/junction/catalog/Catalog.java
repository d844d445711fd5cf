package dev.junction.catalog;

import dev.junction.config.JunctionConfig;
import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import dev.junction.provider.Provider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The models this gateway serves, by id and alias, and the providers it can reach. */
public final class Catalog {

  private final Map<String, Provider> providers;
  private final List<CatalogModel> models;
  private final Map<String, CatalogModel> byName = new HashMap<>();

  /** No providers and no models. */
  public static final Catalog EMPTY = new Catalog(Map.of(), List.of());

  private Catalog(Map<String, Provider> providers, List<CatalogModel> models) {
    this.providers = providers;
    this.models = List.copyOf(models);
    for (CatalogModel model : models) {
      byName.put(model.id(), model);
      model.aliases().forEach(alias -> byName.put(alias, model));
    }
  }

  /** Builds the catalog from a validated config: every referenced provider exists. */
  public static Catalog of(JunctionConfig config) {
    Map<String, Provider> providers = new LinkedHashMap<>();
    config.providers().forEach(p -> providers.put(p.name(), Provider.of(p)));
    List<CatalogModel> models = new ArrayList<>();
    for (ModelConfig model : config.models()) {
      List<Deployment> deployments = new ArrayList<>();
      for (DeploymentConfig d : model.providers()) {
        // The config was validated: every provider a deployment names exists.
        deployments.add(deployment(model, d, Objects.requireNonNull(providers.get(d.provider()), d.provider())));
      }
      models.add(new CatalogModel(model.id(), model.aliases(), model.contextLength(), model.hedgeAfterMs(), deployments,
          model.preferSelfHosted()));
    }
    return new Catalog(providers, models);
  }

  /** A deployment's own context and capabilities, else its model's. */
  private static Deployment deployment(ModelConfig model, DeploymentConfig d, Provider provider) {
    Pricing pricing = Pricing.usdPerMillion(d.inputPrice(), d.outputPrice(), d.cachedInputPrice(),
        d.cacheWritePrice());
    long context = d.contextLength() > 0 ? d.contextLength() : model.contextLength();
    Optional<Set<Capability>> capabilities = Capability.parse(d.capabilities().or(model::capabilities));
    return new Deployment(provider, d.model(), pricing, context, d.maxOutput(), capabilities, !d.status().equals("offline"));
  }

  /** A model by id or alias. */
  public Optional<CatalogModel> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Optional<Provider> provider(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  public Collection<Provider> providers() {
    return providers.values();
  }

  public List<CatalogModel> models() {
    return models;
  }
}
