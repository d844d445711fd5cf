package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Every way a request can be refused or fail comes back in OpenAI's error format with the right
 * status, and still leaves exactly one ledger record.
 */
class ErrorResponsesTest {

  private static final String HELLO = "[{\"role\":\"user\",\"content\":\"hi\"}]";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().maxBodyBytes(64 * 1024).build();

  /** Asserts status and error fields, and that the request left one record with that status. */
  private static JsonNode assertError(HttpResponse<String> response, int status, String code, String param) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
    assertThat(error.get("code").asString()).isEqualTo(code);
    assertThat(error.get("message").asString()).isNotBlank();
    assertThat(error.has("type")).isTrue();
    if (param == null) {
      assertThat(error.get("param").isNull()).isTrue();
    } else {
      assertThat(error.get("param").asString()).isEqualTo(param);
    }
    assertThat(response.body()).doesNotContain(GatewayExtension.PROVIDER_KEY).doesNotContain(GatewayExtension.MASTER_KEY);
    String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
    LedgerRecord record = junction.record(id);
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.ERROR);
    assertThat(record.httpStatus()).isEqualTo(status);
    assertThat(junction.records().stream().filter(r -> r.requestId().equals(id))).hasSize(1);
    return error;
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":" + HELLO + "}";
  }

  @Test
  void invalidJsonIsA400() {
    assertError(junction.post("/chat/completions", "{\"model\": \"test/chat\", "), 400, "invalid_json", null);
  }

  @Test
  void aMissingFieldIsA400NamingIt() {
    assertError(junction.post("/chat/completions", "{\"model\":\"test/chat\"}"), 400, "invalid_value", "messages");
  }

  @Test
  void aWrongTypedFieldIsA400NamingIt() {
    String body = "{\"model\":\"test/chat\",\"messages\":" + HELLO + ",\"max_tokens\":\"many\"}";
    JsonNode error = assertError(junction.post("/chat/completions", body), 400, "invalid_value", "max_tokens");
    assertThat(error.get("message").asString()).contains("expected an integer");
  }

  @Test
  void anUnknownModelIsA404() {
    JsonNode error = assertError(junction.post("/chat/completions", chat("nobody/serves-this")), 404, "model_not_found", "model");
    assertThat(error.get("message").asString()).contains("nobody/serves-this");
  }

  @Test
  void aMissingKeyIsA401() {
    assertUnauthenticated(() -> junction.post("/chat/completions", chat("test/chat"), Map.of()));
  }

  @Test
  void aWrongKeyIsA401() {
    assertUnauthenticated(
        () -> junction.post("/chat/completions", chat("test/chat"), Map.of("authorization", "Bearer jk-wrong")));
  }

  @Test
  void aKeylessBodyOverTheLimitIsA401NotA413BecauseItsBodyIsNeverRead() {
    String big = "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
    assertUnauthenticated(() -> junction.post("/chat/completions", big, Map.of()));
  }

  /**
   * A request without a valid key costs a counter, not a ledger row: a keyless flood neither grows
   * the database nor competes with real requests for the ledger's room.
   */
  private static void assertUnauthenticated(java.util.function.Supplier<HttpResponse<String>> call) {
    double before = counter(junction.scrape(), "junction_unauthenticated_requests_total{endpoint=\"chat.completions\"}");
    int records = junction.records().size();
    HttpResponse<String> response = call.get();
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
    assertThat(error.get("code").asString()).isEqualTo("invalid_api_key");
    assertThat(error.get("type").asString()).isEqualTo("authentication_error");
    assertThat(response.headers().firstValue("x-junction-request-id")).isEmpty();
    assertThat(junction.records()).hasSize(records);
    double after = counter(junction.scrape(), "junction_unauthenticated_requests_total{endpoint=\"chat.completions\"}");
    assertThat(after).isEqualTo(before + 1);
  }

  private static double counter(String scrape, String series) {
    return scrape.lines().filter(line -> line.startsWith(series + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length() + 1))).orElse(0.0);
  }

  @Test
  void aGetOnAPostEndpointIsA405NamingTheAllowedMethod() {
    HttpResponse<String> response = junction.get("/chat/completions");
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("allow")).hasValue("POST");
    JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
    assertThat(error.get("code").asString()).isEqualTo("method_not_allowed");
    assertThat(error.get("message").asString()).contains("GET").contains("/v1/chat/completions");
  }

  @Test
  void aBodyOverTheLimitIsA413() {
    String big = "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
    assertError(junction.post("/chat/completions", big), 413, "request_too_large", null);
  }

  @Test
  void anUpstream429IsA429CarryingRetryAfter() {
    var response = junction.post("/chat/completions", chat("fault:status=429,retry-after=7:sim-a"));
    assertError(response, 429, "rate_limit_exceeded", null);
    assertThat(response.headers().firstValue("retry-after")).hasValue("7");
  }

  @Test
  void anUpstream500IsA502() {
    assertError(junction.post("/chat/completions", chat("fault:status=500:sim-a")), 502, "upstream_error", null);
  }

  @Test
  void anUpstream503IsA503() {
    assertError(junction.post("/chat/completions", chat("fault:status=503:sim-a")), 503, "service_unavailable", null);
  }

  @Test
  void anUpstreamThatHangsIsA504() {
    assertError(junction.post("/chat/completions", chat("fault:hang:sim-impatient")), 504, "upstream_timeout", null);
  }

  @Test
  void aMalformedUpstreamResponseIsA502() {
    assertError(junction.post("/chat/completions", chat("fault:malformed:sim-a")), 502, "upstream_error", null);
  }

  @Test
  void upstreamCredentialsRefusedAreA502ThatNeverEchoesTheKey() {
    JsonNode error = assertError(junction.post("/chat/completions", chat("fault:status=401:sim-a")), 502, "upstream_error", null);
    assertThat(error.get("message").asString()).contains("credentials");
  }

  @Test
  void anUnknownPathIsA404InTheSameFormat() {
    var response = junction.post("/nope", "{}");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Json.MAPPER.readTree(response.body()).get("error").get("code").asString()).isEqualTo("not_found");
  }
}
