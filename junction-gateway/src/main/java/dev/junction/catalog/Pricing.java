package dev.junction.catalog;

import dev.junction.api.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Prices as exact integers, in micro-USD per million tokens (USD per million × 10⁶), so that what a
 * request costs is an exact integer too and sums of costs never drift: a budget compared with a sum
 * of doubles can be over by a rounding error, or refuse a request it should have let through.
 *
 * @param inputMicros the price of a million uncached prompt tokens, in micro-USD
 * @param outputMicros the price of a million output tokens, in micro-USD
 * @param cachedInputMicros the price of a million prompt tokens read from the provider's cache
 * @param cacheWriteMicros the price of a million prompt tokens written to the provider's cache
 */
public record Pricing(long inputMicros, long outputMicros, long cachedInputMicros, long cacheWriteMicros) {

  /** Prices where a cache write costs what uncached input does. */
  public Pricing(long inputMicros, long outputMicros, long cachedInputMicros) {
    this(inputMicros, outputMicros, cachedInputMicros, inputMicros);
  }

  /** For models served without configured prices; the ledger records them at zero cost. */
  public static final Pricing UNPRICED = new Pricing(0, 0, 0);

  /**
   * From prices in USD per million tokens as written in a config or catalog, e.g. {@code 0.15}.
   * Digits past the sixth decimal (a millionth of a dollar per million tokens) are rounded.
   */
  public static Pricing usdPerMillion(double input, double output, double cachedInput) {
    return usdPerMillion(input, output, cachedInput, input);
  }

  public static Pricing usdPerMillion(double input, double output, double cachedInput, double cacheWrite) {
    return new Pricing(micros(input), micros(output), micros(cachedInput), micros(cacheWrite));
  }

  private static long micros(double usd) {
    // Through the decimal text of the double: 0.15 is 150000 micro-USD, not 149999.99…
    return BigDecimal.valueOf(usd).movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /** USD per million uncached prompt tokens, for ranking and display. */
  public double input() {
    return inputMicros / 1e6;
  }

  /** USD per million output tokens, for ranking and display. */
  public double output() {
    return outputMicros / 1e6;
  }

  /** USD per million cached prompt tokens, for ranking and display. */
  public double cachedInput() {
    return cachedInputMicros / 1e6;
  }

  /**
   * What one response costs, in nano-USD, rounded half up: each class of the prompt once, at its own
   * rate (uncached input, cache reads, cache writes), and the output.
   * Tokens times micro-USD per million is pico-USD, exact; nano-USD keeps the cost of the smallest
   * request (a few embedding tokens at cents per million) above zero, where micro-USD would not.
   */
  public long costNanos(Usage usage) {
    long uncached = Math.max(0, usage.inputTokens() - usage.cachedTokens() - usage.cacheWriteTokens());
    long pico = Math.addExact(Math.addExact(Math.addExact(
        Math.multiplyExact(uncached, inputMicros),
        Math.multiplyExact(usage.cachedTokens(), cachedInputMicros)),
        Math.multiplyExact(usage.cacheWriteTokens(), cacheWriteMicros)),
        Math.multiplyExact(usage.outputTokens(), outputMicros));
    return (pico + 500) / 1_000;
  }

  /** Nano-USD as a decimal number of dollars, exact, for reports and logs. */
  public static BigDecimal usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
  }
}
