package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The request's deadline, its attempt budget, and which failures are tried again. */
class DeadlinesAndRetriesTest {

  @RegisterExtension
  static final GatewayExtension junction =
      ChaosGateway.builder(List.of("hang", "drip=300", "status=429,retry-after=5", "status=422")).build();
  @RegisterExtension
  static final GatewayExtension budgeted =
      ChaosGateway.builder(List.of("status=503"), ", max_attempts: 3", ", retries: 5").build();

  private static LedgerRecord recordOf(GatewayExtension gateway, HttpResponse<String> response) {
    return gateway.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
  }

  @Test
  void aTimeoutHeaderShortensTheDeadlineBelowTheProvidersOwnTimeouts() {
    var response = junction.post("/chat/completions", ChaosGateway.body(ChaosGateway.aloneModel(0, false), false),
        Map.of("x-junction-timeout-ms", "200"));
    assertThat(response.statusCode()).isEqualTo(504);
    JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
    assertThat(error.path("message").asString()).contains("deadline");
    assertThat(error.path("code").asString()).isEqualTo("upstream_timeout");
    assertThat(recordOf(junction, response).status()).isEqualTo(Status.ERROR);
  }

  @Test
  void aTimeoutHeaderAboveTheConfiguredCapIsCappedNotRefused() {
    var response = junction.post("/chat/completions", ChaosGateway.body("chaos/plain", false),
        Map.of("x-junction-timeout-ms", "999999999999"));
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void aBadTimeoutHeaderIsRefusedWith400NamingIt() {
    for (String bad : List.of("soon", "0", "-5", "1.5")) {
      var response = junction.post("/chat/completions", ChaosGateway.body("chaos/plain", false), Map.of("x-junction-timeout-ms", bad));
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
      assertThat(error.path("param").asString()).isEqualTo("x-junction-timeout-ms");
      assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
      LedgerRecord record = recordOf(junction, response);
      assertThat(record.status()).isEqualTo(Status.ERROR);
      assertThat(record.attempts()).isZero();
      assertThat(record.attemptLog()).isNull();
    }
  }

  @Test
  void theDeadlinePassingAfterTheFirstContentEndsTheStreamWithAnErrorEventAndAPartialRecord() {
    var response = junction.post("/chat/completions", ChaosGateway.body(ChaosGateway.backedModel(1, true), true),
        Map.of("x-junction-timeout-ms", "750"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain("[DONE]");
    JsonNode last = ChaosSuiteTest.events(response.body()).getLast();
    assertThat(last.path("error").path("message").asString()).contains("deadline");
    LedgerRecord record = recordOf(junction, response);
    assertThat(record.status()).isEqualTo(Status.PARTIAL);
    assertThat(record.provider()).as("the backup is not tried once content went out").isEqualTo(ChaosGateway.FLAKY);
    assertThat(record.outputTokens()).isPositive().isLessThan(ChaosGateway.MAX_TOKENS);
  }

  @Test
  void aRetryAfterLongerThanTheDeadlineIsNotWaitedFor() {
    var response = junction.post("/chat/completions", ChaosGateway.body(ChaosGateway.aloneModel(2, false), false),
        Map.of("x-junction-timeout-ms", "2000"));
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("5");
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("1");
  }

  @Test
  void anUpstreamClientErrorIsNeitherRetriedNorFailedOver() {
    var response = junction.post("/chat/completions", ChaosGateway.body(ChaosGateway.backedModel(3, false), false));
    assertThat(response.statusCode()).isEqualTo(422);
    LedgerRecord record = recordOf(junction, response);
    assertThat(record.attempts()).isEqualTo(1);
    assertThat(Json.MAPPER.readTree(record.attemptLog()).get(0).path("status").asInt()).isEqualTo(422);
    assertThat(junction.simulator(ChaosGateway.HEALTHY).stats().requests()).as("the backup never saw a request").isZero();
  }

  @Test
  void theAttemptBudgetBoundsRetriesAndFailoverTogether() {
    var response = budgeted.post("/chat/completions", ChaosGateway.body(ChaosGateway.aloneModel(0, false), false));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("3");
    LedgerRecord record = recordOf(budgeted, response);
    JsonNode log = Json.MAPPER.readTree(record.attemptLog());
    assertThat(log.size()).isEqualTo(3);
    for (JsonNode entry : log) {
      assertThat(entry.path("status").asInt()).isEqualTo(503);
      assertThat(entry.path("model").asString()).isEqualTo("fault:status=503,,,");
    }
  }
}
