package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.routing.Route;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Takes a routed request to a provider and its answer back to the client: walks the candidates until
 * one serves the request, then relays the response. Failover is invisible until the commit point, the
 * first byte sent to the client: a stream is held back until its first content event.
 *
 * <p>A deployment that failed transiently goes to the back of the queue with a backoff, so a healthy
 * next candidate is tried at once and a retry only waits when nothing else is left. Everything stops
 * at the request's deadline or its attempt budget, whichever comes first.
 */
final class Relay {

  final Exchange exchange;
  final InspectedRequest request;
  final HttpClient client;
  final Vertx vertx;
  final DeploymentHealth health;
  final Route route;
  private final Deque<Pending> queue = new ArrayDeque<>();
  private final Limits limits;
  private final long deadlineNanos;
  private ApiError lastError;
  private Attempt current;
  private Pending currentTurn;
  private long waitTimer = -1;

  /** A deployment waiting for its turn: its retries left and the earliest it may go. */
  private record Pending(Deployment deployment, int retriesLeft, int retried, long notBeforeNanos) {}

  /**
   * @param maxAttempts the attempt budget of one request
   * @param timeoutMs the request's deadline, from acceptance
   */
  record Limits(int maxAttempts, long timeoutMs) {}

  Relay(Exchange exchange, InspectedRequest request, Route route, HttpClient client, Vertx vertx, Limits limits,
      DeploymentHealth health) {
    this.exchange = exchange;
    this.health = health;
    this.route = route;
    this.request = request;
    this.client = client;
    this.vertx = vertx;
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
      exchange.fail(lastError);
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
    boolean permitted = ready != null;
    Pending next = permitted ? ready : queue.peek();
    queue.remove(next);
    currentTurn = next;
    current = new Attempt(this, next.deployment(), permitted);
    current.send(leftMs(now));
  }

  private long leftMs(long now) {
    return Math.max(0, (deadlineNanos - now) / 1_000_000);
  }

  /**
   * An attempt failed. Before the commit point another try takes over (this deployment again later,
   * when the failure was transient and a retry fits the deadline); after it, the client's stream ends
   * with an explicit error.
   */
  void failed(Attempt attempt, ApiError error, boolean retryable) {
    if (exchange.committed()) {
      exchange.fail(error, attempt.streamUsage());
      return;
    }
    lastError = error;
    long now = System.nanoTime();
    if (leftMs(now) == 0) {
      exchange.fail(error);
      return;
    }
    Pending tried = currentTurn;
    if (retryable && tried.retriesLeft() > 0) {
      long waitMs = Backoff.delayMs(tried.retried(), Backoff.retryAfterMs(error.retryAfter()));
      // A pause that outlasts the deadline only delays the inevitable error.
      if (waitMs < leftMs(now)) {
        queue.addLast(new Pending(tried.deployment(), tried.retriesLeft() - 1, tried.retried() + 1,
            now + waitMs * 1_000_000));
      }
    }
    attemptNext();
  }

  /** A failure no other candidate would answer differently: the client's own request is at fault. */
  void stopped(ApiError error) {
    exchange.fail(error);
  }

  /** The client went away: stop whatever is under way, upstream or waiting. */
  void cancel() {
    if (waitTimer >= 0) {
      vertx.cancelTimer(waitTimer);
      waitTimer = -1;
    }
    if (current != null) {
      current.cancel("cancelled: " + exchange.cancelReason());
    }
    exchange.cancelled(Usage.NONE);
  }
}
