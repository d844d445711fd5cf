package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** close() drains: no new connections, in-flight requests finish or are cancelled, every record is written. */
class ShutdownTest {

  @TempDir Path dir;
  Vertx vertx;
  Simulator simulator;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    simulator = Simulator.start(vertx, SimulatorOptions.defaults().withName("slow"));
  }

  @AfterEach
  void stop() {
    simulator.close();
    vertx.close().await();
  }

  private Gateway gateway(long drainMs) throws IOException {
    Path file = dir.resolve("shutdown.yaml");
    Files.writeString(file, """
        server: { port: 0, drain_timeout_ms: %d }
        database: { url: "jdbc:sqlite:%s" }
        ledger: { flush_interval_ms: 5000 }
        providers:
          - { name: slow, kind: openai, base_url: "${SIM}" }
        """.formatted(drainMs, dir.resolve("ledger.db")));
    JunctionConfig config = ConfigLoader.load(file, Map.of("SIM", simulator.baseUrl()));
    return Gateway.start(config);
  }

  private static String body(String fault) {
    return "{\"model\":\"fault:" + fault + ":slow\",\"stream\":true,\"max_tokens\":8,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Finish before the lights go out.\"}]}";
  }

  /** Reads a whole streamed answer on its own socket; returns what arrived before the connection ended. */
  private static CompletableFuture<String> stream(String baseUrl, String body) {
    return CompletableFuture.supplyAsync(() -> {
      try (Socket socket = CancellationTest.open(baseUrl, body)) {
        return new String(socket.getInputStream().readAllBytes());
      } catch (IOException e) {
        return "connection error: " + e;
      }
    });
  }

  /** Opens a fresh ledger on the same file: what is on disk after the gateway is gone. */
  private List<LedgerRecord> recordsOnDisk() throws IOException {
    JunctionConfig config = ConfigLoader.load(dir.resolve("shutdown.yaml"), Map.of("SIM", simulator.baseUrl()));
    try (Ledger ledger = Ledger.open(config.database(), config.ledger())) {
      return ledger.recent(100);
    }
  }

  @Test
  void aStreamInFlightFinishesWithinTheDrainAndItsRecordIsFlushed() throws Exception {
    Gateway gateway = gateway(10_000);
    String baseUrl = gateway.baseUrl();
    CompletableFuture<String> answer = stream(baseUrl, body("drip=150"));
    Awaitility.await().until(() -> simulator.stats().inFlight() == 1);
    gateway.close();
    assertThat(answer.get()).contains("data: [DONE]");
    List<LedgerRecord> records = recordsOnDisk();
    assertThat(records).hasSize(1);
    assertThat(records.getFirst().status()).isEqualTo(Status.OK);
    URI uri = URI.create(baseUrl);
    assertThatThrownBy(() -> new Socket(uri.getHost(), uri.getPort()).close())
        .as("no new connections after close").isInstanceOf(ConnectException.class);
  }

  @Test
  void aStreamStillRunningAtTheEndOfTheDrainIsCancelledAndRecordedSo() throws Exception {
    Gateway gateway = gateway(300);
    CompletableFuture<String> answer = stream(gateway.baseUrl(), body("drip=400"));
    Awaitility.await().until(() -> simulator.stats().inFlight() == 1);
    gateway.close();
    assertThat(answer.get()).doesNotContain("[DONE]");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> simulator.stats().inFlight() == 0);
    assertThat(simulator.stats().cancelled()).isEqualTo(1);
    List<LedgerRecord> records = recordsOnDisk();
    assertThat(records).hasSize(1);
    assertThat(records.getFirst().status()).isEqualTo(Status.CANCELLED);
    assertThat(records.getFirst().error()).contains("shut down");
  }
}
