package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} skips the drain and the final flush, so the ledger may lose the records of the last
 * flush interval, and no more: a real {@code junction serve} process under steady traffic is killed
 * with SIGKILL, and every request answered more than one flush interval (plus the time a commit
 * takes) before the kill must be in the database.
 */
class KillNineTest {

  private static final long FLUSH_MS = 200;
  /** A batch's commit on a busy machine; the bound documented is the flush interval itself. */
  private static final long COMMIT_MARGIN_MS = 800;

  @TempDir Path dir;

  private record Answered(String id, long atMillis) {}

  @Test
  void aKilledGatewayLosesAtMostTheRecordsOfItsLastFlushInterval() throws Exception {
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, SimulatorOptions.defaults());
    Path db = dir.resolve("ledger.db");
    String config = """
        server: { port: %%PORT%% }
        database: { url: "jdbc:sqlite:%s" }
        ledger: { flush_interval_ms: %d }
        catalog: { bundled: false }
        providers:
          - { name: sim, kind: openai, base_url: "%s" }
        models:
          - id: crash/chat
            providers:
              - { provider: sim, model: sim-chat, input_price: 1, output_price: 1 }
        """.formatted(db, FLUSH_MS, sim.baseUrl());
    ServeProcess gateway = ServeProcess.start(dir, config);
    List<Answered> answered = new ArrayList<>();
    long killedAt;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      URI chat = gateway.uri("/v1/chat/completions");
      // Steady traffic for 2 s, longer on a slow machine: the bound needs enough answers to mean something.
      long until = System.currentTimeMillis() + 2_000;
      long limit = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < until || answered.size() < 100 && System.currentTimeMillis() < limit) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(chat)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"crash/chat\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        answered.add(new Answered(response.headers().firstValue("x-junction-request-id").orElseThrow(),
            System.currentTimeMillis()));
      }
      killedAt = System.currentTimeMillis();
      gateway.kill();
    } finally {
      gateway.kill();
      sim.close();
      vertx.close().await();
    }

    Set<String> recorded = new HashSet<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id FROM ledger_requests")) {
      while (rs.next()) {
        recorded.add(rs.getString(1));
      }
    }
    List<String> lostEarly = answered.stream()
        .filter(a -> a.atMillis() < killedAt - FLUSH_MS - COMMIT_MARGIN_MS && !recorded.contains(a.id()))
        .map(Answered::id).toList();
    long lost = answered.stream().filter(a -> !recorded.contains(a.id())).count();
    System.out.printf("kill -9 after %d answered requests: %d records lost; the bound checked: none answered over %d ms before%n",
        answered.size(), lost, FLUSH_MS + COMMIT_MARGIN_MS);
    assertThat(answered).hasSizeGreaterThan(50);
    assertThat(lostEarly).as("records older than the flush interval are all on disk").isEmpty();
    assertThat(recorded.size()).as("nothing recorded twice or invented").isLessThanOrEqualTo(answered.size());
  }
}
