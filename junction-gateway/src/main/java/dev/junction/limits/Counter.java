package dev.junction.limits;

import dev.junction.account.Limits;

/**
 * One account's counters in memory (a key's or a team's). Not thread-safe: {@link LocalLimiter}
 * holds its monitor while it reads or changes one.
 *
 * <p>Requests per minute are a true sliding window: the admissions of the last minute, kept as runs
 * of (millisecond, how many), so a request is admitted exactly when the {@code rpm}-th admission
 * before it is a minute old or more — never more than {@code rpm} in any 60 seconds, with no burst at
 * a window's edge. Runs rather than one entry per admission: the memory a counter takes is bounded by
 * the milliseconds in a minute, not by the limit, so a key allowed a billion requests a minute costs
 * what one allowed a hundred does. Tokens per minute are kept per second over the last 60 seconds.
 */
final class Counter {

  static final long WINDOW_MS = 60_000;
  static final int SECONDS = 60;

  /** Admission runs in time order, a ring: {@code head} is the oldest of {@code runs}. */
  private long[] runAt = new long[8];
  private long[] runCount = new long[8];
  private int head;
  private int runs;
  /** Admissions in the runs kept. */
  private long admitted;

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
    expire(now);
    if (admitted < rpm) {
      return 0;
    }
    // The admission that must leave first is the (admitted - rpm)-th oldest; when a limit was not
    // lowered meanwhile, it is in the oldest run.
    long skip = admitted - rpm;
    for (int i = 0; i < runs; i++) {
      int r = slot(i);
      if (skip < runCount[r]) {
        return Math.max(0, runAt[r] + WINDOW_MS - now);
      }
      skip -= runCount[r];
    }
    return 0;
  }

  void admitRequest(long now) {
    if (runs > 0) {
      int last = slot(runs - 1);
      // A clock that stepped back joins the latest run, so that runs stay in time order.
      if (runAt[last] >= now) {
        runCount[last]++;
        admitted++;
        return;
      }
    }
    if (runs == runAt.length) {
      grow();
    }
    int r = slot(runs++);
    runAt[r] = now;
    runCount[r] = 1;
    admitted++;
  }

  /** Admissions in the last minute, and when the oldest of them leaves it. */
  long requestsInWindow(long now) {
    expire(now);
    return admitted;
  }

  long requestsResetMs(long now) {
    expire(now);
    return runs == 0 ? 0 : runAt[head] + WINDOW_MS - now;
  }

  /** Drops the runs that have left the window. */
  private void expire(long now) {
    while (runs > 0 && runAt[head] + WINDOW_MS <= now) {
      admitted -= runCount[head];
      head = (head + 1) % runAt.length;
      runs--;
    }
  }

  private int slot(int i) {
    return (head + i) % runAt.length;
  }

  private void grow() {
    long[] at = new long[runAt.length * 2];
    long[] count = new long[runAt.length * 2];
    for (int i = 0; i < runs; i++) {
      at[i] = runAt[slot(i)];
      count[i] = runCount[slot(i)];
    }
    runAt = at;
    runCount = count;
    head = 0;
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
