package dev.junction.catalog;

import dev.junction.provider.Provider;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * One provider serving one model: the unit routing chooses between.
 *
 * @param model the provider's own id for the model
 */
public record Deployment(Provider provider, String model, Pricing pricing, byte[] quotedModel) {

  public Deployment(Provider provider, String model, Pricing pricing) {
    this(provider, model, pricing, quote(model));
  }

  private static byte[] quote(String model) {
    byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(model);
    byte[] quoted = new byte[inner.length + 2];
    quoted[0] = '"';
    System.arraycopy(inner, 0, quoted, 1, inner.length);
    quoted[quoted.length - 1] = '"';
    return quoted;
  }

  @Override
  public String toString() {
    return provider.name() + "/" + model;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Deployment d && d.provider == provider && d.model.equals(model);
  }

  @Override
  public int hashCode() {
    return 31 * provider.hashCode() + model.hashCode();
  }
}
