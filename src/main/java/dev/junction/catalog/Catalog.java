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
import java.util.Optional;

/** The models this gateway serves, by id and alias, and the providers it can reach. */
public final class Catalog {

  private final Map<String, Provider> providers;
  private final List<CatalogModel> models;
  private final Map<String, CatalogModel> byName = new HashMap<>();

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
        Pricing pricing = new Pricing(d.inputPrice(), d.outputPrice(), d.cachedInputPrice());
        deployments.add(new Deployment(providers.get(d.provider()), d.model(), pricing));
      }
      models.add(new CatalogModel(model.id(), model.aliases(), deployments));
    }
    return new Catalog(providers, models);
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
