package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Rate limits and budgets through the whole request path: callers are virtual keys issued through
 * the admin API, sent over real HTTP to a gateway in front of simulators.
 */
class LimitsAdmissionTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .extraYaml("""
            - id: test/broken
              providers:
                - { provider: sim-a, model: "fault:status=500", input_price: 1.0, output_price: 1.0 }
            - id: test/hanging
              providers:
                - { provider: sim-a, model: "fault:hang", input_price: 1.0, output_price: 1.0 }
          """)
      .build();

  static final String CHAT = "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
      + "\"max_tokens\":16}";

  /** A new key with these limits, issued through the admin API; its secret is returned. */
  static String key(String name, String team, Limits keyLimits, Limits teamLimits) {
    return junction.key(name, team, keyLimits, teamLimits);
  }

  static HttpResponse<String> chat(String secret, String body) {
    return junction.post("/chat/completions", body, Map.of("Authorization", "Bearer " + secret));
  }

  static JsonNode error(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body()).get("error");
  }

  @Test
  void aKeyOverItsRpmIsRefusedWith429RetryAfterAndOpenAisHeadersAndTheRefusalIsRecorded() {
    String secret = key("app", null, new Limits(2, 0, 0, 0, BudgetPeriod.TOTAL), Limits.NONE);

    HttpResponse<String> first = chat(secret, CHAT);
    HttpResponse<String> second = chat(secret, CHAT);
    HttpResponse<String> third = chat(secret, CHAT);

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
    assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(v -> assertThat(v).endsWith("s"));
    assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
    assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(error(third).get("type").asString()).isEqualTo("rate_limit_error");
    assertThat(error(third).get("message").asString()).contains("key 'app'", "2 requests per minute");

    LedgerRecord refused = junction.record(third.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(refused.httpStatus()).isEqualTo(429);
    assertThat(refused.status()).isEqualTo(LedgerRecord.Status.ERROR);
    assertThat(refused.costNanos()).isZero();
    assertThat(junction.scrape()).containsPattern("junction_limits_refused_total\\{reason=\"rpm\",scope=\"key\"} [1-9]");
  }

  @Test
  void tokensAreReservedFromTheEstimateAndSettledWithWhatTheAnswerUsed() {
    String secret = key("tokens", null, new Limits(0, 2_000, 0, 0, BudgetPeriod.TOTAL), Limits.NONE);
    // No max_tokens: each reserves its prompt and the default 1,024 output tokens, more than half the minute.
    String open = "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    HttpResponse<String> first = chat(secret, open);
    HttpResponse<String> second = chat(secret, open);

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("2000");
    assertThat(Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow())).isLessThan(1_000);
    // Admitted only because the first settled with the few tokens it really used.
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    long leftAfterFirst = Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
    long leftAfterSecond = Long.parseLong(second.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
    assertThat(leftAfterSecond).isPositive().isLessThan(leftAfterFirst);
  }

  @Test
  void aKeyOverItsBudgetIsRefusedWith402NamingTheBudgetAndWhenItResets() {
    String secret = key("thrifty", null, new Limits(0, 0, 0, 1, BudgetPeriod.DAY), Limits.NONE);

    HttpResponse<String> response = chat(secret, CHAT);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(402);
    assertThat(error(response).get("code").asString()).isEqualTo("budget_exceeded");
    assertThat(error(response).get("message").asString())
        .contains("budget of key 'thrifty'", "0.000000001 USD per day", "resets at");
    assertThat(response.headers().firstValue("retry-after")).isPresent();
    assertThat(junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow()).httpStatus())
        .isEqualTo(402);
  }

  @Test
  void aTeamsLimitCountsEveryKeyOfTheTeam() {
    Limits team = new Limits(1, 0, 0, 0, BudgetPeriod.TOTAL);
    String team1 = "team-" + UUID.randomUUID();
    String one = key("one", team1, Limits.NONE, team);
    String two = key("two", team1, Limits.NONE, team);

    assertThat(chat(one, CHAT).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = chat(two, CHAT);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(error(refused).get("message").asString()).contains("team '" + team1 + "'");
  }

  @Test
  void aSlotInFlightIsFreedWhenItsRequestFails() {
    String secret = key("serial", null, new Limits(0, 0, 1, 0, BudgetPeriod.TOTAL), Limits.NONE);

    HttpResponse<String> failed = chat(secret, CHAT.replace("test/chat", "test/broken"));
    HttpResponse<String> next = chat(secret, CHAT);

    assertThat(failed.statusCode()).isGreaterThanOrEqualTo(500);
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
  }

  @Test
  void aSlotInFlightIsHeldWhileItsRequestRunsAndFreedWhenItsClientLeaves() throws IOException {
    String secret = key("hangs-up", null, new Limits(0, 0, 1, 0, BudgetPeriod.TOTAL), Limits.NONE);
    String hanging = CHAT.replace("test/chat", "test/hanging");

    try (Socket socket = open(secret, hanging)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> chat(secret, CHAT).statusCode() == 429);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> chat(secret, CHAT).statusCode() == 200);
  }

  @Test
  void theMasterKeyIsNeverLimitedAndGetsNoRateLimitHeaders() {
    HttpResponse<String> response = junction.post("/chat/completions", CHAT);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("x-ratelimit"));
  }

  @Test
  void anUnknownKeyIsRefusedWith401AndLeavesNoRecord() {
    int before = junction.records().size();

    HttpResponse<String> response = chat("jk-test-unknown", CHAT);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(junction.records()).hasSize(before);
  }

  /** A request on a socket of the test's own, so that it decides when the client goes away. */
  private static Socket open(String secret, String body) throws IOException {
    URI uri = URI.create(junction.baseUrl());
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + uri.getPath() + "/chat/completions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
        + "Authorization: Bearer " + secret + "\r\nContent-Type: application/json\r\nContent-Length: "
        + bytes.length + "\r\n\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }
}
