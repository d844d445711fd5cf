package dev.junction.config;

import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The served catalog: the config's models, each merged with the bundled model of the same id, then
 * the other bundled models. Only deployments whose provider is configured are kept, and a model left
 * with none is not served.
 */
final class CatalogMerge {

  private CatalogMerge() {}

  /**
   * A config model overrides a bundled one by id: its aliases are added, its context length,
   * capabilities and hedging win when given, and its deployments come first, replacing bundled ones
   * with the same provider and provider model. Bundled names the config uses for another model are
   * dropped.
   *
   * @param providers the provider names configured (in the file or the environment)
   */
  static List<ModelConfig> merge(List<ModelConfig> bundled, List<ModelConfig> configured, Collection<String> providers) {
    Map<String, ModelConfig> bundledById =
        bundled.stream().collect(Collectors.toMap(ModelConfig::id, Function.identity()));
    Set<String> taken = new HashSet<>();
    configured.forEach(m -> {
      taken.add(m.id());
      taken.addAll(m.aliases());
    });
    List<ModelConfig> served = new ArrayList<>();
    for (ModelConfig own : configured) {
      ModelConfig base = bundledById.get(own.id());
      served.add(base == null ? own : override(base, own, taken, providers));
    }
    Set<String> overridden = configured.stream().map(ModelConfig::id).collect(Collectors.toSet());
    for (ModelConfig model : bundled) {
      if (overridden.contains(model.id()) || taken.contains(model.id())) {
        continue;
      }
      List<DeploymentConfig> reachable = reachable(model.providers(), providers);
      if (!reachable.isEmpty()) {
        served.add(new ModelConfig(model.id(), free(model.aliases(), taken), model.contextLength(),
            model.capabilities(), model.hedgeAfterMs(), reachable));
      }
    }
    return List.copyOf(served);
  }

  private static ModelConfig override(
      ModelConfig base, ModelConfig own, Set<String> taken, Collection<String> providers) {
    Set<String> aliases = new LinkedHashSet<>(own.aliases());
    aliases.addAll(free(base.aliases(), taken));
    List<DeploymentConfig> deployments = new ArrayList<>(own.providers());
    Set<String> replaced = new HashSet<>();
    own.providers().forEach(d -> replaced.add(d.provider() + "\u0000" + d.model()));
    for (DeploymentConfig d : reachable(base.providers(), providers)) {
      if (!replaced.contains(d.provider() + "\u0000" + d.model())) {
        deployments.add(d);
      }
    }
    return new ModelConfig(
        own.id(),
        List.copyOf(aliases),
        own.contextLength() > 0 ? own.contextLength() : base.contextLength(),
        own.capabilities().or(base::capabilities),
        own.hedgeAfterMs() > 0 ? own.hedgeAfterMs() : base.hedgeAfterMs(),
        deployments,
        own.preferSelfHosted());
  }

  private static List<DeploymentConfig> reachable(List<DeploymentConfig> deployments, Collection<String> providers) {
    return deployments.stream().filter(d -> providers.contains(d.provider())).toList();
  }

  private static List<String> free(List<String> names, Set<String> taken) {
    return names.stream().filter(n -> !taken.contains(n)).toList();
  }
}
