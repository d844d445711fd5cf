package dev.junction.limits;

/**
 * What one request is expected to use, reserved when it is admitted and settled when it ends.
 *
 * @param tokens its prompt's tokens plus the output it may generate ({@code max_tokens}, or the
 *     configured default when it sets none)
 * @param costNanos what those tokens would cost at the route's most expensive candidate, nano-USD
 */
public record Demand(long tokens, long costNanos) {

  public Demand {
    tokens = Math.max(0, tokens);
    costNanos = Math.max(0, costNanos);
  }
}
