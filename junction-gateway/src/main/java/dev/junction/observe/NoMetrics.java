package dev.junction.observe;

import dev.junction.api.Endpoint;

final class NoMetrics implements GatewayMetrics {

  static final NoMetrics INSTANCE = new NoMetrics();

  private NoMetrics() {}

  @Override
  public void record(Endpoint endpoint, String provider, String model, int status, RequestClock clock) {}

  @Override
  public void unauthenticated(Endpoint endpoint) {}

  @Override
  public String scrape() {
    return "";
  }
}
