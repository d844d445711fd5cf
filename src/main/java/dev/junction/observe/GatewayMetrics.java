package dev.junction.observe;

import dev.junction.api.Endpoint;
import dev.junction.ledger.Ledger;

/**
 * What the gateway measures about the requests it serves: how many, how they ended, how long the
 * upstream took, and how much time the gateway itself added.
 */
public interface GatewayMetrics extends AutoCloseable {

  /** Meters kept in a Prometheus registry, exported by {@link #scrape()}. */
  static GatewayMetrics prometheus() {
    return new PrometheusMetrics();
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
  void record(Endpoint endpoint, String provider, String model, int status, RequestClock clock);

  /** Counts a request refused for want of a valid key: it leaves no ledger record, only this. */
  void unauthenticated(Endpoint endpoint);

  /** Exposes the ledger's queue and spill, read when scraped. */
  default void watch(Ledger ledger) {}

  /** The Prometheus text exposition of every meter. */
  String scrape();

  /** Stops listening to the JVM (GC notifications). */
  @Override
  default void close() {}
}
