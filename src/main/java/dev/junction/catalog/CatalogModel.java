package dev.junction.catalog;

import java.util.List;

/** A model as clients name it, and the deployments that serve it in preference order. */
public record CatalogModel(String id, List<String> aliases, List<Deployment> deployments) {

  public CatalogModel {
    aliases = List.copyOf(aliases);
    deployments = List.copyOf(deployments);
  }
}
