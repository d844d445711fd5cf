package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.config.JunctionConfig.ConnectionConfig;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every client connection of one gateway may hold and for how long, and how many are open: the
 * settings and the count its {@link ConnectionGuard}s share, across event loops.
 */
final class ConnectionGuards {

  final long headerTimeoutNanos;
  final long bodyGraceNanos;
  final long bodyMinRate;
  final long idleTimeoutNanos;
  final long requestTimeoutNanos;
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  final byte[] overCapacity;
  final byte[] overCapacityHttp2;
  final byte[] headTooSlow;
  final byte[] bodyTooSlow;

  ConnectionGuards(ConnectionConfig config, long requestTimeoutMs) {
    this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.headerTimeoutMs());
    this.bodyGraceNanos = TimeUnit.MILLISECONDS.toNanos(config.bodyGraceMs());
    this.bodyMinRate = config.bodyMinRate();
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
    this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
    this.maxConnections = config.maxConnections();
    ApiError busy = ApiError.unavailable("The gateway has " + maxConnections
        + " connections open, as many as it takes; retry shortly.", "1");
    this.overCapacity = Refusals.http1(busy);
    this.overCapacityHttp2 = Refusals.http2(busy);
    this.headTooSlow = Refusals.http1(ApiError.requestTimeout("The request head did not arrive within "
        + config.headerTimeoutMs() + " ms."));
    this.bodyTooSlow = Refusals.http1(ApiError.requestTimeout("The request body arrived too slowly: at least "
        + config.bodyMinRate() + " bytes a second are needed after the first " + config.bodyGraceMs()
        + " ms, and all of it within " + requestTimeoutMs + " ms."));
  }

  ConnectionGuard newGuard() {
    return new ConnectionGuard(this);
  }

  /** Counts a new connection in, unless as many as allowed are open already. */
  boolean admit() {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      return false;
    }
    return true;
  }

  void release() {
    open.decrementAndGet();
  }

  /** Connections counted in and not yet closed. */
  int open() {
    return open.get();
  }
}
