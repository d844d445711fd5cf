package dev.junction.catalog;

import java.util.List;

/**
 * A model as clients name it, and the deployments that serve it in preference order.
 *
 * @param contextLength tokens of prompt and output together, 0 when unknown
 * @param hedgeAfterMs when a request's attempt has not reached its commit point after this long, a
 *     second candidate starts alongside it; 0 when not hedged
 * @param preferSelfHosted self-hosted deployments with room come first, whatever the policy
 */
public record CatalogModel(String id, List<String> aliases, long contextLength, long hedgeAfterMs,
    List<Deployment> deployments, boolean preferSelfHosted) {

  public CatalogModel(String id, List<String> aliases, long contextLength, long hedgeAfterMs,
      List<Deployment> deployments) {
    this(id, aliases, contextLength, hedgeAfterMs, deployments, false);
  }

  public CatalogModel {
    aliases = List.copyOf(aliases);
    deployments = List.copyOf(deployments);
  }
}
