package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.provider.Provider;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BreakersTest {

  static final Provider PROVIDER = Provider.of(new ProviderConfig("p", "openai", "generic", "http://127.0.0.1:1/v1",
      Optional.of("sk-secret"), Map.of(), TimeoutConfig.DEFAULT));
  static final Deployment ONE = new Deployment(PROVIDER, "model-one", Pricing.UNPRICED);
  static final Deployment TWO = new Deployment(PROVIDER, "model-two", Pricing.UNPRICED);

  private static Breakers breakers(int consecutive, long openMs) {
    return new Breakers(new Breakers.Settings(50, 10, consecutive, openMs, 1_000));
  }

  /** Rates need half a window of calls: a window this wide leaves only the run to count. */
  private static Breakers runsOnly(int consecutive) {
    return new Breakers(new Breakers.Settings(50, 1_000, consecutive, 60_000, 1_000));
  }

  private static void fail(Breakers b, Deployment d) {
    assertThat(b.tryAcquire(d)).isTrue();
    b.failed(d, 1_000_000);
  }

  private static void succeed(Breakers b, Deployment d) {
    assertThat(b.tryAcquire(d)).isTrue();
    b.succeeded(d, 1_000_000);
  }

  @Test
  void aRunOfConsecutiveFailuresOpensTheBreakerOfThatDeploymentOnly() {
    Breakers b = runsOnly(3);
    fail(b, ONE);
    fail(b, ONE);
    assertThat(b.tryAcquire(ONE)).isTrue();
    b.failed(ONE, 1_000_000);
    assertThat(b.breakerState(ONE)).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.tryAcquire(ONE)).isFalse();
    assertThat(b.tryAcquire(TWO)).as("another model of the same provider").isTrue();
  }

  @Test
  void aSuccessBreaksTheRun() {
    Breakers b = runsOnly(3);
    fail(b, ONE);
    fail(b, ONE);
    succeed(b, ONE);
    fail(b, ONE);
    fail(b, ONE);
    assertThat(b.breakerState(ONE)).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aHighFailureRateOpensTheBreakerWithoutARun() {
    Breakers b = breakers(100, 60_000);
    fail(b, ONE);
    succeed(b, ONE);
    fail(b, ONE);
    succeed(b, ONE);
    assertThat(b.breakerState(ONE)).as("too few calls for a rate yet").isEqualTo(CircuitBreaker.State.CLOSED);
    fail(b, ONE);
    assertThat(b.breakerState(ONE)).as("3 of 5 failed").isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void afterItsPauseOneProbeGoesThroughAndItsSuccessClosesTheBreaker() {
    Breakers b = breakers(1, 100);
    fail(b, ONE);
    assertThat(b.tryAcquire(ONE)).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(ONE));
    assertThat(b.breakerState(ONE)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(b.tryAcquire(ONE)).as("one probe at a time").isFalse();
    b.succeeded(ONE, 1_000_000);
    assertThat(b.breakerState(ONE)).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(b.tryAcquire(ONE)).isTrue();
  }

  @Test
  void aFailedProbeOpensTheBreakerAgain() {
    Breakers b = breakers(1, 100);
    fail(b, ONE);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(ONE));
    b.failed(ONE, 1_000_000);
    assertThat(b.breakerState(ONE)).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aProbeThatEndsWithoutAVerdictLetsTheNextProbeThrough() {
    Breakers b = breakers(1, 100);
    fail(b, ONE);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(ONE));
    b.released(ONE);
    assertThat(b.tryAcquire(ONE)).isTrue();
  }

  @Test
  void a429SetsTheDeploymentAsideForItsRetryAfterWithoutCountingAsAFailure() {
    Breakers b = breakers(1, 60_000);
    assertThat(b.tryAcquire(ONE)).isTrue();
    b.rateLimited(ONE, 300);
    b.released(ONE);
    assertThat(b.tryAcquire(ONE)).isFalse();
    assertThat(b.breakerState(ONE)).isEqualTo(CircuitBreaker.State.CLOSED);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(ONE));
  }
}
