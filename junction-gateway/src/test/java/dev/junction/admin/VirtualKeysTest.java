package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Virtual keys through the admin API and the proxy: issued, used, limited to models, rotated, revoked. */
class VirtualKeysTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  static JsonNode created(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Json.MAPPER.readTree(response.body());
  }

  static JsonNode ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  static JsonNode newKey(String json) {
    return created(junction.admin("POST", "/admin/keys", json));
  }

  static HttpResponse<String> chat(String secret, String model) {
    return junction.post("/chat/completions", CHAT.formatted(model), Map.of("authorization", "Bearer " + secret));
  }

  static JsonNode error(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Json.MAPPER.readTree(response.body()).path("error");
  }

  @Test
  void aKeyWorksUntilRevokedAndItsSecretIsShownOnlyWhenIssued() {
    JsonNode key = newKey("{\"name\":\"ci\",\"rpm\":60,\"budget_usd\":12.5,\"tags\":[\"ci\"],\"metadata\":{\"owner\":\"ops\"}}");
    String id = key.path("id").asString();
    String secret = key.path("key").asString();
    assertThat(id).startsWith("key_");
    assertThat(secret).startsWith("jk-").hasSizeGreaterThanOrEqualTo(35);
    assertThat(key.path("budget_usd").decimalValue()).isEqualByComparingTo("12.5");
    assertThat(key.path("budget_period").asString()).isEqualTo("total");
    assertThat(key.path("metadata").path("owner").asString()).isEqualTo("ops");

    HttpResponse<String> served = chat(secret, "test/chat");
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    LedgerRecord record = junction.record(served.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.attribution().keyId()).isEqualTo(id);
    assertThat(record.attribution().format()).isEqualTo("openai");

    String list = junction.admin("GET", "/admin/keys", null).body();
    String shown = ok(junction.admin("GET", "/admin/keys/" + id, null)).toString();
    assertThat(list).contains(id).doesNotContain(secret).doesNotContain(secret.substring(3));
    assertThat(shown).contains("\"name\":\"ci\"", "\"status\":\"active\"").doesNotContain(secret).doesNotContain("\"key\":");

    JsonNode revoked = ok(junction.admin("DELETE", "/admin/keys/" + id, null));
    assertThat(revoked.path("status").asString()).isEqualTo("revoked");
    JsonNode refused = error(chat(secret, "test/chat"), 401);
    assertThat(refused.path("type").asString()).isEqualTo("authentication_error");
    assertThat(refused.toString()).doesNotContain(secret);
  }

  @Test
  void anExpiredKeyIsRefusedEvenWhileCached() {
    JsonNode expired = newKey("{\"name\":\"old\",\"expires_at\":\"2020-01-01T00:00:00Z\"}");
    assertThat(expired.path("status").asString()).isEqualTo("expired");
    error(chat(expired.path("key").asString(), "test/chat"), 401);

    JsonNode key = newKey("{\"name\":\"soon\"}");
    String secret = key.path("key").asString();
    assertThat(chat(secret, "test/chat").statusCode()).isEqualTo(200);
    ok(junction.admin("PATCH", "/admin/keys/" + key.path("id").asString(),
        "{\"expires_at\":\"" + Instant.now().minusSeconds(1) + "\"}"));
    error(chat(secret, "test/chat"), 401);
  }

  @Test
  void rotatingWithoutGraceRefusesTheOldSecretAtOnce() {
    JsonNode key = newKey("{\"name\":\"rotated\"}");
    String old = key.path("key").asString();
    assertThat(chat(old, "test/chat").statusCode()).isEqualTo(200);
    JsonNode rotated = ok(junction.admin("POST", "/admin/keys/" + key.path("id").asString() + "/rotate", null));
    String fresh = rotated.path("key").asString();
    assertThat(fresh).isNotEqualTo(old).startsWith("jk-");
    assertThat(rotated.path("id").asString()).isEqualTo(key.path("id").asString());
    error(chat(old, "test/chat"), 401);
    assertThat(chat(fresh, "test/chat").statusCode()).isEqualTo(200);
  }

  @Test
  void rotatingWithGraceAcceptsTheOldSecretUntilTheGraceEnds() {
    JsonNode key = newKey("{\"name\":\"graceful\"}");
    String id = key.path("id").asString();
    String old = key.path("key").asString();
    JsonNode rotated = ok(junction.admin("POST", "/admin/keys/" + id + "/rotate", "{\"grace_seconds\":2}"));
    assertThat(rotated.path("previous_key_valid_until").isString()).isTrue();
    assertThat(chat(old, "test/chat").statusCode()).isEqualTo(200);
    assertThat(chat(rotated.path("key").asString(), "test/chat").statusCode()).isEqualTo(200);
    // The old secret, cached, stops at the end of its grace all the same.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> chat(old, "test/chat").statusCode() == 401);
    assertThat(chat(rotated.path("key").asString(), "test/chat").statusCode()).isEqualTo(200);
  }

  @Test
  void malformedAndGuessedKeysAreRefused() {
    String guessed = "jk-" + "A".repeat(40);
    for (String presented : new String[] {"jk-short", guessed, "sk-" + "b".repeat(40), guessed + "x", ""}) {
      JsonNode refused = error(chat(presented, "test/chat"), 401);
      assertThat(refused.path("code").asString()).isEqualTo("invalid_api_key");
    }
    error(junction.post("/chat/completions", CHAT.formatted("test/chat"), Map.of("authorization", "Basic " + guessed)),
        401);
  }

  @Test
  void aKeyIsAcceptedInTheAnthropicHeaderToo() {
    String secret = newKey("{\"name\":\"anthropic-sdk\"}").path("key").asString();
    HttpResponse<String> served = junction.post("/chat/completions", CHAT.formatted("test/chat"), Map.of("x-api-key", secret));
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
  }

  @Test
  void aKeyLimitedToSomeModelsGetsA403NamingAnyOther() {
    String secret = newKey("{\"name\":\"chat-only\",\"models\":[\"test/ch*\",\"described\"]}").path("key").asString();
    assertThat(chat(secret, "test/chat").statusCode()).isEqualTo(200);
    assertThat(chat(secret, "described").statusCode()).isEqualTo(200);
    JsonNode refused = error(chat(secret, "test/flaky"), 403);
    assertThat(refused.path("type").asString()).isEqualTo("permission_error");
    assertThat(refused.path("param").asString()).isEqualTo("model");
    assertThat(refused.path("message").asString()).contains("test/flaky");
    // A fallback list cannot reach a model the key may not use.
    HttpResponse<String> fallback = junction.post("/chat/completions",
        "{\"model\":\"test/chat\",\"models\":[\"test/chat\",\"test/flaky\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("authorization", "Bearer " + secret));
    assertThat(error(fallback, 403).path("message").asString()).contains("test/flaky");
  }

  @Test
  void everyRecordCarriesItsKeyTeamUserTagsAndFormat() {
    created(junction.admin("POST", "/admin/teams", "{\"name\":\"research\",\"rpm\":100,\"budget_usd\":50,\"budget_period\":\"month\"}"));
    JsonNode key = newKey("{\"name\":\"lab\",\"team\":\"research\"}");
    HttpResponse<String> served = junction.post("/chat/completions",
        "{\"model\":\"test/chat\",\"user\":\"alice@example.com\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("authorization", "Bearer " + key.path("key").asString(), "x-junction-tags", " nightly, eval ,,batch-7"));
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    LedgerRecord.Attribution a = junction.record(served.headers().firstValue("x-junction-request-id").orElseThrow())
        .attribution();
    assertThat(a).isEqualTo(new LedgerRecord.Attribution(key.path("id").asString(), "research", "alice@example.com",
        "nightly,eval,batch-7", "openai"));

    HttpResponse<String> tooMany = junction.post("/chat/completions", CHAT.formatted("test/chat"),
        Map.of("authorization", "Bearer " + GatewayExtension.MASTER_KEY, "x-junction-tags", "t,".repeat(17)));
    assertThat(error(tooMany, 400).path("param").asString()).isEqualTo("x-junction-tags");
  }

  @Test
  void teamsHoldTheirLimitsAndKeysMustNameAnExistingOne() {
    JsonNode team = created(junction.admin("POST", "/admin/teams",
        "{\"name\":\"platform\",\"tpm\":5000,\"max_parallel\":4,\"metadata\":{\"cost_center\":\"42\"}}"));
    assertThat(team.path("tpm").asLong()).isEqualTo(5000);
    assertThat(error(junction.admin("POST", "/admin/teams", "{\"name\":\"platform\"}"), 409).path("param").asString())
        .isEqualTo("name");
    JsonNode patched = ok(junction.admin("PATCH", "/admin/teams/platform", "{\"budget_usd\":100,\"budget_period\":\"week\"}"));
    assertThat(patched.path("budget_usd").decimalValue()).isEqualByComparingTo("100");
    assertThat(patched.path("tpm").asLong()).isEqualTo(5000);
    assertThat(ok(junction.admin("GET", "/admin/teams/platform", null)).path("budget_period").asString()).isEqualTo("week");
    assertThat(ok(junction.admin("GET", "/admin/teams", null)).path("data").valueStream()
        .map(t -> t.path("name").asString())).contains("platform");
    assertThat(error(junction.admin("POST", "/admin/keys", "{\"team\":\"nobody\"}"), 400).path("param").asString())
        .isEqualTo("team");
    assertThat(error(junction.admin("POST", "/admin/keys", "{\"rpm\":-1}"), 400).path("param").asString())
        .isEqualTo("rpm");
    assertThat(error(junction.admin("POST", "/admin/keys", "{\"budget_period\":\"year\"}"), 400).path("param").asString())
        .isEqualTo("budget_period");
    assertThat(error(junction.admin("POST", "/admin/keys", "{\"secret\":\"x\"}"), 400).path("param").asString())
        .isEqualTo("secret");
  }

  @Test
  void anOpenGatewayStaysOpenAndStillHonoursVirtualKeys() {
    try (GatewayExtension open = GatewayExtension.builder().withoutMasterKey().build().start()) {
      String body = CHAT.formatted("test/chat");
      assertThat(open.post("/chat/completions", body, Map.of()).statusCode()).isEqualTo(200);
      assertThat(open.post("/chat/completions", body, Map.of("authorization", "Bearer EMPTY")).statusCode()).isEqualTo(200);
      JsonNode key = created(open.admin("POST", "/admin/keys", "{\"name\":\"laptop\",\"models\":[\"test/chat\"]}"));
      Map<String, String> withKey = Map.of("authorization", "Bearer " + key.path("key").asString());
      HttpResponse<String> served = open.post("/chat/completions", body, withKey);
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(open.record(served.headers().firstValue("x-junction-request-id").orElseThrow()).attribution().keyId())
          .isEqualTo(key.path("id").asString());
      assertThat(open.post("/chat/completions", CHAT.formatted("test/embed"), withKey).statusCode()).isEqualTo(403);
      error(open.request(open.gateway(), "GET", "/admin/keys", null, withKey), 403);
      ok(open.admin("DELETE", "/admin/keys/" + key.path("id").asString(), null));
      error(open.post("/chat/completions", body, withKey), 401);
    }
  }

  @Test
  void theAdminApiTakesTheMasterKeyOnly() {
    String secret = newKey("{\"name\":\"not-admin\"}").path("key").asString();
    Map<String, String> virtual = Map.of("authorization", "Bearer " + secret);
    assertThat(error(junction.request(junction.gateway(), "GET", "/admin/keys", null, virtual), 403)
        .path("type").asString()).isEqualTo("permission_error");
    error(junction.request(junction.gateway(), "POST", "/admin/keys", "{}", virtual), 403);
    error(junction.request(junction.gateway(), "GET", "/admin/keys", null, Map.of()), 401);
    error(junction.request(junction.gateway(), "GET", "/admin/no-such-thing", null, Map.of()), 401);
    error(junction.request(junction.gateway(), "GET", "/admin", null, Map.of()), 401);
    error(junction.request(junction.gateway(), "DELETE", "/admin/keys/key_x", null,
        Map.of("authorization", "Bearer jk-" + "z".repeat(40))), 401);
    error(junction.admin("GET", "/admin/no-such-thing", null), 404);
    error(junction.admin("GET", "/admin/keys/key_nope", null), 404);
    error(junction.request(junction.gateway(), "GET", "/metrics", null, virtual), 403);
    // A virtual key may list the models, as any client does.
    assertThat(junction.get("/models", virtual).statusCode()).isEqualTo(200);
  }
}
