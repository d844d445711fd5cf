package dev.junction.server;

import dev.junction.catalog.Deployment;
import dev.junction.catalog.DeploymentId;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One circuit breaker per deployment, used without blocking: a breaker opens when at least half of
 * its last calls failed, or after a run of consecutive failures, lets one probe through after a
 * pause, and closes when that probe succeeds. A 429 puts the deployment into a cooldown for as long
 * as the provider asked. State lives in this process.
 */
final class Breakers implements DeploymentHealth {

  /**
   * @param failureRatePercent opens at this share of failed calls among the last {@code window}
   * @param window calls the failure rate is computed over (at least half of them must have happened)
   * @param consecutiveFailures opens after this many failures in a row, whatever the rate
   * @param openMs how long an open breaker refuses tries before letting a probe through
   * @param cooldownMs how long a 429 without Retry-After keeps a deployment aside
   */
  record Settings(float failureRatePercent, int window, int consecutiveFailures, long openMs, long cooldownMs) {
    static final Settings DEFAULT = new Settings(50, 20, 5, 30_000, 1_000);
  }

  private final Settings settings;
  private final CircuitBreakerRegistry registry;
  private final ConcurrentHashMap<DeploymentId, State> states = new ConcurrentHashMap<>();

  /** A deployment's breaker, its current run of failures, and the end of its cooldown. */
  private static final class State {
    final CircuitBreaker breaker;
    final AtomicInteger failuresInARow = new AtomicInteger();
    volatile long coolUntilNanos;

    State(CircuitBreaker breaker) {
      this.breaker = breaker;
    }
  }

  Breakers(Settings settings) {
    this.settings = settings;
    this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
        .failureRateThreshold(settings.failureRatePercent())
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(settings.window())
        .minimumNumberOfCalls(Math.max(1, settings.window() / 2))
        .waitDurationInOpenState(Duration.ofMillis(settings.openMs()))
        .permittedNumberOfCallsInHalfOpenState(1)
        // Slow calls are the timeouts' business; the breaker counts failures only.
        .slowCallRateThreshold(100)
        .slowCallDurationThreshold(Duration.ofDays(1))
        .build());
  }

  private State state(Deployment deployment) {
    // One provider entry holds one credential, so provider and model name the breaker's scope.
    return states.computeIfAbsent(deployment.id(), id -> new State(registry.circuitBreaker(id.toString())));
  }

  /** What the dashboard shows of a deployment: its breaker's state and what is left of a cooldown. */
  dev.junction.dashboard.DeploymentState.View view(Deployment deployment) {
    State state = states.get(deployment.id());
    if (state == null) {
      return dev.junction.dashboard.DeploymentState.View.UNKNOWN;
    }
    long cooling = Math.max(0, state.coolUntilNanos - System.nanoTime());
    return new dev.junction.dashboard.DeploymentState.View(
        state.breaker.getState().name().toLowerCase(java.util.Locale.ROOT), TimeUnit.NANOSECONDS.toMillis(cooling));
  }

  @Override
  public boolean tryAcquire(Deployment deployment) {
    State state = state(deployment);
    return System.nanoTime() - state.coolUntilNanos >= 0 && state.breaker.tryAcquirePermission();
  }

  @Override
  public void succeeded(Deployment deployment, long nanos) {
    State state = state(deployment);
    state.failuresInARow.set(0);
    state.breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void failed(Deployment deployment, long nanos) {
    State state = state(deployment);
    state.breaker.onError(nanos, TimeUnit.NANOSECONDS, Failure.INSTANCE);
    if (state.failuresInARow.incrementAndGet() >= settings.consecutiveFailures()
        && state.breaker.getState() == CircuitBreaker.State.CLOSED) {
      state.breaker.transitionToOpenState();
    }
  }

  @Override
  public void rateLimited(Deployment deployment, long retryAfterMs) {
    State state = state(deployment);
    long ms = retryAfterMs > 0 ? retryAfterMs : settings.cooldownMs();
    state.coolUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
  }

  @Override
  public void released(Deployment deployment) {
    state(deployment).breaker.releasePermission();
  }

  Settings settings() {
    return settings;
  }

  /** The breaker's state, for tests and metrics. */
  CircuitBreaker.State breakerState(Deployment deployment) {
    return state(deployment).breaker.getState();
  }

  /** What the breaker records as the cause of a failed call; the real reason is in the ledger. */
  private static final class Failure extends RuntimeException {
    static final Failure INSTANCE = new Failure();

    private Failure() {
      super("deployment failed", null, false, false);
    }
  }
}
