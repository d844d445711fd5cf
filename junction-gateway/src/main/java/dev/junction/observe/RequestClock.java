package dev.junction.observe;

/**
 * The time one request spends in the gateway, split into time waiting on upstream providers and the
 * rest, which is the gateway's own overhead.
 *
 * <p>The upstream span runs from the first attempt to the moment the answer (or the last failure) is
 * in hand; for a stream, to its end, since the pace of a stream is the provider's. Failover between
 * candidates counts as upstream time: it is spent waiting on providers. Confined to one event loop.
 */
public final class RequestClock {

  private final long start = System.nanoTime();
  private long upstreamStart = -1;
  private long upstreamEnd = -1;
  private long end = -1;
  private long firstByte = -1;

  /** An upstream attempt begins; only the first one opens the upstream span. */
  public void upstreamStarted() {
    if (upstreamStart < 0) {
      upstreamStart = System.nanoTime();
    }
  }

  /** The upstream answer, or the last upstream failure, is in hand. */
  public void upstreamDone() {
    if (upstreamStart >= 0 && upstreamEnd < 0) {
      upstreamEnd = System.nanoTime();
    }
  }

  /** The first byte of the answer went to the client; later calls change nothing. */
  public void firstByte() {
    if (firstByte < 0) {
      firstByte = System.nanoTime();
    }
  }

  /** Time from acceptance to the answer's first byte, or -1 when none was sent. */
  public long firstByteNanos() {
    return firstByte < 0 ? -1 : firstByte - start;
  }

  /** The request is over; later readings no longer grow. */
  public void stop() {
    if (end < 0) {
      end = System.nanoTime();
    }
  }

  /** Time since acceptance, up to {@link #stop()} once stopped. */
  public long totalNanos() {
    return (end < 0 ? System.nanoTime() : end) - start;
  }

  /** Time spent waiting on providers so far. */
  public long upstreamNanos() {
    if (upstreamStart < 0) {
      return 0;
    }
    long until = upstreamEnd >= 0 ? upstreamEnd : end >= 0 ? end : System.nanoTime();
    return until - upstreamStart;
  }

  /** The gateway's own time so far: everything that was not waiting on a provider. */
  public long overheadNanos() {
    return Math.max(0, totalNanos() - upstreamNanos());
  }

  public long overheadMicros() {
    return overheadNanos() / 1_000;
  }
}
