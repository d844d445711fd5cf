package dev.junction.observe;

import dev.junction.api.Endpoint;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * What the gateway measures about the requests it serves: how many, how they ended, how long the
 * upstream took, and how much time the gateway itself added.
 */
public interface GatewayMetrics extends AutoCloseable {

  /**
   * Meters kept in a Prometheus registry, exported by {@link #scrape()}.
   *
   * @param served the catalog's deployments, as the provider model ids of each provider's name: each
   *     gets its own label; any other model a client names shares a few bounded labels
   */
  static GatewayMetrics prometheus(Map<String, Set<String>> served) {
    return new PrometheusMetrics(served);
  }

  /** Measures nothing; for comparing the gateway's cost with and without metrics. */
  static GatewayMetrics none() {
    return NoMetrics.INSTANCE;
  }

  /**
   * Records one finished request.
   *
   * @param provider the provider that served (or last failed) it, null when none was tried
   * @param model the provider's model id, null when none was tried
   */
  void record(Endpoint endpoint, @Nullable String provider, @Nullable String model, int status, RequestClock clock);

  /**
   * Records one finished request from its ledger record: as {@link #record(Endpoint, String, String,
   * int, RequestClock)}, and its tokens by class, its cost and, for a stream, its time to first token.
   */
  default void record(Endpoint endpoint, LedgerRecord record, RequestClock clock) {
    record(endpoint, record.provider(), record.providerModel(), record.httpStatus(), clock);
  }

  /** Counts an attempt on this deployment that failed, after which the request went on to another. */
  default void failedOver(Endpoint endpoint, String provider, String model) {}

  /**
   * Exposes one catalog deployment's health as routing sees it, read when scraped.
   *
   * @param open whether its circuit breaker is open (tried only as a last resort)
   * @param coolingMs what is left of its cooldown after a 429, 0 when none
   */
  default void watchDeployment(String provider, String model, BooleanSupplier open, LongSupplier coolingMs) {}

  /** Counts a request refused for want of a valid key: it leaves no ledger record, only this. */
  void unauthenticated(Endpoint endpoint);

  /**
   * Counts a request refused by a rate limit or budget (it also leaves its ledger record).
   *
   * @param reason {@code rpm}, {@code tpm}, {@code max_parallel}, {@code budget} or {@code unavailable}
   * @param scope whose limit: {@code key}, {@code team}, or {@code none} when the counters could not be read
   */
  default void limited(String reason, String scope) {}

  /** Exposes whether the limits' counters can be read (Redis answers), read when scraped. */
  default void watchLimits(BooleanSupplier available) {}

  /**
   * Exposes one self-hosted engine's last reported load, and for one priced by the hour the output
   * tokens it produces per busy second, read when scraped.
   *
   * @param replicas each replica's last report (one for a single server), labelled by its index:
   *     up (1 or 0), waiting, running, KV cache in use (0..1, NaN when it does not say), in that order
   */
  default void watchEngine(String provider, java.util.List<java.util.function.Supplier<double[]>> replicas,
      java.util.function.DoubleSupplier outputTokensPerBusySecond) {}

  /** Exposes the ledger's queue and spill, read when scraped. */
  default void watch(Ledger ledger) {}

  /** The Prometheus text exposition of every meter. */
  String scrape();

  /** Stops listening to the JVM (GC notifications). */
  @Override
  default void close() {}
}
