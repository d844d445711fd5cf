package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.LogCapture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Issued virtual keys, used against a provider that echoes everything it receives, rotated, revoked
 * and presented again: no secret shows in a response, the log, the access log, any column of any
 * table of the database, or the metrics; and no admin answer but the one issuing a key shows it.
 */
class VirtualKeyLeakTest {

  static final Path ACCESS_LOG = accessLogFile();
  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("echo"))
      .server("access_log: \"" + ACCESS_LOG + "\"")
      .models("""
            - id: leak/ok
              providers:
                - { provider: echo, model: sim-chat, input_price: 1.0, output_price: 2.0 }
            - id: leak/echo
              providers:
                - { provider: echo, model: "fault:echo,status=400", input_price: 1.0, output_price: 2.0 }
          """)
      .build();
  static LogCapture log;
  static final List<String> secrets = new ArrayList<>();
  static final List<String> hashes = new ArrayList<>();
  static final List<HttpResponse<String>> proxied = new ArrayList<>();
  static final List<HttpResponse<String>> adminAnswers = new ArrayList<>();

  private static Path accessLogFile() {
    try {
      return Files.createTempDirectory("junction-key-leak-").resolve("access.log");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @BeforeAll
  static void plantKeys() throws Exception {
    log = LogCapture.start();
    created(admin("POST", "/admin/teams", "{\"name\":\"leaky\"}"));
    JsonNode a = created(admin("POST", "/admin/keys", "{\"name\":\"a\",\"team\":\"leaky\"}"));
    JsonNode b = created(admin("POST", "/admin/keys", "{\"name\":\"b\",\"models\":[\"leak/ok\"]}"));
    secrets.add(a.path("key").asString());
    secrets.add(b.path("key").asString());
    for (String secret : List.copyOf(secrets)) {
      for (String model : List.of("leak/ok", "leak/echo")) {
        proxied.add(chat(model, Map.of("authorization", "Bearer " + secret)));
        proxied.add(chat(model, Map.of("x-api-key", secret)));
      }
    }
    JsonNode rotated = Json.MAPPER.readTree(admin("POST", "/admin/keys/" + a.path("id").asString() + "/rotate",
        "{\"grace_seconds\":60}").body());
    secrets.add(rotated.path("key").asString());
    proxied.add(chat("leak/echo", Map.of("authorization", "Bearer " + rotated.path("key").asString())));
    adminAnswers.add(admin("DELETE", "/admin/keys/" + b.path("id").asString(), null));
    proxied.add(chat("leak/ok", Map.of("authorization", "Bearer " + secrets.get(1))));
    for (String path : List.of("/admin/keys", "/admin/keys/" + a.path("id").asString(), "/admin/teams",
        "/admin/usage?group_by=key", "/admin/usage?group_by=user&format=csv")) {
      adminAnswers.add(admin("GET", path, null));
    }
    adminAnswers.add(admin("PATCH", "/admin/keys/" + a.path("id").asString(), "{\"tags\":[\"x\"]}"));
    junction.gateway().ledger().flush();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + junction.ledgerFile());
        ResultSet rows = c.createStatement().executeQuery("SELECT secret_hash, previous_secret_hash FROM virtual_keys")) {
      while (rows.next()) {
        hashes.add(rows.getString(1));
        if (rows.getString(2) != null) {
          hashes.add(rows.getString(2));
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    log.close();
    Files.deleteIfExists(ACCESS_LOG);
    Files.deleteIfExists(ACCESS_LOG.getParent());
  }

  private static JsonNode created(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Json.MAPPER.readTree(response.body());
  }

  private static HttpResponse<String> admin(String method, String path, String body) {
    return junction.admin(method, path, body);
  }

  private static HttpResponse<String> chat(String model, Map<String, String> headers) {
    return junction.post("/chat/completions",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", headers);
  }

  private static void assertNoSecretIn(String where, String text) {
    for (String secret : secrets) {
      assertThat(text).as("%s must not contain an issued key", where)
          .doesNotContain(secret).doesNotContain(secret.substring(3)).doesNotContain(secret.substring(secret.length() - 12));
    }
  }

  @Test
  void theKeysWereUsedAndTheProviderEchoedWhatItReceived() {
    assertThat(secrets).hasSize(3).doesNotHaveDuplicates();
    assertThat(proxied).extracting(HttpResponse::statusCode)
        .containsExactly(200, 200, 400, 400, 200, 200, 403, 403, 400, 401);
    assertThat(proxied.get(2).body()).contains("Received POST");
  }

  @Test
  void noResponseCarriesAnIssuedKey() {
    for (HttpResponse<String> response : proxied) {
      assertNoSecretIn("a proxied response", response.headers().map() + response.body());
    }
    for (HttpResponse<String> response : adminAnswers) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertNoSecretIn("an admin answer", response.body());
      for (String hash : hashes) {
        assertThat(response.body()).doesNotContain(hash);
      }
    }
  }

  @Test
  void noColumnOfAnyTableCarriesAnIssuedKey() throws Exception {
    StringBuilder all = new StringBuilder();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + junction.ledgerFile())) {
      for (String table : List.of("ledger_requests", "virtual_keys", "teams")) {
        try (ResultSet rows = c.createStatement().executeQuery("SELECT * FROM " + table)) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
              all.append(rows.getString(i)).append('\t');
            }
            all.append('\n');
          }
        }
      }
    }
    assertThat(all).contains("leaky");
    assertNoSecretIn("the database", all.toString());
  }

  @Test
  void noLogLineMetricOrAccessLogLineCarriesAnIssuedKey() {
    String accessLog = Awaitility.await().until(() -> Files.readString(ACCESS_LOG),
        text -> text.lines().count() == proxied.size() - 1); // the 401 leaves no record
    assertThat(accessLog).contains("\"key\":\"a\"");
    assertNoSecretIn("the access log", accessLog);
    String metrics = junction.scrape();
    assertThat(metrics).contains("junction_");
    assertNoSecretIn("/metrics", metrics);
    assertNoSecretIn("the log", log.text());
  }
}
