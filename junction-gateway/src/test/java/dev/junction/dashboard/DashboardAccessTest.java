package dev.junction.dashboard;

import static dev.junction.testing.GatewayExtension.MASTER_KEY;
import static dev.junction.testing.GatewayExtension.PROVIDER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.account.Limits;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.OnBothDatabases;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The dashboard's data is authorized as the admin API is, behind a session and CSRF tokens. */
class DashboardAccessTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  private static final String CHAT = "{\"model\":\"test/chat\",\"max_tokens\":8,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static String chat(String secret) {
    HttpResponse<String> response = junction.post("/chat/completions", CHAT, Map.of("authorization", "Bearer " + secret));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-junction-request-id").orElseThrow();
  }

  private static JsonNode json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Json.MAPPER.readTree(response.body());
  }

  @Test
  void aVirtualKeyCannotReadAnotherKeysRequests() {
    String alice = junction.key("alice-" + System.nanoTime(), null, Limits.NONE, Limits.NONE);
    String bob = junction.key("bob-" + System.nanoTime(), null, Limits.NONE, Limits.NONE);
    String alicesRequest = chat(alice);
    String bobsRequest = chat(bob);
    String alicesKeyId = junction.record(alicesRequest).attribution().keyId();

    UiClient asBob = new UiClient(junction);
    asBob.signIn(bob);
    assertThat(asBob.get("/ui/api/requests/" + alicesRequest).statusCode()).isEqualTo(404);
    assertThat(json(asBob.get("/ui/api/requests/" + bobsRequest), 200).path("id").asString()).isEqualTo(bobsRequest);
    // Asking for Alice's key by name changes nothing: a virtual key's list is its own.
    for (String path : List.of("/ui/api/requests", "/ui/api/requests?key=" + alicesKeyId)) {
      List<String> ids = new ArrayList<>();
      json(asBob.get(path), 200).path("requests").forEach(r -> ids.add(r.path("id").asString()));
      assertThat(ids).as(path).contains(bobsRequest).doesNotContain(alicesRequest);
    }
    assertThat(json(asBob.get("/ui/api/overview?split=key"), 200).path("points").valueStream()
        .map(p -> p.path("series").asString()).distinct()).doesNotContain(alicesKeyId).isNotEmpty();
    // Keys are the admin API's: a virtual key gets its refusal.
    assertThat(asBob.get("/ui/api/keys").statusCode()).isEqualTo(403);
    assertThat(asBob.get("/ui/api/teams").statusCode()).isEqualTo(403);

    UiClient asMaster = new UiClient(junction);
    asMaster.signIn(MASTER_KEY);
    assertThat(json(asMaster.get("/ui/api/requests/" + alicesRequest), 200).path("key_id").asString()).isEqualTo(alicesKeyId);
  }

  @Test
  void aChangeWithoutTheSessionsCsrfTokenIsRefused() {
    UiClient ui = new UiClient(junction);
    ui.signIn(MASTER_KEY);
    String body = "{\"name\":\"csrf-" + System.nanoTime() + "\"}";
    assertThat(ui.send("POST", "/ui/api/keys", body, null).statusCode()).isEqualTo(403);
    assertThat(ui.send("POST", "/ui/api/keys", body, "not-the-token").statusCode()).isEqualTo(403);
    UiClient other = new UiClient(junction);
    other.signIn(MASTER_KEY);
    assertThat(ui.send("POST", "/ui/api/keys", body, other.csrf()).statusCode()).as("another session's token").isEqualTo(403);
    assertThat(ui.send("DELETE", "/ui/api/session", null, null).statusCode()).isEqualTo(403);
    assertThat(ui.change("POST", "/ui/api/keys", body).statusCode()).isEqualTo(201);
  }

  @Test
  void withoutASessionPagesRedirectToSignInAndDataIsRefused() {
    UiClient stranger = new UiClient(junction);
    for (String page : List.of("/ui/overview", "/ui/requests", "/ui/keys", "/ui/playground")) {
      HttpResponse<String> response = stranger.get(page);
      assertThat(response.statusCode()).as(page).isEqualTo(303);
      assertThat(response.headers().firstValue("location")).hasValue("/ui/signin");
    }
    for (String api : List.of("/ui/api/session", "/ui/api/overview", "/ui/api/requests", "/ui/api/keys", "/ui/api/providers")) {
      assertThat(stranger.get(api).statusCode()).as(api).isEqualTo(401);
    }
    // The master key in an Authorization header is no session: the dashboard takes only its cookie.
    assertThat(junction.request(junction.gateway(), "GET", "/ui/api/requests", null,
        Map.of("authorization", "Bearer " + MASTER_KEY)).statusCode()).isEqualTo(401);
    assertThat(stranger.send("POST", "/ui/api/playground", CHAT, "x").statusCode()).isEqualTo(401);
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void keysSigningInForTheFirstTimeAreReadFromTheDatabaseAndSignedIn() {
    // Never used before, each key is read from the database, and its answer arrives on a thread of the
    // key store's to be taken back to the connection's loop. Every other round a bystander's connection
    // shifts which loop the next sign-in's connection lands on, so both loops answer some.
    for (int i = 0; i < 8; i++) {
      if (i % 2 == 1) {
        assertThat(new UiClient(junction).get("/ui/signin").statusCode()).isEqualTo(200);
      }
      String fresh = junction.key("first-sign-in-" + i + "-" + System.nanoTime(), null, Limits.NONE, Limits.NONE);
      UiClient ui = new UiClient(junction);
      assertThat(ui.signIn(fresh).headers().firstValue("location")).as("sign-in %d", i).hasValue("/ui/overview");
      assertThat(ui.get("/ui/api/session").statusCode()).as("session %d", i).isEqualTo(200);
    }
  }

  @Test
  void aWrongKeyGoesBackToTheSignInPageWithAMessageAndNoCookie() {
    UiClient ui = new UiClient(junction);
    HttpResponse<String> wrong = ui.signIn("jk-not-a-key-of-this-gateway");
    assertThat(wrong.statusCode()).isEqualTo(303);
    assertThat(wrong.headers().firstValue("location")).hasValue("/ui/signin?failed=wrong");
    assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
    assertThat(ui.get("/ui/signin?failed=wrong").body()).contains("That key is not valid here");

    HttpResponse<String> right = ui.signIn(MASTER_KEY);
    assertThat(right.headers().firstValue("location")).hasValue("/ui/overview");
    String cookie = right.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/ui").doesNotContain("Secure");
    assertThat(ui.get("/ui/overview").statusCode()).isEqualTo(200);
    assertThat(ui.get("/ui/overview").headers().firstValue("content-security-policy").orElseThrow())
        .startsWith("default-src 'self'");

    assertThat(ui.change("DELETE", "/ui/api/session", null).statusCode()).isEqualTo(200);
    assertThat(ui.get("/ui/api/session").statusCode()).as("signed out").isEqualTo(401);
  }

  @Test
  void theFirstPageWeighsUnder300KilobytesAndItsFilesAreCached() {
    UiClient ui = new UiClient(junction);
    ui.signIn(MASTER_KEY);
    HttpResponse<String> page = ui.get("/ui/overview");
    assertThat(page.headers().firstValue("cache-control")).hasValue("no-cache");
    long bytes = page.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    // What the page loads: its stylesheets and scripts, and the modules app.js imports.
    List<String> files = new ArrayList<>(java.util.regex.Pattern.compile("(?:src|href)=\"(/ui/assets/[^\"]+)\"")
        .matcher(page.body()).results().map(m -> m.group(1)).toList());
    files.addAll(List.of("/ui/assets/format.js", "/ui/assets/charts.js"));
    assertThat(files).contains("/ui/assets/uPlot.iife.min.js", "/ui/assets/app.js", "/ui/assets/app.css");
    for (String file : files) {
      HttpResponse<String> asset = ui.get(file);
      assertThat(asset.statusCode()).as(file).isEqualTo(200);
      assertThat(asset.headers().firstValue("cache-control")).as(file).hasValue("public, max-age=3600");
      assertThat(asset.headers().firstValue("etag")).as(file).isPresent();
      bytes += asset.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    assertThat(bytes).isLessThan(300_000);
  }

  @Test
  void revokingAKeyEndsTheSessionsSignedInWithIt() {
    String secret = junction.key("leaving-" + System.nanoTime(), null, Limits.NONE, Limits.NONE);
    String keyId = junction.record(chat(secret)).attribution().keyId();
    UiClient ui = new UiClient(junction);
    ui.signIn(secret);
    assertThat(json(ui.get("/ui/api/session"), 200).path("key_id").asString()).isEqualTo(keyId);
    assertThat(junction.admin("DELETE", "/admin/keys/" + keyId, null).statusCode()).isEqualTo(200);
    assertThat(ui.get("/ui/api/requests").statusCode()).isEqualTo(401);
    assertThat(ui.get("/ui/overview").statusCode()).as("the session is gone, not just refused once").isEqualTo(303);
  }

  @Test
  void noSecretEverAppearsInTheDashboardsData() {
    String secret = junction.key("secretive-" + System.nanoTime(), null, Limits.NONE, Limits.NONE);
    String request = chat(secret);
    chat(MASTER_KEY);
    for (String key : List.of(MASTER_KEY, secret)) {
      UiClient ui = new UiClient(junction);
      ui.signIn(key);
      List<String> paths = new ArrayList<>(List.of("/ui/api/session", "/ui/api/providers", "/ui/api/models",
          "/ui/api/requests", "/ui/api/requests/" + request, "/ui/api/keys", "/ui/api/teams", "/ui/overview", "/ui/keys"));
      for (String range : List.of("hour", "day", "month")) {
        for (String split : List.of("provider", "model", "key", "none")) {
          paths.add("/ui/api/overview?range=" + range + "&split=" + split);
        }
      }
      for (String path : paths) {
        HttpResponse<String> response = ui.get(path);
        assertThat(response.statusCode()).as(path).isIn(200, 403);
        assertThat(response.body()).as(path).doesNotContain(MASTER_KEY).doesNotContain(PROVIDER_KEY)
            .doesNotContain(secret);
        assertThat(response.headers().map().toString()).as(path).doesNotContain(MASTER_KEY).doesNotContain(secret);
      }
    }
  }

  @OnBothDatabases
  void theOverviewsBucketsAddUpToTheTrafficSentOnEitherDatabase(String kind) {
    GatewayExtension.Builder builder = GatewayExtension.builder();
    try (GatewayExtension g = (kind.equals("postgresql") ? builder.postgres() : builder).build().start()) {
      for (int i = 0; i < 3; i++) {
        assertThat(g.post("/chat/completions", CHAT).statusCode()).isEqualTo(200);
      }
      assertThat(g.post("/chat/completions", CHAT.replace("test/chat", "test/flaky")).statusCode()).isEqualTo(200);
      List<LedgerRecord> records = g.records();
      UiClient ui = new UiClient(g);
      ui.signIn(MASTER_KEY);
      // Each deployment's recent latencies are those of the attempts that served its records (an
      // attempt takes no longer than its request), and nothing else: failed attempts are not samples.
      Map<String, List<Long>> served = new java.util.HashMap<>();
      records.forEach(r -> served.computeIfAbsent(r.provider() + "/" + r.providerModel(), k -> new ArrayList<>())
          .add(r.latencyMs()));
      long withLatencies = 0;
      for (JsonNode d : json(ui.get("/ui/api/providers"), 200).path("deployments")) {
        List<Long> latencies = served.getOrDefault(d.path("provider").asString() + "/" + d.path("provider_model").asString(),
            List.of());
        assertThat(d.path("recent_requests").asLong()).as(d.toString()).isEqualTo(latencies.size());
        if (!latencies.isEmpty()) {
          withLatencies++;
          assertThat(d.path("p50_ms").asLong()).isBetween(0L, java.util.Collections.max(latencies));
          assertThat(d.path("p95_ms").asLong()).isBetween(d.path("p50_ms").asLong(), java.util.Collections.max(latencies));
        }
      }
      assertThat(withLatencies).isPositive();
      for (String range : List.of("hour", "day", "month")) {
        JsonNode overview = json(ui.get("/ui/api/overview?range=" + range + "&split=model"), 200);
        assertThat(overview.path("totals").path("requests").asLong()).as(range).isEqualTo(4);
        assertThat(overview.path("totals").path("failovers").asLong()).as(range).isEqualTo(1);
        long bucket = overview.path("bucket_ms").asLong();
        overview.path("points").forEach(p -> assertThat(p.path("t").asLong() % bucket).isZero());
        assertThat(overview.path("points").valueStream().filter(p -> p.path("series").asString().equals("test/chat"))
            .mapToLong(p -> p.path("requests").asLong()).sum()).isEqualTo(3);
      }
      JsonNode failedOver = json(ui.get("/ui/api/requests?model=test/flaky"), 200).path("requests").get(0);
      JsonNode detail = json(ui.get("/ui/api/requests/" + failedOver.path("id").asString()), 200);
      assertThat(detail.path("attempt_log").size()).isEqualTo(2);
      assertThat(detail.path("attempt_log").get(0).path("provider").asString()).isEqualTo("sim-a");
      assertThat(detail.path("attempt_log").get(1).path("provider").asString()).isEqualTo("sim-b");
    }
  }
}
