package dev.junction.catalog;

/**
 * A deployment's name across replicas and restarts: its provider entry and the provider's model id,
 * which every replica's config spells alike. Breakers, live statistics and everything replicas share
 * through Redis key on it, written {@code provider/model}.
 */
public record DeploymentId(String provider, String model) {

  @Override
  public String toString() {
    return provider + "/" + model;
  }
}
