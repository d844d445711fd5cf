package dev.junction.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * An open-loop load generator: requests leave at a fixed rate whatever the server does, and each
 * latency is also measured from the moment its request was due, not from when it could be sent, so a
 * stalled server is charged for every request it delayed (no coordinated omission).
 */
public interface LoadGenerator {

  /**
   * @param rate requests per second
   * @param connections most connections open at once; requests beyond wait (and that wait counts)
   * @param stream whether responses are event streams: time to first byte and per-event time are measured
   */
  record Options(
      URI url,
      byte[] body,
      Map<String, String> headers,
      int rate,
      int connections,
      Duration warmup,
      Duration duration,
      boolean stream) {}

  /** Runs warm-up then measurement; returns what was measured. */
  static LoadResult run(Options options) {
    return new FixedRateLoad(options).run();
  }

  /** Runs as {@link #run(Options)}, with the {@code i}-th request's body from {@code bodies}. */
  static LoadResult run(Options options, IntFunction<byte[]> bodies) {
    return new FixedRateLoad(options, bodies).run();
  }

  /**
   * Opens {@code count} streams and holds them until they end, reporting how many were open at once
   * and, when {@code watchPid} is set, the highest resident memory of that process meanwhile.
   *
   * @param http2 whether streams share HTTP/2 connections (cleartext, prior knowledge), as many as the
   *     server allows on each, instead of one HTTP/1.1 connection per stream
   */
  static OpenStreamsResult holdStreams(URI url, byte[] body, Map<String, String> headers, int count,
      int perSecond, long watchPid, boolean http2) {
    return new OpenStreams(url, body, headers, count, perSecond, watchPid, http2).run();
  }
}
