package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The attempt loop skips deployments that are failing or rate-limited, unless nothing else is left. */
class BreakerRoutingTest {

  @RegisterExtension
  final GatewayExtension junction = ChaosGateway.builder(List.of("status=500", "status=429,retry-after=30")).build();

  /**
   * Live statistics alone would move a failing deployment to the back after its first failure; the
   * client's provider order keeps it first, so what is seen here is the breaker's doing.
   */
  private LedgerRecord send(String model) {
    String body = ChaosGateway.body(model, false);
    body = body.substring(0, body.length() - 1) + ",\"provider\":{\"order\":[\"" + ChaosGateway.FLAKY + "\"]}}";
    HttpResponse<String> response = junction.post("/chat/completions", body);
    return junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
  }

  @Test
  void aDeploymentThatKeepsFailingIsSkippedUntilItsBreakerLetsAProbeThrough() {
    String model = ChaosGateway.backedModel(0, true);
    for (int i = 0; i < Breakers.Settings.DEFAULT.consecutiveFailures(); i++) {
      LedgerRecord record = send(model);
      assertThat(record.provider()).isEqualTo(ChaosGateway.HEALTHY);
      assertThat(record.attempts()).isEqualTo(2);
    }
    long seen = junction.simulator(ChaosGateway.FLAKY).stats().requests();
    LedgerRecord skipped = send(model);
    assertThat(skipped.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(skipped.attempts()).as("the open breaker sends the request straight to the healthy one").isEqualTo(1);
    assertThat(junction.simulator(ChaosGateway.FLAKY).stats().requests()).isEqualTo(seen);
  }

  @Test
  void aDeploymentWithAnOpenBreakerIsStillTriedWhenItIsTheOnlyOne() {
    for (int i = 0; i < Breakers.Settings.DEFAULT.consecutiveFailures(); i++) {
      send(ChaosGateway.backedModel(0, true));
    }
    long seen = junction.simulator(ChaosGateway.FLAKY).stats().requests();
    // The same deployment, pinned: no other candidate is left, so it is tried rather than refused untried.
    LedgerRecord alone = send("fault:status=500:" + ChaosGateway.FLAKY);
    assertThat(alone.httpStatus()).isEqualTo(502);
    assertThat(alone.attempts()).isPositive();
    assertThat(junction.simulator(ChaosGateway.FLAKY).stats().requests()).isGreaterThan(seen);
  }

  @Test
  void aRateLimitedDeploymentIsSkippedForItsRetryAfter() {
    String model = ChaosGateway.backedModel(1, true);
    LedgerRecord first = send(model);
    assertThat(first.provider()).isEqualTo(ChaosGateway.HEALTHY);
    assertThat(first.attempts()).isEqualTo(2);
    long seen = junction.simulator(ChaosGateway.FLAKY).stats().requests();
    LedgerRecord second = send(model);
    assertThat(second.provider()).isEqualTo(ChaosGateway.HEALTHY);
    assertThat(second.attempts()).isEqualTo(1);
    assertThat(junction.simulator(ChaosGateway.FLAKY).stats().requests()).isEqualTo(seen);
  }
}
