package dev.junction.provider;

import io.vertx.core.http.HttpHeaders;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A provider's API keys, taken in turn so that its per-key rate limits add up. A key the provider
 * refused (401, 403) or rate-limited (429) rests for a while and the others carry the traffic; a
 * request it failed is tried again at once with the next key, so the client never sees a refusal
 * another key would not have had.
 *
 * <p>Shared by the event loops: the turn and each key's rest are atomics, read on every request.
 */
public final class Credentials {

  /** How long a refused key rests: a revoked or mistyped key will not work a moment later. */
  public static final long REFUSED_REST_MS = 300_000;
  /** How long a rate-limited key rests when the provider did not say (no Retry-After). */
  public static final long LIMITED_REST_MS = 10_000;

  private static final Credentials NONE = new Credentials(List.of());

  /** Each key's header value, encoded once ({@code Bearer sk-…}). */
  private final List<CharSequence> values;
  private final AtomicLongArray restingUntilNanos;
  private final AtomicInteger turn = new AtomicInteger();

  private Credentials(List<CharSequence> values) {
    this.values = values;
    this.restingUntilNanos = new AtomicLongArray(values.size());
  }

  /** The keys, each prefixed as the provider's auth header wants it; empty keys are left out. */
  static Credentials of(List<String> keys, String prefix) {
    List<CharSequence> values = keys.stream().filter(k -> !k.isEmpty())
        .<CharSequence>map(k -> HttpHeaders.createOptimized(prefix + k)).toList();
    return values.isEmpty() ? NONE : new Credentials(values);
  }

  public int size() {
    return values.size();
  }

  /**
   * The key the next request uses: the next in turn that is not resting, or, when every one rests,
   * the one whose rest ends first (the provider decides then); -1 when the provider has no key.
   */
  public int pick(long nowNanos) {
    int n = values.size();
    if (n <= 1) {
      return n - 1;
    }
    int start = Math.floorMod(turn.getAndIncrement(), n);
    int soonest = start;
    for (int i = 0; i < n; i++) {
      int k = (start + i) % n;
      long until = restingUntilNanos.get(k);
      if (until - nowNanos <= 0) {
        return k;
      }
      if (until - restingUntilNanos.get(soonest) < 0) {
        soonest = k;
      }
    }
    return soonest;
  }

  CharSequence value(int key) {
    return values.get(key);
  }

  /**
   * Sets a key aside for a while; returns whether another key is ready to take its request now.
   *
   * @param key as {@link #pick} returned it
   */
  public boolean rest(int key, long restMs, long nowNanos) {
    if (key < 0 || values.size() < 2) {
      return false;
    }
    restingUntilNanos.accumulateAndGet(key, nowNanos + restMs * 1_000_000, (a, b) -> b - a > 0 ? b : a);
    for (int k = 0; k < values.size(); k++) {
      if (k != key && restingUntilNanos.get(k) - nowNanos <= 0) {
        return true;
      }
    }
    return false;
  }
}
