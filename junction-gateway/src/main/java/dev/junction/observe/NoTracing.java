package dev.junction.observe;

import dev.junction.api.Endpoint;
import org.jspecify.annotations.Nullable;

/** Tracing off. */
enum NoTracing implements Tracing {
  INSTANCE;

  @Override
  public boolean on() {
    return false;
  }

  @Override
  public RequestSpan request(Endpoint endpoint, @Nullable String traceparent, @Nullable String tracestate,
      long startEpochNanos) {
    return RequestSpan.NONE;
  }
}
