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
    // With on_failure: open (the default), a replica that cannot read its counters yet admits
    // uncounted: the exactness tests start once every replica counts in Redis.
    HttpClient http = HttpClient.newHttpClient();
    for (ServeProcess replica : replicas) {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> http.send(
          HttpRequest.newBuilder(replica.uri("/metrics"))
              .header("authorization", "Bearer jk-replicas-master-0123456789").build(),
          HttpResponse.BodyHandlers.ofString()).body().contains("junction_limits_store_up 1.0"));
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
          ResultSet rs = s.executeQuery("SELECT request_id, count(*) FROM " + schema
              + ".ledger_requests WHERE key_id IS NULL GROUP BY request_id")) {
        while (rs.next()) {
          recorded.put(rs.getString(1), rs.getInt(2));
        }
      }
      assertThat(recorded.keySet()).isEqualTo(answeredBy.keySet());
    });
    assertThat(recorded.values()).allMatch(n -> n == 1);
  }

  @Test
  void aKeyWithAnRpmOf60GetsExactly60AnswersFromThreeReplicasTogether() throws Exception {
    String key = issueKey("{\"name\":\"rpm-60\",\"rpm\":60}");
    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(http.sendAsync(chat(replicas.get(i % replicas.size()), key), HttpResponse.BodyHandlers.discarding()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();

    List<HttpResponse<Void>> responses = calls.stream().map(CompletableFuture::join).toList();
    assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(60);
    List<HttpResponse<Void>> refused = responses.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(refused).hasSize(140).allSatisfy(r -> {
      assertThat(r.headers().firstValue("retry-after")).isPresent();
      assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("60");
    });
  }

  @Test
  void aBudgetDrivenFromThreeReplicasAtOnceIsOverspentByAtMostOneRequestPerReplica() throws Exception {
    // fleet/chat costs $1 per million prompt tokens and $2 per million completion tokens.
    String key = issueKey("{\"name\":\"budget\",\"budget_usd\":0.001}");
    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(http.sendAsync(chat(replicas.get(i % replicas.size()), key), HttpResponse.BodyHandlers.discarding()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    long answered = calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
    assertThat(calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 402)).isNotEmpty();

    long[] spent = new long[2]; // nano-USD, and the largest single request's cost
    org.awaitility.Awaitility.await().untilAsserted(() -> {
      try (Connection c = Services.postgres().connect(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(cost_nanos), 0), coalesce(max(cost_nanos), 0) FROM "
              + schema + ".ledger_requests WHERE key_id = (SELECT id FROM " + schema + ".virtual_keys WHERE name = 'budget')"
              + " AND http_status = 200")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(answered);
        spent[0] = rs.getLong(2);
        spent[1] = rs.getLong(3);
      }
    });
    long budget = 1_000_000; // $0.001 in nano-USD
    assertThat(spent[0]).isLessThanOrEqualTo(budget + replicas.size() * spent[1]);
    // Reservations in flight may turn away what the budget would still have allowed: by one request per
    // replica at most.
    long allowed = budget / spent[1];
    assertThat(answered).as("the budget was used, not refused early").isGreaterThanOrEqualTo(allowed - replicas.size());
    System.out.printf("budget from three replicas: %d answered of %d allowed at %d nano-USD each; spent %d of %d%n",
        answered, allowed, spent[1], spent[0], budget);
  }

  private static String issueKey(String body) throws Exception {
    HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(replicas.getFirst().uri("/admin/keys"))
        .header("authorization", "Bearer jk-replicas-master-0123456789").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return tools.jackson.databind.json.JsonMapper.builder().build().readTree(created.body()).get("key").asString();
  }

  private static HttpRequest chat(ServeProcess replica, String key) {
    return HttpRequest.newBuilder(replica.uri("/v1/chat/completions"))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"fleet/chat\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"))
        .build();
  }

  private static void execute(Postgres postgres, String sql) throws Exception {
    try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
