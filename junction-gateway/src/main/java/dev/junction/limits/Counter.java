package dev.junction.limits;

import dev.junction.account.Limits;

/**
 * One account's counters in memory (a key's or a team's). Not thread-safe: {@link LocalLimiter}
 * holds its monitor while it reads or changes one.
 *
 * <p>Requests per minute are a true sliding window: the times of the last {@code rpm} admissions,
 * in a ring, so a request is admitted exactly when the {@code rpm}-th admission before it is a minute
 * old or more — never more than {@code rpm} in any 60 seconds, with no burst at a window's edge. Tokens
 * per minute are kept per second over the last 60 seconds.
 */
final class Counter {

  static final long WINDOW_MS = 60_000;
  static final int SECONDS = 60;

  /** Admission times, a ring of capacity rpm: once full, {@code next} is the oldest. */
  private long[] times = new long[0];
  private int next;
  private int size;

  private int inFlight;

  /** Tokens per second: slot {@code s % 60} holds second {@code s}, if {@code seconds} says so. */
  private final long[] seconds = new long[SECONDS];
  private final long[] tokens = new long[SECONDS];

  /** The budget period counted, as its start in epoch milliseconds. */
  private long periodStart = Long.MIN_VALUE;
  private long spent;
  private long reserved;

  Counter() {
    java.util.Arrays.fill(seconds, Long.MIN_VALUE);
  }

  // ---- requests per minute

  /** How long until one more request fits the window: 0 when it fits now. */
  long requestWaitMs(long rpm, long now) {
    resize((int) rpm);
    if (size < rpm) {
      return 0;
    }
    return Math.max(0, times[next] + WINDOW_MS - now);
  }

  void admitRequest(long now) {
    times[next] = now;
    next = (next + 1) % times.length;
    size = Math.min(size + 1, times.length);
  }

  /** Admissions in the last minute, and when the oldest of them leaves it. */
  long requestsInWindow(long now) {
    return size - firstInWindow(now);
  }

  long requestsResetMs(long now) {
    int first = firstInWindow(now);
    return first == size ? 0 : at(first) + WINDOW_MS - now;
  }

  /** The oldest admission still in the window, by binary search: times are in admission order. */
  private int firstInWindow(long now) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (at(mid) + WINDOW_MS <= now) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The i-th oldest admission kept. */
  private long at(int i) {
    return times[Math.floorMod(next - size + i, times.length)];
  }

  /** A changed rpm keeps the latest admissions that fit. */
  private void resize(int rpm) {
    if (times.length == rpm) {
      return;
    }
    int kept = Math.min(size, rpm);
    long[] resized = new long[rpm];
    for (int i = 0; i < kept; i++) {
      resized[i] = at(size - kept + i);
    }
    times = resized;
    size = kept;
    next = kept % rpm;
  }

  // ---- requests in flight

  boolean parallelFull(int maxParallel) {
    return inFlight >= maxParallel;
  }

  void enter() {
    inFlight++;
  }

  void leave() {
    inFlight--;
  }

  int inFlight() {
    return inFlight;
  }

  // ---- tokens per minute

  long tokensInWindow(long now) {
    long second = now / 1000;
    long used = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (seconds[i] > second - SECONDS && seconds[i] <= second) {
        used += tokens[i];
      }
    }
    return used;
  }

  /**
   * How long until {@code need} more tokens fit: 0 when they fit now, -1 when they never will (more
   * than the limit itself).
   */
  long tokensWaitMs(long tpm, long need, long now) {
    if (need > tpm) {
      return -1;
    }
    long used = tokensInWindow(now);
    if (used + need <= tpm) {
      return 0;
    }
    long second = now / 1000;
    for (long s = second - SECONDS + 1; s <= second; s++) {
      int slot = (int) Math.floorMod(s, SECONDS);
      if (seconds[slot] == s) {
        used -= tokens[slot];
        if (used + need <= tpm) {
          return (s + SECONDS) * 1000 - now;
        }
      }
    }
    return WINDOW_MS;
  }

  /** When the oldest tokens in the window leave it. */
  long tokensResetMs(long now) {
    long second = now / 1000;
    for (long s = second - SECONDS + 1; s <= second; s++) {
      int slot = (int) Math.floorMod(s, SECONDS);
      if (seconds[slot] == s && tokens[slot] != 0) {
        return (s + SECONDS) * 1000 - now;
      }
    }
    return 0;
  }

  /** Adds tokens to a second, when it is still counted; returns whether it was. */
  boolean addTokens(long second, long count, long now) {
    int slot = (int) Math.floorMod(second, SECONDS);
    if (seconds[slot] != second) {
      if (second <= now / 1000 - SECONDS || seconds[slot] > second) {
        return false; // that second has left the window
      }
      seconds[slot] = second;
      tokens[slot] = 0;
    }
    tokens[slot] += count;
    return true;
  }

  // ---- budget

  /** Starts counting a new period from what the ledger recorded for it. */
  void period(long start, long seed) {
    if (periodStart != start) {
      periodStart = start;
      spent = seed;
    }
  }

  boolean periodSeeded(long start) {
    return periodStart == start;
  }

  boolean overBudget(Limits limits, long cost) {
    return spent + reserved + cost > limits.budgetNanos();
  }

  void reserve(long cost) {
    reserved += cost;
  }

  void charge(long reservedCost, long cost) {
    reserved -= reservedCost;
    spent += cost;
  }

  long spent() {
    return spent;
  }

  long reserved() {
    return reserved;
  }
}
