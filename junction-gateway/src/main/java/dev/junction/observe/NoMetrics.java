package dev.junction.observe;

import dev.junction.api.Endpoint;
import org.jspecify.annotations.Nullable;

final class NoMetrics implements GatewayMetrics {

  static final NoMetrics INSTANCE = new NoMetrics();

  private NoMetrics() {}

  @Override
  public void record(Endpoint endpoint, @Nullable String provider, @Nullable String model, int status, RequestClock clock) {}

  @Override
  public void unauthenticated(Endpoint endpoint) {}

  @Override
  public String scrape() {
    return "";
  }
}
