package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.config.ConfigLoader;
import dev.junction.server.Gateway;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.CuttableProxy;
import dev.junction.testing.Http;
import dev.junction.testing.Services;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL cut off while keys are in use: a key already seen keeps working past its cache entry's
 * life, from its last known answer; a key never seen gets a 503 (not a 401: it may well be valid)
 * until the database is back.
 */
class KeysDuringDatabaseOutageTest {

  static final String MASTER = "jk-outage-master-key-0001";
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aKeyAlreadySeenKeepsWorkingAndAnUnseenOneWaitsForTheDatabase() throws Exception {
    Vertx vertx = Vertx.vertx();
    String schema = "keys_outage_" + UUID.randomUUID().toString().replace("-", "");
    execute("CREATE SCHEMA " + schema);
    URI server = Services.postgres().address();
    try (CuttableProxy database = CuttableProxy.to(server.getHost(), server.getPort());
        Simulator sim = Simulator.start(vertx, SimulatorOptions.defaults());
        Gateway gateway = Gateway.start(ConfigLoader.load(Files.writeString(dir.resolve("junction.yaml"), """
            server: { port: 0, master_key: "%s" }
            database:
              url: "jdbc:postgresql://127.0.0.1:%d/%s?currentSchema=%s"
              user: "%s"
            ledger: { flush_interval_ms: 20, spill_dir: "%s" }
            catalog: { bundled: false }
            providers:
              - { name: sim, kind: openai, base_url: "%s" }
            models:
              - id: outage/chat
                providers:
                  - { provider: sim, model: sim-chat, input_price: 1, output_price: 1 }
            """.formatted(MASTER, database.port(), Services.postgres().database(), schema,
                Services.postgres().user().orElse("postgres"), dir.resolve("spill"), sim.baseUrl())), Map.of()))) {
      String seen = issue(gateway);
      String unseen = issue(gateway);
      assertThat(chat(gateway, seen).statusCode()).isEqualTo(200);

      database.cut();
      // Past the cache entry's life (5 s) the key is looked up again, fails, and is served from what was known.
      Awaitility.await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500)).until(() -> chat(gateway, seen).statusCode() == 200);
      HttpResponse<String> waiting = chat(gateway, unseen);
      assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(503);
      assertThat(waiting.headers().firstValue("retry-after")).contains("1");

      database.restore();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> chat(gateway, unseen).statusCode() == 200);
    } finally {
      vertx.close().await();
      execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private String issue(Gateway gateway) {
    HttpResponse<String> created = Http.send(http, HttpRequest.newBuilder(
            URI.create(gateway.baseUrl().replace("/v1", "/admin/keys")))
        .header("authorization", "Bearer " + MASTER).POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode key = Json.MAPPER.readTree(created.body());
    return key.path("key").asString();
  }

  private HttpResponse<String> chat(Gateway gateway, String secret) {
    return Http.send(http, HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").header("authorization", "Bearer " + secret)
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"outage/chat\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build());
  }

  private static void execute(String sql) throws Exception {
    try (Connection c = Services.postgres().connect()) {
      c.createStatement().execute(sql);
    }
  }
}
