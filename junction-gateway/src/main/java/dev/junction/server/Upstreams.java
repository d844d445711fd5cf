package dev.junction.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream HTTP clients: one connection pool per event loop, so a request and its upstream
 * connection are served by the same thread.
 *
 * <p>One pool shared by every event loop hands out whichever connection was used last, often one
 * owned by another loop; each such request then crosses threads twice, on the way out and on the
 * way back, and a thread woken to take it over costs tens of microseconds when the gateway is not
 * busy enough to be awake already.
 */
final class Upstreams {

  /** Per provider address and event loop; a guard against runaway use, not a concurrency limit. */
  private static final int MAX_CONNECTIONS = 32_768;

  private final Vertx vertx;
  private final ConcurrentHashMap<Thread, HttpClient> byLoop = new ConcurrentHashMap<>();

  Upstreams(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The client of the calling event loop. */
  HttpClient current() {
    return byLoop.computeIfAbsent(Thread.currentThread(), thread -> create());
  }

  private HttpClient create() {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setForceSni(true),
        // A stream holds its upstream connection for its whole length, so the pool must be as large
        // as the number of streams open at once; 1024 made the 1025th stream wait for another to end.
        // Event loop size 0: connections live on the loop of the request that opened them.
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS).setEventLoopSize(0));
  }
}
