package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.Postgres;
import dev.junction.testing.Services;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code junction serve} processes behind an imagined load balancer, sharing one PostgreSQL
 * database and one Redis and nothing else: what one replica promises, three keep together.
 */
class ReplicaProcessesTest {

  @TempDir static java.nio.file.Path dir;
  static Vertx vertx;
  static Simulator sim;
  static String schema;
  static final List<ServeProcess> replicas = new ArrayList<>();

  @BeforeAll
  static void startThreeReplicas() throws Exception {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults());
    Postgres postgres = Services.postgres();
    schema = "replicas_" + Long.toHexString(System.nanoTime());
    execute(postgres, "CREATE SCHEMA " + schema);
    String config = """
        server: { port: %%PORT%%, master_key: "jk-replicas-master-0123456789" }
        database: { url: "%s"%s }
        redis: { url: "%s" }
        ledger: { flush_interval_ms: 100, spill_dir: "%%DIR%%/spill-%%PORT%%" }
        catalog: { bundled: false }
        providers:
          - { name: sim, kind: openai, base_url: "%s" }
        models:
          - id: fleet/chat
            providers:
              - { provider: sim, model: sim-chat, input_price: 1, output_price: 2 }
        """.formatted(postgres.url("currentSchema", schema),
            postgres.user().map(u -> ", user: \"" + u + "\"").orElse(""), Services.redisUrl(), sim.baseUrl());
    // Started together, they also race each other to migrate the one database.
    List<CompletableFuture<ServeProcess>> starting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      starting.add(CompletableFuture.supplyAsync(() -> {
        try {
          return ServeProcess.start(dir, config);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<ServeProcess> s : starting) {
      replicas.add(s.join());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (ServeProcess replica : replicas) {
      replica.close();
    }
    if (sim != null) {
      sim.close();
      vertx.close().await();
    }
    execute(Services.postgres(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  @Test
  void everyRequestAnsweredByAnyReplicaIsExactlyOneRecordInTheSharedLedger() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Map<String, Integer> answeredBy = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ServeProcess replica = replicas.get(next.getAndIncrement() % replicas.size());
      calls.add(http.sendAsync(HttpRequest.newBuilder(replica.uri("/v1/chat/completions"))
              .header("authorization", "Bearer jk-replicas-master-0123456789")
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"fleet/chat\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
              .build(), HttpResponse.BodyHandlers.discarding())
          .thenAccept(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            answeredBy.put(r.headers().firstValue("x-junction-request-id").orElseThrow(), replica.port);
          }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    assertThat(Set.copyOf(answeredBy.values())).hasSize(3);

    Map<String, Integer> recorded = new HashMap<>();
    org.awaitility.Awaitility.await().untilAsserted(() -> {
      recorded.clear();
      try (Connection c = Services.postgres().connect(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT request_id, count(*) FROM " + schema + ".ledger_requests GROUP BY request_id")) {
        while (rs.next()) {
          recorded.put(rs.getString(1), rs.getInt(2));
        }
      }
      assertThat(recorded.keySet()).isEqualTo(answeredBy.keySet());
    });
    assertThat(recorded.values()).allMatch(n -> n == 1);
  }

  private static void execute(Postgres postgres, String sql) throws Exception {
    try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
