package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.engine.Rooms;
import dev.junction.routing.Route;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Takes a routed request to a provider and its answer back to the client: walks the candidates until
 * one serves the request, then relays the response. Failover is invisible until the commit point, the
 * first byte sent to the client: a stream is held back until its first content event.
 *
 * <p>A deployment that failed transiently goes to the back of the queue with a backoff, so a healthy
 * next candidate is tried at once and a retry only waits when nothing else is left. Everything stops
 * at the request's deadline or its attempt budget, whichever comes first.
 *
 * <p>A hedged request starts the next ready candidate alongside an attempt that has not reached its
 * commit point in time. At most two attempts are live: the first to commit serves, the other is
 * cancelled; when one of them fails, the other carries on alone.
 */
final class Relay implements Attempt.Listener {

  static final String LOST_HEDGE = "lost the hedge";

  private final Exchange exchange;
  private final Vertx vertx;
  private final DeploymentHealth health;
  private final Rooms rooms;
  private final Attempt.Context context;
  private final Deque<Pending> queue = new ArrayDeque<>();
  /** The attempts under way, oldest first, each with the turn it came from. */
  private final Map<Attempt, Pending> live = new LinkedHashMap<>();
  private final Limits limits;
  private final long deadlineNanos;
  /** The last attempt's error; null until one failed. */
  private @Nullable ApiError lastError;
  private long waitTimer = -1;
  private long hedgeTimer = -1;

  /**
   * A deployment waiting for its turn: its retries left, the earliest it may go, and the replicas of
   * its pool this request already failed on (one bit each).
   */
  private record Pending(Deployment deployment, int retriesLeft, int retried, long notBeforeNanos, long failedReplicas) {

    Pending(Deployment deployment, int retriesLeft, int retried, long notBeforeNanos) {
      this(deployment, retriesLeft, retried, notBeforeNanos, 0);
    }
  }

  /**
   * How much of the prompt decides a pool's replica: a shorter prompt has no prefix worth keeping in
   * one replica's cache, and goes to the least loaded.
   */
  static final int REPLICA_PREFIX_BYTES = 1024;

  /**
   * @param maxAttempts the attempt budget of one request
   * @param timeoutMs the request's deadline, from acceptance
   * @param hedgeAfterMs how long an attempt may go without committing before another starts
   *     alongside it; 0 for no hedging
   */
  record Limits(int maxAttempts, long timeoutMs, long hedgeAfterMs) {}

  Relay(Exchange exchange, InspectedRequest request, Route route, HttpClient client, Vertx vertx, Limits limits,
      DeploymentHealth health, Rooms rooms) {
    this.exchange = exchange;
    this.health = health;
    this.rooms = rooms;
    this.vertx = vertx;
    this.context = new Attempt.Context(exchange, request, route, client, vertx, health);
    this.limits = limits;
    this.deadlineNanos = exchange.startNanos() + limits.timeoutMs() * 1_000_000;
    for (Deployment d : route.candidates()) {
      queue.add(new Pending(d, d.provider().retries(), 0, 0));
    }
  }

  void start() {
    exchange.onCancel(this::cancel);
    attemptNext();
  }

  private void attemptNext() {
    waitTimer = -1;
    if (exchange.finished()) {
      return;
    }
    if (queue.isEmpty() || exchange.attempts() >= limits.maxAttempts()) {
      // Only a route without candidates ends before any attempt failed: routing refuses those with a 404.
      exchange.fail(lastError != null ? lastError : ApiError.unavailable("No deployment of this model could be tried."));
      return;
    }
    long now = System.nanoTime();
    Pending ready = null;
    Pending waiting = null;
    for (Pending p : queue) {
      if (p.notBeforeNanos() - now > 0) {
        waiting = waiting == null || p.notBeforeNanos() - waiting.notBeforeNanos() < 0 ? p : waiting;
      } else if (health.tryAcquire(p.deployment())) {
        ready = p;
        break;
      }
    }
    if (ready == null && waiting != null) {
      // A healthy retry later beats a try now at a deployment known to be failing.
      waitTimer = vertx.setTimer(Math.max(1, (waiting.notBeforeNanos() - now) / 1_000_000), t -> attemptNext());
      return;
    }
    // Nothing healthy is left: the first in line is tried rather than failing without a try.
    launch(ready != null ? ready : queue.getFirst(), ready != null, now);
    armHedge(now);
  }

  private void launch(Pending turn, boolean permitted, long now) {
    queue.remove(turn);
    String provider = turn.deployment().provider().name();
    boolean pool = rooms.replicas(provider) > 1;
    int replica = pool ? rooms.replica(provider, replicaAffinity(), turn.failedReplicas()) : -1;
    Attempt attempt = new Attempt(this, context, turn.deployment(), permitted, leftMs(now), replica,
        pool && turn.failedReplicas() == 0);
    live.put(attempt, turn);
    attempt.send();
  }

  /** The client's {@code prompt_cache_key}, else the prompt's first bytes: what keeps one prefix cache hitting. */
  private long replicaAffinity() {
    String key = context.request().promptCacheKey();
    return key != null ? key.hashCode() * 0x9E3779B97F4A7C15L | 1 : context.request().promptPrefixHash(REPLICA_PREFIX_BYTES);
  }

  private void armHedge(long now) {
    long after = limits.hedgeAfterMs();
    if (after > 0 && after < leftMs(now) && live.size() == 1) {
      hedgeTimer = vertx.setTimer(after, t -> hedge());
    }
  }

  /**
   * The live attempt has not committed in time: the next candidate that is ready now and whose breaker
   * lets it through starts alongside it. Nothing starts when none is, since a last-resort try or a
   * retry's wait is no better than the attempt already under way.
   */
  private void hedge() {
    hedgeTimer = -1;
    if (exchange.finished() || exchange.committed() || live.size() != 1
        || exchange.attempts() >= limits.maxAttempts()) {
      return;
    }
    long now = System.nanoTime();
    if (leftMs(now) == 0) {
      return;
    }
    for (Pending p : queue) {
      if (p.notBeforeNanos() - now <= 0 && health.tryAcquire(p.deployment())) {
        launch(p, true, now);
        return;
      }
    }
  }

  private long leftMs(long now) {
    return Math.max(0, (deadlineNanos - now) / 1_000_000);
  }

  /**
   * An attempt reaches its commit point: it serves the request, and any other still under way is
   * cancelled before a byte of this one goes out, so the client never sees bytes from both.
   */
  @Override
  public void committing(Attempt winner) {
    cancelHedge();
    for (Attempt other : List.copyOf(live.keySet())) {
      if (other != winner) {
        other.drop(LOST_HEDGE);
        exchange.lostHedge(other.tried());
      }
    }
    live.keySet().retainAll(Set.of(winner));
    exchange.serving(winner.tried());
  }

  /**
   * An attempt failed. After the commit point the client's stream ends with an explicit error; a
   * request at fault ends at once; otherwise another try takes over (this deployment again later,
   * when the failure was transient and a retry fits the deadline), unless a hedge is still under way.
   */
  @Override
  public void failed(Attempt attempt, UpstreamStatus.Verdict verdict) {
    ApiError error = verdict.error();
    if (exchange.committed()) {
      exchange.fail(error, attempt.streamUsage());
      return;
    }
    if (verdict.next() == UpstreamStatus.Next.STOP) {
      stopped(attempt, error);
      return;
    }
    Pending tried = Objects.requireNonNull(live.remove(attempt), "a failing attempt is live");
    lastError = error;
    long now = System.nanoTime();
    if (verdict.next() == UpstreamStatus.Next.ROTATE) {
      // Another of the provider's keys, at once and first in line: no retry is spent on it.
      queue.addFirst(new Pending(tried.deployment(), tried.retriesLeft(), tried.retried(), now, tried.failedReplicas()));
    } else if (verdict.next() == UpstreamStatus.Next.RETRY && attempt.spared()) {
      // Another replica of the pool, at once and first in line: the same engine on another server.
      // Once per turn: when a second replica fails too, the engine itself is likelier at fault.
      queue.addFirst(new Pending(tried.deployment(), tried.retriesLeft(), tried.retried(), now,
          1L << attempt.replica()));
    } else if (verdict.next() == UpstreamStatus.Next.RETRY && tried.retriesLeft() > 0) {
      long waitMs = Backoff.delayMs(tried.retried(), Backoff.retryAfterMs(error.retryAfter()));
      // A pause that outlasts the deadline only delays the inevitable error.
      if (waitMs < leftMs(now)) {
        queue.addLast(new Pending(tried.deployment(), tried.retriesLeft() - 1, tried.retried() + 1,
            now + waitMs * 1_000_000));
      }
    }
    if (!live.isEmpty()) {
      // The other attempt of a hedge carries on; failover resumes only if it fails too.
      cancelHedge();
      return;
    }
    if (leftMs(now) == 0) {
      exchange.fail(error);
      return;
    }
    cancelHedge();
    attemptNext();
  }

  /** A failure no other candidate would answer differently: the client's own request is at fault. */
  private void stopped(Attempt attempt, ApiError error) {
    cancelHedge();
    live.remove(attempt);
    for (Attempt other : List.copyOf(live.keySet())) {
      other.drop("another attempt's provider refused the request");
    }
    live.clear();
    exchange.fail(error);
  }

  /** The client went away: stop whatever is under way, upstream or waiting. */
  void cancel() {
    if (waitTimer >= 0) {
      vertx.cancelTimer(waitTimer);
      waitTimer = -1;
    }
    cancelHedge();
    // Two live attempts mean nothing was delivered yet; one may have streamed part of its answer.
    Usage delivered = Usage.NONE;
    for (Attempt attempt : List.copyOf(live.keySet())) {
      Usage usage = attempt.cancel("cancelled: " + exchange.cancelReason());
      delivered = live.size() == 1 ? usage : Usage.NONE;
    }
    live.clear();
    exchange.cancelled(delivered);
  }

  private void cancelHedge() {
    if (hedgeTimer >= 0) {
      vertx.cancelTimer(hedgeTimer);
      hedgeTimer = -1;
    }
  }
}
