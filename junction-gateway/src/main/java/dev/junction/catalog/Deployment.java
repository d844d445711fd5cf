package dev.junction.catalog;

import dev.junction.provider.Provider;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * One provider serving one model: the unit routing chooses between.
 *
 * @param model the provider's own id for the model
 * @param contextLength tokens it takes (prompt and output), 0 when unknown
 * @param maxOutput the most tokens it generates per response, 0 when unknown
 * @param capabilities what it can do, empty when unknown (then nothing is ruled out)
 * @param live false for a deployment listed as {@code offline}: shown, never routed to
 * @param id its name for breakers, statistics and other replicas, made once
 */
public record Deployment(
    Provider provider,
    String model,
    Pricing pricing,
    long contextLength,
    long maxOutput,
    Optional<Set<Capability>> capabilities,
    boolean live,
    byte[] quotedModel,
    DeploymentId id) {

  public Deployment(Provider provider, String model, Pricing pricing, long contextLength, long maxOutput,
      Optional<Set<Capability>> capabilities, boolean live) {
    this(provider, model, pricing, contextLength, maxOutput, capabilities.map(Set::copyOf), live, quote(model),
        new DeploymentId(provider.name(), model));
  }

  /** A deployment nothing is known about beyond its price. */
  public Deployment(Provider provider, String model, Pricing pricing) {
    this(provider, model, pricing, 0, 0, Optional.empty(), true);
  }

  /** Whether it can, or may (when its capabilities are unknown), do this. */
  public boolean can(Capability capability) {
    return capabilities.map(c -> c.contains(capability)).orElse(true);
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
    return id.toString();
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
