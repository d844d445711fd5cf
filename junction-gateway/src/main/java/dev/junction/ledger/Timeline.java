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

    /**
     * How many of the newest records (of its key, when it names one) a search by model, provider or
     * status looks through. Those columns have no index that leads (SQLite keeps none on the model),
     * so the search walks the records newest first: at once for a common value, but through the whole
     * ledger for one it lacks, at every refresh of the dashboard's list.
     */
    public static final int DEPTH = 100_000;

    /** Whether the search is bounded by {@link #DEPTH}: it filters on a column without an index of its own. */
    public boolean bounded() {
      return model != null || provider != null || status != null;
    }
  }

  static List<Point> none() {
    return List.of();
  }
}
