package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.provider.Provider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiveStatsTest {

  static final Deployment D = new Deployment(Provider.of(new ProviderConfig("p", "openai", "generic",
      "http://127.0.0.1:1/v1", Optional.empty(), Map.of(), TimeoutConfig.DEFAULT)), "m", Pricing.UNPRICED);
  static final long SECOND = 1_000_000_000L;

  @Test
  void aDeploymentSetAsideForFailingIsTriedAgainOnceItsErrorsFade() {
    LiveStats stats = new LiveStats();
    stats.start(D).failed();
    stats.start(D).failed();
    long now = System.nanoTime();
    assertThat(stats.local(D, now).unhealthy()).isTrue();
    assertThat(stats.local(D, now + 5 * SECOND).unhealthy()).as("still fresh from its failures").isTrue();
    assertThat(stats.local(D, now + 8 * SECOND).unhealthy()).as("faded without traffic").isFalse();
    assertThat(stats.local(D, now + 8 * SECOND).errorRate()).isPositive();
  }

  @Test
  void aDeploymentKeepsTheLatenciesOfItsLast256SuccessfulAttemptsSorted() throws Exception {
    LiveStats stats = new LiveStats();
    assertThat(stats.recentLatenciesMs(D, Long.MAX_VALUE)).isEmpty();
    stats.start(D).failed();
    LiveStats.Probe slow = stats.start(D);
    Thread.sleep(30);
    slow.finished(5);
    for (int i = 0; i < 300; i++) {
      stats.start(D).finished(5);
    }
    long[] latencies = stats.recentLatenciesMs(D, Long.MAX_VALUE);
    assertThat(latencies).hasSize(256).isSorted();
    // The slow attempt was one of the first: the ring has moved past it, and nothing was that slow since.
    assertThat(latencies[255]).isLessThan(30);
    assertThat(stats.recentLatenciesMs(D, 0)).as("none ended within no time at all").isEmpty();
  }

  @Test
  void successesBringTheErrorRateDownAndFailuresUp() {
    LiveStats stats = new LiveStats();
    stats.start(D).failed();
    double afterFailure = stats.local(D).errorRate();
    LiveStats.Probe ok = stats.start(D);
    ok.firstToken();
    ok.finished(10);
    assertThat(stats.local(D).errorRate()).isLessThan(afterFailure);
    assertThat(stats.local(D).measured()).isTrue();
    assertThat(stats.local(D).inFlight()).isZero();
  }

  @Test
  void theFleetsViewsAverageWhatWasMeasuredAndAddUpTheWorkInFlight() {
    LiveStats.Snapshot own = new LiveStats.Snapshot(100, 50, 0, 2, 120);
    LiveStats.Snapshot other = new LiveStats.Snapshot(300, Double.NaN, 1, 3, 400);
    LiveStats.Snapshot idle = new LiveStats.Snapshot(Double.NaN, Double.NaN, 0, 0, 0);
    LiveStats.Snapshot merged = LiveStats.Snapshot.merge(own, List.of(other, idle));
    assertThat(merged.ttftMs()).isEqualTo(200);
    assertThat(merged.tokensPerSecond()).isEqualTo(50);
    assertThat(merged.errorRate()).isEqualTo(0.5);
    assertThat(merged.inFlight()).isEqualTo(5);
    assertThat(merged.peakLatencyMs()).isEqualTo(400);
  }
}
