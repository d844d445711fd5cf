package dev.junction.routing;

/**
 * Output tokens one provider produced per second it was busy (at least one attempt in flight), all its
 * deployments together: what an hour of its hardware buys at the concurrency it actually runs. Both
 * sums fade with a five-minute time constant, so the rate follows the load of the last minutes.
 * Guarded by its own lock, held for a few arithmetic operations.
 */
final class BusyRate {

  private static final double FADE_NANOS = 300e9;
  /** Less busy time than this says nothing yet. */
  private static final double MIN_BUSY_NANOS = 200e6;

  private int inFlight;
  private long busySince;
  private double busyNanos;
  private double tokens;
  private long fadedAt;

  synchronized void started(long now) {
    if (inFlight++ == 0) {
      busySince = now;
    }
  }

  synchronized void ended(long now, long outputTokens) {
    fade(now);
    tokens += outputTokens;
    if (inFlight > 0 && --inFlight == 0) {
      busyNanos += now - busySince;
    }
  }

  /** Output tokens per busy second, or NaN before enough has been seen. */
  synchronized double tokensPerSecond(long now) {
    double busy = busyNanos + (inFlight > 0 ? now - busySince : 0);
    return busy < MIN_BUSY_NANOS || tokens <= 0 ? Double.NaN : tokens / (busy / 1e9);
  }

  private void fade(long now) {
    if (fadedAt != 0) {
      double kept = Math.exp(-(now - fadedAt) / FADE_NANOS);
      tokens *= kept;
      busyNanos *= kept;
    }
    fadedAt = now;
  }
}
