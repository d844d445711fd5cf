package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Endpoint;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.observe.GatewayMetrics;
import dev.junction.observe.RequestClock;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import dev.junction.testing.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Every 5xx is logged once, with the request id the client got; the gateway's own with a stack trace. */
class FailureLogTest {

  static final String MASTER_KEY = GatewayExtension.MASTER_KEY;

  static final BreakableMetrics metrics = new BreakableMetrics();
  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("sim"))
      .metrics(metrics)
      .providers("""
          providers:
            - { name: sim, kind: openai, base_url: "${SIM}", retries: 0 }
          """)
      .models("""
            - id: ok
              providers: [{ provider: sim, model: sim-chat, input_price: 1.0, output_price: 2.0 }]
            - id: broken
              providers: [{ provider: sim, model: "fault:status=500", input_price: 1.0, output_price: 2.0 }]
          """)
      .extraYaml("catalog: { bundled: false }\n")
      .build();
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** Real metrics, until a test breaks them: the message of what they throw quotes the master key. */
  static final class BreakableMetrics implements GatewayMetrics {
    final GatewayMetrics real = GatewayMetrics.prometheus(Map.of());
    volatile boolean scrapeFails;
    volatile boolean recordFails;

    @Override
    public void record(Endpoint endpoint, String provider, String model, int status, RequestClock clock) {
      if (recordFails) throw new IllegalStateException("the meter registry broke (key " + MASTER_KEY + ")");
      real.record(endpoint, provider, model, status, clock);
    }

    @Override
    public void unauthenticated(Endpoint endpoint) {
      real.unauthenticated(endpoint);
    }

    @Override
    public String scrape() {
      if (scrapeFails) throw new IllegalStateException("the scrape broke (key " + MASTER_KEY + ")");
      return real.scrape();
    }
  }

  @BeforeEach
  void healMetrics() {
    metrics.scrapeFails = false;
    metrics.recordFails = false;
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    return Http.send(http, request.header("authorization", "Bearer " + MASTER_KEY)
        .timeout(Duration.ofSeconds(20)).build());
  }

  private static HttpResponse<String> chat(String model) {
    return send(HttpRequest.newBuilder(URI.create(junction.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
  }

  private static long linesWith(String text, String id) {
    return text.lines().filter(line -> line.contains(id)).count();
  }

  @Test
  void aFailedScrapeIsA500LoggedOnceWithItsRequestIdAndStackTrace() {
    metrics.scrapeFails = true;
    HttpResponse<String> response;
    String logged;
    try (LogCapture log = LogCapture.start()) {
      response = send(HttpRequest.newBuilder(URI.create(junction.baseUrl().replace("/v1", "/metrics"))));
      logged = log.text();
    }
    assertThat(response.statusCode()).isEqualTo(500);
    JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
    assertThat(error.get("code").asString()).isEqualTo("internal_error");
    String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(linesWith(logged, id)).as(logged).isEqualTo(1);
    String line = logged.lines().filter(l -> l.contains(id)).findFirst().orElseThrow();
    assertThat(line).contains("ERROR", "GET /metrics");
    assertThat(logged).contains("java.lang.IllegalStateException: the scrape broke", "\tat dev.junction.")
        .doesNotContain(MASTER_KEY);
  }

  @Test
  void aBrokenMeterDoesNotKeepTheClientFromItsAnswerAndIsLoggedOnce() {
    metrics.recordFails = true;
    HttpResponse<String> response;
    String logged;
    try (LogCapture log = LogCapture.start()) {
      response = chat("ok");
      logged = log.text();
    }
    assertThat(response.statusCode()).isEqualTo(200);
    String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(junction.record(id).status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(linesWith(logged, id)).as(logged).isEqualTo(1);
    assertThat(logged).contains("ERROR", "recording metrics", "the meter registry broke").doesNotContain(MASTER_KEY);
  }

  @Test
  void aProviderCaused502IsLoggedOnceAtInfo() {
    HttpResponse<String> response;
    String logged;
    try (LogCapture log = LogCapture.start()) {
      response = chat("broken");
      logged = log.text();
    }
    assertThat(response.statusCode()).isEqualTo(502);
    String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(linesWith(logged, id)).as(logged).isEqualTo(1);
    assertThat(logged.lines().filter(l -> l.contains(id)).findFirst().orElseThrow())
        .contains("INFO", "502", "Provider sim answered 500");
  }

  @Test
  void aClientErrorIsNotLogged() {
    HttpResponse<String> response;
    String logged;
    try (LogCapture log = LogCapture.start()) {
      response = chat("no/such-model");
      logged = log.text();
    }
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(logged).doesNotContain(response.headers().firstValue("x-junction-request-id").orElseThrow());
  }

  @Test
  void pastItsBudgetLinesAreCountedAndTheCountIsToldByTheNextLine() {
    FailureLog.Budget budget = new FailureLog.Budget(20, 3);
    assertThat(budget.take()).isZero();
    assertThat(budget.take()).isZero();
    assertThat(budget.take()).isZero();
    assertThat(budget.take()).isEqualTo(-1);
    assertThat(budget.take()).isEqualTo(-1);
    // At 20 a second a line is allowed again within 50 ms; whatever else was turned away is told.
    long told = Awaitility.await().atMost(Duration.ofSeconds(10)).until(budget::take, n -> n >= 0);
    assertThat(told).isGreaterThanOrEqualTo(2);
  }
}
