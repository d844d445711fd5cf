package dev.junction.server;

import dev.junction.config.JunctionConfig.TimeoutConfig;
import org.jspecify.annotations.Nullable;

/**
 * The time bounds of one attempt, all in one place: its total (the provider's own limit, or what is
 * left of the request's deadline, whichever comes first), the wait for the first token, and, once
 * the response flows, the longest silence between two of its pieces. Time is {@link System#nanoTime}.
 *
 * <p>One timer serves all three: {@link #nextDue} says when the nearest falls due, {@link #breached}
 * which one has, if any.
 */
final class AttemptBounds {

  /** Which bound an attempt broke. */
  enum Breach {
    /** The request's deadline passed before the provider finished. */
    DEADLINE,
    /** The provider's own total limit passed. */
    TOTAL,
    /** Nothing came within the first-token limit. */
    FIRST_TOKEN,
    /** The response stopped flowing for longer than the idle limit. */
    IDLE
  }

  private final TimeoutConfig timeouts;
  private final long totalDue;
  private final boolean deadlineFirst;
  /** Set while the first token is awaited and bounded; off once it came, or when the deadline comes first. */
  private boolean firstTokenBounded;
  private final long firstTokenDue;
  /** Whether the response flows, so that silence is bounded; from its first token on. */
  private boolean flowing;
  private long lastData;
  /** The client reads slowly and the upstream is held back: the silence is the client's, not the provider's. */
  private boolean heldBack;

  /** @param leftMs what is left of the request's deadline */
  AttemptBounds(TimeoutConfig timeouts, long startNanos, long leftMs) {
    this.timeouts = timeouts;
    long totalMs = timeouts.totalMs();
    this.deadlineFirst = totalMs > leftMs;
    this.totalDue = startNanos + Math.max(1, Math.min(totalMs, leftMs)) * 1_000_000;
    this.firstTokenBounded = timeouts.firstTokenMs() < leftMs;
    this.firstTokenDue = startNanos + timeouts.firstTokenMs() * 1_000_000;
  }

  /** The first token came (or a whole answer's head): from now on silence is bounded instead. */
  void flowing(long now) {
    firstTokenBounded = false;
    flowing = true;
    lastData = now;
  }

  /** A piece of the response arrived. */
  void data(long now) {
    lastData = now;
  }

  void heldBack(boolean held, long now) {
    heldBack = held;
    if (!held) lastData = now;
  }

  /** When the nearest bound falls due, as of {@code now}. */
  long nextDue(long now) {
    long due = totalDue;
    if (firstTokenBounded) due = Math.min(due, firstTokenDue);
    if (flowing) due = Math.min(due, (heldBack ? now : lastData) + timeouts.idleMs() * 1_000_000);
    return due;
  }

  /** The bound broken at {@code now}, or null when none is. */
  @Nullable Breach breached(long now) {
    if (now - totalDue >= 0) return deadlineFirst ? Breach.DEADLINE : Breach.TOTAL;
    if (firstTokenBounded && now - firstTokenDue >= 0) return Breach.FIRST_TOKEN;
    if (flowing && !heldBack && now - lastData >= timeouts.idleMs() * 1_000_000) return Breach.IDLE;
    return null;
  }
}
