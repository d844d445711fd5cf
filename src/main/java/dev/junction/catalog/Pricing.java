package dev.junction.catalog;

import dev.junction.api.Usage;

/** USD per million tokens. */
public record Pricing(double input, double output, double cachedInput) {

  /** For models served without configured prices; the ledger records them at zero cost. */
  public static final Pricing UNPRICED = new Pricing(0, 0, 0);

  /** The cost of one response; cached input tokens are billed at the cached rate. */
  public double cost(Usage usage) {
    long uncached = Math.max(0, usage.inputTokens() - usage.cachedTokens());
    return (uncached * input + usage.cachedTokens() * cachedInput + usage.outputTokens() * output) / 1_000_000d;
  }
}
