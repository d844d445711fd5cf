package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.api.Endpoint;
import dev.junction.api.Json;
import dev.junction.api.RequestInspector;
import dev.junction.api.TokenEstimator;
import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Hedged requests against a real gateway: a slow simulator first in line, a fast one behind it. The
 * slow one takes {@value #SLOW_TTFT_MS} ms to its first token; hedged models start the next candidate
 * after 100 ms.
 */
class HedgingTest {

  static final long SLOW_TTFT_MS = 1500;
  static final double FAST_INPUT_PRICE = 0.5;
  static final double FAST_OUTPUT_PRICE = 1.0;
  static final double SLOW_INPUT_PRICE = 1.0;

  @BeforeAll
  static void countPromptsExactlyFromTheFirstRequest() {
    // The lost attempt's cost is its prompt's estimate, which this test computes again.
    TokenEstimator.preload();
  }

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("slow").withLatency(SLOW_TTFT_MS, 0),
          SimulatorOptions.defaults().withName("fast"))
      .withoutMasterKey()
      .server("default_policy: preferred")
      .providers("""
            providers:
              - { name: slow, kind: openai, base_url: "${SLOW}", retries: 0 }
              - { name: slow-twin, kind: openai, base_url: "${SLOW}", retries: 0 }
              - { name: slow-impatient, kind: openai, base_url: "${SLOW}", retries: 0, timeouts: { first_token_ms: 700 } }
              - { name: fast, kind: openai, base_url: "${FAST}", retries: 0 }
              - { name: backup, kind: openai, base_url: "${FAST}", retries: 0 }
            """)
      .models("""
          - id: test/hedged
            hedge_after_ms: 100
            providers:
              - { provider: slow, model: sim-chat, input_price: %s, output_price: 2.0 }
              - { provider: fast, model: sim-chat, input_price: %s, output_price: %s }
          - id: test/unhedged
            providers:
              - { provider: slow, model: sim-chat, input_price: %s, output_price: 2.0 }
              - { provider: fast, model: sim-chat, input_price: %s, output_price: %s }
          - id: test/quick-first
            hedge_after_ms: 1000
            providers:
              - { provider: fast, model: sim-chat, input_price: 1.0, output_price: 1.0 }
              - { provider: slow, model: sim-chat, input_price: 1.0, output_price: 1.0 }
          # Each with deployments of its own, so that one's failures do not rank the other's.
          - id: test/both-fail
            hedge_after_ms: 100
            providers:
              - { provider: slow-impatient, model: sim-chat-1, input_price: 1.0, output_price: 1.0 }
              - { provider: fast, model: "fault:status=500", input_price: 1.0, output_price: 1.0 }
          - id: test/both-fail-then-backup
            hedge_after_ms: 100
            providers:
              - { provider: slow-impatient, model: sim-chat-2, input_price: 1.0, output_price: 1.0 }
              - { provider: fast, model: "fault:status=500,", input_price: 1.0, output_price: 1.0 }
              - { provider: backup, model: sim-chat, input_price: 1.0, output_price: 1.0 }
          - id: test/all-slow
            hedge_after_ms: 100
            providers:
              - { provider: slow, model: sim-chat, input_price: 1.0, output_price: 1.0 }
              - { provider: slow-twin, model: sim-chat, input_price: 1.0, output_price: 1.0 }
        """.formatted(SLOW_INPUT_PRICE, FAST_INPUT_PRICE, FAST_OUTPUT_PRICE,
          SLOW_INPUT_PRICE, FAST_INPUT_PRICE, FAST_OUTPUT_PRICE))
      .build();
  static final HttpClient http = HttpClient.newHttpClient();

  static String body(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":24,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell the hedging test a story.\"}]}";
  }

  static HttpResponse<String> post(String body, Map<String, String> headers) {
    return junction.post("/chat/completions", body, headers);
  }

  /** What a healthy provider answers to this prompt, asked directly. */
  static String healthyText() throws IOException, InterruptedException {
    String fast = junction.simulator("fast").baseUrl();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(fast + "/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body("sim-chat", false))).build(),
        HttpResponse.BodyHandlers.ofString());
    return text(response.body());
  }

  static String text(String json) {
    return Json.MAPPER.readTree(json).path("choices").path(0).path("message").path("content").asString();
  }

  static LedgerRecord record(HttpResponse<String> response) {
    String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
    return await().atMost(Duration.ofSeconds(10)).until(() -> {
      junction.gateway().ledger().flush();
      return junction.gateway().ledger().find(id).orElse(null);
    }, r -> r != null);
  }

  static List<JsonNode> attemptLog(LedgerRecord record) {
    List<JsonNode> entries = new ArrayList<>();
    Json.MAPPER.readTree(record.attemptLog()).forEach(entries::add);
    return entries;
  }

  /** The winner's usage at its prices, plus the loser's prompt (estimated, four bytes a token) at its input price. */
  static long expectedHedgedCostNanos(LedgerRecord record, String body) {
    // The lost attempt's prompt, as the gateway's one estimator counts it.
    long estimatedPrompt = RequestInspector.inspect(Endpoint.CHAT, body.getBytes(StandardCharsets.UTF_8))
        .estimatedPromptTokens();
    // USD per million tokens times 1,000 is nano-USD per token: exact for these prices.
    return Math.round((record.inputTokens() * FAST_INPUT_PRICE + record.outputTokens() * FAST_OUTPUT_PRICE
        + estimatedPrompt * SLOW_INPUT_PRICE) * 1_000);
  }

  @Test
  void aSlowFirstCandidateIsOvertakenByTheHedgeAndCancelled() throws Exception {
    String expected = healthyText();
    var slowBefore = junction.simulator("slow").stats();
    String body = body("test/hedged", false);
    long started = System.nanoTime();
    HttpResponse<String> response = post(body, Map.of());
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(text(response.body())).isEqualTo(expected);
    assertThat(elapsedMs).as("served before the slow provider's first token").isLessThan(SLOW_TTFT_MS);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("fast");
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("2");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(junction.simulator("slow").stats().cancelled()).as("the slow upstream request was reset").isEqualTo(slowBefore.cancelled() + 1);
      assertThat(junction.simulator("slow").stats().inFlight()).isZero();
    });
    assertThat(junction.simulator("slow").stats().completed()).isEqualTo(slowBefore.completed());

    LedgerRecord record = record(response);
    assertThat(record.status()).isEqualTo(Status.OK);
    assertThat(record.provider()).isEqualTo("fast");
    assertThat(record.attempts()).isEqualTo(2);
    List<JsonNode> log = attemptLog(record);
    assertThat(log).hasSize(2);
    assertThat(log.get(0).path("provider").asString()).isEqualTo("slow");
    assertThat(log.get(0).path("error").asString()).isEqualTo("lost the hedge");
    assertThat(log.get(1).path("provider").asString()).isEqualTo("fast");
    assertThat(log.get(1).path("error").isNull()).isTrue();
    assertThat(log.get(1).path("status").asInt()).isEqualTo(200);
    assertThat(record.costNanos()).isEqualTo(expectedHedgedCostNanos(record, body));
  }

  @Test
  void aSlowStreamIsOvertakenByTheHedgeAndTheClientGetsOneStream() throws Exception {
    String expected = healthyText();
    var slowBefore = junction.simulator("slow").stats();
    String body = body("test/hedged", true);
    long started = System.nanoTime();
    HttpResponse<String> response = post(body, Map.of());
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(elapsedMs).as("served before the slow provider's first token").isLessThan(SLOW_TTFT_MS);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("fast");
    StringBuilder text = new StringBuilder();
    Set<String> ids = new HashSet<>();
    int done = 0;
    for (String line : response.body().split("\n")) {
      if (line.equals("data: [DONE]")) {
        done++;
      } else if (line.startsWith("data: ")) {
        JsonNode chunk = Json.MAPPER.readTree(line.substring(6));
        ids.add(chunk.path("id").asString());
        text.append(chunk.path("choices").path(0).path("delta").path("content").asString(""));
      }
    }
    assertThat(done).as("one end marker").isEqualTo(1);
    assertThat(ids).as("every chunk comes from one upstream answer").hasSize(1);
    assertThat(text.toString()).isEqualTo(expected);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(junction.simulator("slow").stats().cancelled()).isEqualTo(slowBefore.cancelled() + 1));

    LedgerRecord record = record(response);
    assertThat(record.status()).isEqualTo(Status.OK);
    assertThat(record.provider()).isEqualTo("fast");
    assertThat(record.attempts()).isEqualTo(2);
    assertThat(record.attemptLog()).contains("lost the hedge");
    assertThat(record.costNanos()).isEqualTo(expectedHedgedCostNanos(record, body));
  }

  @Test
  void lostHedgesDoNotCountAgainstTheLosersHealth() {
    // Five failures in a row would open the breaker, and one would mark the deployment unhealthy
    // for routing: either way the unhedged request below would go to the fast provider.
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> hedged = post(body("test/hedged", false), Map.of());
      assertThat(hedged.headers().firstValue("x-junction-provider")).hasValue("fast");
    }
    HttpResponse<String> response = post(body("test/unhedged", false), Map.of());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("slow");
  }

  @Test
  void withoutHedgingTheSlowFirstCandidateServes() {
    var fastBefore = junction.simulator("fast").stats();
    HttpResponse<String> response = post(body("test/unhedged", false), Map.of());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("slow");
    assertThat(junction.simulator("fast").stats().requests()).isEqualTo(fastBefore.requests());
    assertThat(record(response).attempts()).isEqualTo(1);
  }

  @Test
  void theHeaderTurnsHedgingOnForAModelWithoutIt() {
    HttpResponse<String> response = post(body("test/unhedged", false), Map.of("x-junction-hedge-after-ms", "100"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("fast");
    assertThat(record(response).attempts()).isEqualTo(2);
  }

  @Test
  void theHeaderWinsOverTheModelsConfiguredDelay() {
    var fastBefore = junction.simulator("fast").stats();
    HttpResponse<String> response = post(body("test/hedged", false), Map.of("x-junction-hedge-after-ms", "30000"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("slow");
    assertThat(junction.simulator("fast").stats().requests()).isEqualTo(fastBefore.requests());
  }

  @Test
  void aFirstCandidateAnsweringInTimeStartsNoHedge() {
    var slowBefore = junction.simulator("slow").stats();
    HttpResponse<String> response = post(body("test/quick-first", false), Map.of());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("fast");
    LedgerRecord record = record(response);
    assertThat(record.attempts()).isEqualTo(1);
    assertThat(junction.simulator("slow").stats().requests()).as("no hedge reached the second candidate").isEqualTo(slowBefore.requests());
  }

  @Test
  void whenBothHedgedAttemptsFailTheRequestFailsAsWithoutHedging() {
    HttpResponse<String> response = post(body("test/both-fail", false), Map.of());
    // The hedge fails at once with a 500; the first attempt carries on until its first-token bound.
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(Json.MAPPER.readTree(response.body()).path("error").path("code").asString()).isEqualTo("upstream_timeout");
    LedgerRecord record = record(response);
    assertThat(record.status()).isEqualTo(Status.ERROR);
    assertThat(record.attempts()).isEqualTo(2);
    assertThat(record.costNanos()).isZero();
    List<JsonNode> log = attemptLog(record);
    assertThat(log).extracting(e -> e.path("provider").asString()).containsExactly("slow-impatient", "fast");
    assertThat(log.get(1).path("status").asInt()).isEqualTo(500);
    assertThat(record.attemptLog()).doesNotContain("lost the hedge");
  }

  @Test
  void whenBothHedgedAttemptsFailTheNextCandidateServes() {
    HttpResponse<String> response = post(body("test/both-fail-then-backup", true), Map.of());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("data: [DONE]");
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("backup");
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("3");
    LedgerRecord record = record(response);
    assertThat(record.provider()).isEqualTo("backup");
    List<JsonNode> log = attemptLog(record);
    assertThat(log).extracting(e -> e.path("provider").asString()).containsExactly("slow-impatient", "fast", "backup");
    assertThat(log.get(2).path("error").isNull()).isTrue();
  }

  @Test
  void aClientHangingUpDuringAHedgeCancelsBothAttempts() throws IOException {
    var before = junction.simulator("slow").stats();
    try (Socket socket = CancellationTest.open(junction.gateway().baseUrl(), body("test/all-slow", false))) {
      await().atMost(Duration.ofSeconds(5)).until(() -> junction.simulator("slow").stats().inFlight() == 2);
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(junction.simulator("slow").stats().cancelled()).isEqualTo(before.cancelled() + 2);
      assertThat(junction.simulator("slow").stats().inFlight()).isZero();
    });
    assertThat(junction.simulator("slow").stats().completed()).isEqualTo(before.completed());
    LedgerRecord record = await().atMost(Duration.ofSeconds(10)).until(() -> {
      junction.gateway().ledger().flush();
      return junction.gateway().ledger().recent(100).stream().filter(r -> "test/all-slow".equals(r.model())).findFirst().orElse(null);
    }, r -> r != null);
    assertThat(record.status()).isEqualTo(Status.CANCELLED);
    assertThat(record.attempts()).isEqualTo(2);
    assertThat(attemptLog(record)).allSatisfy(e -> assertThat(e.path("error").asString()).startsWith("cancelled"));
  }

  @Test
  void aHedgeDelayThatIsNotAPositiveWholeNumberWithinTheDeadlineIsRefused() {
    for (Map<String, String> headers : List.of(
        Map.of("x-junction-hedge-after-ms", "0"),
        Map.of("x-junction-hedge-after-ms", "soon"),
        Map.of("x-junction-hedge-after-ms", "-5"),
        Map.of("x-junction-hedge-after-ms", "2000", "x-junction-timeout-ms", "1000"))) {
      HttpResponse<String> response = post(body("test/hedged", false), headers);
      assertThat(response.statusCode()).as(headers.toString()).isEqualTo(400);
      JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
      assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asString()).isEqualTo("x-junction-hedge-after-ms");
      assertThat(error.path("message").asString()).contains("x-junction-hedge-after-ms");
      assertThat(record(response).status()).isEqualTo(Status.ERROR);
    }
  }
}
