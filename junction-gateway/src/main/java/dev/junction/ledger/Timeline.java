package dev.junction.ledger;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Committed records summed per time bucket and per series (a provider, a model or a key): what the
 * dashboard draws. One GROUP BY, on the per-minute sums when the range is whole minutes, else on the
 * records; the same SQL on SQLite and PostgreSQL.
 */
public final class Timeline {

  private Timeline() {}

  /** Which column a series is. */
  public enum Split {
    NONE("'all'"), PROVIDER("provider"), MODEL("model"), KEY("key_id"), TEAM("team");

    final String expression;

    Split(String expression) {
      this.expression = expression;
    }
  }

  /**
   * @param keyId only this key's records (a virtual key's own view), or every record when null
   * @param bucketMs the width of a bucket; buckets start at multiples of it since the epoch
   */
  public record Query(Instant from, Instant to, long bucketMs, Split split, @Nullable String keyId) {
    public Query {
      if (bucketMs <= 0 || !from.isBefore(to)) {
        throw new IllegalArgumentException("a timeline needs a positive bucket and from before to");
      }
    }
  }

  /**
   * One bucket of one series.
   *
   * @param series the provider, model or key id; null for records without one (refused before routing)
   * @param errors records whose status is not ok
   * @param failovers records that took more than one attempt
   */
  public record Point(long bucketStartMs, @Nullable String series, long requests, long errors, long failovers,
      long inputTokens, long outputTokens, long costNanos) {}

  /**
   * Which records a list shows; a null field does not filter.
   *
   * @param status a status name as recorded ({@code ok}, {@code error}, …)
   */
  public record Filter(@Nullable String keyId, @Nullable String model, @Nullable String provider,
      @Nullable String status, @Nullable Instant since) {
    public static final Filter ALL = new Filter(null, null, null, null, null);
  }

  static List<Point> none() {
    return List.of();
  }
}
