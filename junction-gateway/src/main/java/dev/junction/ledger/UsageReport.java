package dev.junction.ledger;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sums of ledger records: what {@code GET /admin/usage} answers. Every figure is a sum of integer
 * columns, so the totals are exactly those of the records, and the rows add up to the totals.
 *
 * @param totals over every record the query covers
 * @param rows one per group when the query groups, in the group's order; empty otherwise
 */
public record UsageReport(Totals totals, List<Row> rows) {

  public static final UsageReport EMPTY = new UsageReport(Totals.ZERO, List.of());

  /**
   * @param payer whose records, or null for everyone's
   * @param from the first instant counted
   * @param to the first instant no longer counted
   * @param groupBy how rows are grouped, or null for totals only
   */
  public record Query(@Nullable Payer payer, Instant from, Instant to, @Nullable GroupBy groupBy) {}

  /** What one row stands for. */
  public enum GroupBy {
    MODEL("model"), PROVIDER("provider"), USER("end_user"), KEY("key_id"), TEAM("team"),
    /** UTC calendar days, named {@code YYYY-MM-DD}. */
    DAY("created_at / 86400000");

    final String expression;

    GroupBy(String expression) {
      this.expression = expression;
    }
  }

  /**
   * @param costNanos spend in nano-USD
   * @param cachedTokens prompt tokens served from a provider's cache (part of inputTokens)
   * @param hostedEquivalentNanos what the self-hosted requests' tokens would have cost at the cheapest
   *     hosted deployment of each one's model, in nano-USD
   * @param savedNanos that, less what the same self-hosted requests cost
   */
  public record Totals(long requests, long costNanos, long inputTokens, long outputTokens, long cachedTokens,
      long hostedEquivalentNanos, long savedNanos) {
    public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0);

    Totals plus(Totals other) {
      return new Totals(requests + other.requests, costNanos + other.costNanos, inputTokens + other.inputTokens,
          outputTokens + other.outputTokens, cachedTokens + other.cachedTokens,
          hostedEquivalentNanos + other.hostedEquivalentNanos, savedNanos + other.savedNanos);
    }
  }

  /** @param group the group's value (a model, a provider, a day, ...), or null for records without one */
  public record Row(String group, Totals totals) {}
}
