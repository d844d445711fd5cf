package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.LogCapture;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;

/**
 * A provider that quotes what it was sent, headers included, in every field of its errors (the
 * simulator's {@code echo} fault): none of the gateway's credentials reaches a client, the ledger,
 * the log, the metrics or the access log, in any of the forms the provider echoes them.
 */
class SecretLeakTest {

  // Characters that URL encoding and JSON escaping change, so that each form is a different string.
  static final String API_KEY = "sk-api/KEY+0001=abcdefgh";
  static final String HEADER_KEY = "hdr-x/api+key=0002ABCD";
  static final String GOOGLE_KEY = "AIza/goog+key=0003wxyz";
  static final String MASTER_KEY = "jk-master/key+0004=mnop";
  static final List<String> SECRETS = List.of(API_KEY, HEADER_KEY, GOOGLE_KEY, MASTER_KEY);

  /** Each model's only deployment plays one echo fault; the suffix keeps their breakers apart. */
  static final Map<String, String> FAULTS = Map.of(
      "leak/400", "echo,status=400",
      "leak/404", "echo,status=404",
      "leak/502", "echo,status=500",
      "leak/429", "echo,status=429",
      "leak/mid-stream", "echo");

  /** From before the gateway starts: its start-up lines count too. */
  static final LogCapture log = LogCapture.start();

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("echo"))
      .masterKey(MASTER_KEY)
      .env("API_KEY", API_KEY)
      .env("HEADER_KEY", HEADER_KEY)
      .env("GOOGLE_KEY", GOOGLE_KEY)
      .server("access_log: \"${DIR}/access.log\"")
      .providers("""
          providers:
            - name: echo
              kind: openai
              base_url: "${ECHO}"
              api_key: "${API_KEY}"
              retries: 0
              headers: { x-api-key: "${HEADER_KEY}", x-goog-api-key: "${GOOGLE_KEY}" }
          """)
      .models(models())
      .extraYaml("catalog: { bundled: false }\n")
      .build();

  static final List<HttpResponse<String>> responses = new ArrayList<>();
  static String logged;
  static String accessLog;
  static String metrics;
  static String ledger;

  /** {@code leak/ok} answers; each other model's only deployment plays one echo fault. */
  private static String models() {
    StringBuilder models = new StringBuilder("""
          - id: leak/ok
            providers:
              - { provider: echo, model: sim-chat, input_price: 1.0, output_price: 2.0 }
        """);
    FAULTS.forEach((model, fault) -> models.append("""
          - id: %s
            providers:
              - { provider: echo, model: "fault:%s", input_price: 1.0, output_price: 2.0 }
        """.formatted(model, fault)));
    return models.toString();
  }

  @BeforeAll
  static void leakEverywhere() throws Exception {
    for (String model : List.of("leak/ok", "leak/400", "leak/404", "leak/502", "leak/429", "leak/mid-stream")) {
      for (boolean stream : new boolean[] {false, true}) {
        responses.add(post(model, stream));
      }
    }
    metrics = junction.scrape();
    junction.gateway().ledger().flush();
    ledger = everyColumnOfEveryRow(junction.ledgerFile());
    Path accessLogFile = junction.directory().resolve("access.log");
    accessLog = Awaitility.await().until(() -> Files.readString(accessLogFile),
        text -> text.lines().count() == responses.size());
    logged = log.text();
  }

  @AfterAll
  static void stopCapturing() {
    log.close();
  }

  private static HttpResponse<String> post(String model, boolean stream) {
    return junction.post("/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  private static String everyColumnOfEveryRow(Path db) throws Exception {
    StringBuilder all = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rows = c.createStatement().executeQuery("SELECT * FROM ledger_requests")) {
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        for (int i = 1; i <= columns; i++) {
          all.append(rows.getString(i)).append('\t');
        }
        all.append('\n');
      }
    }
    return all.toString();
  }

  /** Each secret as sent, URL-encoded, JSON-escaped, and its last characters alone (a cut-off echo). */
  static Set<String> forms() {
    Set<String> forms = new LinkedHashSet<>();
    for (String secret : SECRETS) {
      String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
      StringBuilder json = new StringBuilder();
      JsonStringEncoder.getInstance().quoteAsString(secret, json);
      forms.addAll(List.of(secret, url, url.replace("+", "%20"), json.toString(), json.toString().replace("/", "\\/"),
          secret.substring(secret.length() - 8)));
    }
    return forms;
  }

  private static void assertNoSecretIn(String where, String text) {
    for (String form : forms()) {
      assertThat(text).as("%s must not contain %s", where, form).doesNotContain(form);
    }
  }

  private static String whole(HttpResponse<String> response) {
    return response.statusCode() + "\n" + response.headers().map() + "\n" + response.body();
  }

  @Test
  void theProviderReallyEchoedTheKeysTheGatewaySent() {
    Simulator.Received sent = junction.simulator("echo").received().getLast();
    assertThat(sent.headers()).containsEntry("x-api-key", HEADER_KEY).containsEntry("x-goog-api-key", GOOGLE_KEY)
        .containsEntry("authorization", "Bearer " + API_KEY);
    assertThat(responses).extracting(HttpResponse::statusCode)
        .containsExactly(200, 200, 400, 400, 404, 404, 502, 502, 429, 429, 400, 200);
    // What the provider said still reaches the client, with the keys cut out of it.
    JsonNode error = Json.MAPPER.readTree(responses.get(2).body()).get("error");
    assertThat(error.get("message").asString()).contains("Received POST /v1/chat/completions", "[redacted]");
    assertThat(error.get("param").asString()).contains("x-api-key=[redacted]");
    assertThat(error.get("code").asString()).isEqualTo("Bearer [redacted]");
  }

  @Test
  void noClientResponseCarriesASecretInItsHeadersOrBody() {
    for (HttpResponse<String> response : responses) {
      assertNoSecretIn("response " + response.request().uri(), whole(response));
    }
    assertThat(responses.get(8).headers().firstValue("retry-after")).as("a Retry-After that is no delay").isEmpty();
    assertThat(responses.get(11).body()).contains("data: {\"error\"").doesNotContain("[DONE]");
  }

  @Test
  void noLedgerColumnOfAnyRowCarriesASecret() {
    assertThat(ledger.lines()).hasSize(responses.size());
    assertThat(ledger).contains("[redacted]");
    assertNoSecretIn("the ledger", ledger);
  }

  @Test
  void noLogLineCarriesASecret() {
    String id502 = responses.get(6).headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(logged).as("the upstream 502 is logged").contains(id502);
    assertNoSecretIn("the log", logged);
  }

  @Test
  void theMetricsCarryNoSecret() {
    assertThat(metrics).contains("junction_");
    assertNoSecretIn("/metrics", metrics);
  }

  @Test
  void theAccessLogCarriesNoSecret() {
    assertNoSecretIn("the access log", accessLog);
  }

  @Test
  void eachAccessLogLineIsJsonMatchingItsLedgerRecord() {
    Map<String, LedgerRecord> records = junction.records().stream()
        .collect(Collectors.toMap(LedgerRecord::requestId, r -> r));
    List<String> lines = accessLog.lines().toList();
    assertThat(lines).hasSize(responses.size());
    for (String line : lines) {
      JsonNode l = Json.MAPPER.readTree(line);
      LedgerRecord r = records.get(l.get("request_id").asString());
      assertThat(r).as(line).isNotNull();
      assertThat(l.get("time").asString()).isEqualTo(r.createdAt().toString());
      assertThat(l.get("key").asString()).isEqualTo("master");
      assertThat(l.get("client").asString()).isEqualTo("127.0.0.1");
      assertThat(l.get("method").asString()).isEqualTo("POST");
      assertThat(l.get("path").asString()).isEqualTo("/v1/chat/completions");
      assertThat(l.get("endpoint").asString()).isEqualTo(r.endpoint());
      assertThat(l.get("model").asString()).isEqualTo(r.model());
      assertThat(l.get("provider").asString()).isEqualTo(r.provider());
      assertThat(l.get("provider_model").asString()).isEqualTo(r.providerModel());
      assertThat(l.get("status").asInt()).isEqualTo(r.httpStatus());
      assertThat(l.get("outcome").asString()).isEqualTo(r.status().name().toLowerCase(java.util.Locale.ROOT));
      assertThat(l.get("attempts").asInt()).isEqualTo(r.attempts());
      assertThat(l.get("stream").asBoolean()).isEqualTo(r.stream());
      assertThat(l.get("input_tokens").asLong()).isEqualTo(r.inputTokens());
      assertThat(l.get("cached_tokens").asLong()).isEqualTo(r.cachedTokens());
      assertThat(l.get("output_tokens").asLong()).isEqualTo(r.outputTokens());
      assertThat(l.get("cost_usd").decimalValue()).isEqualByComparingTo(dev.junction.catalog.Pricing.usd(r.costNanos()));
      assertThat(l.get("latency_ms").asLong()).isEqualTo(r.latencyMs());
      if (r.ttftMs() < 0) {
        assertThat(l.get("ttfb_ms").isNull()).isTrue();
      } else {
        assertThat(l.get("ttfb_ms").asLong()).isEqualTo(r.ttftMs());
      }
      assertThat(l.has("messages")).isFalse();
    }
    assertThat(lines).anySatisfy(line -> assertThat(Json.MAPPER.readTree(line).get("output_tokens").asLong()).isPositive());
  }
}
