package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** close() drains: no new connections, in-flight requests finish or are cancelled, every record is written. */
class ShutdownTest {

  GatewayExtension junction;

  @AfterEach
  void stop() {
    if (junction != null) {
      junction.close();
    }
  }

  /** A gateway whose ledger writes only every 5 s: records on disk right after close() are the drain's doing. */
  private Gateway gateway(long drainMs) {
    junction = GatewayExtension.builder().simulators(SimulatorOptions.defaults().withName("slow"))
        .withoutMasterKey().server("drain_timeout_ms: " + drainMs).ledgerFlushMs(5000).build().start();
    return junction.gateway();
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

  @Test
  void aStreamInFlightFinishesWithinTheDrainAndItsRecordIsFlushed() throws Exception {
    Gateway gateway = gateway(10_000);
    String baseUrl = gateway.baseUrl();
    CompletableFuture<String> answer = stream(baseUrl, body("drip=150"));
    Awaitility.await().until(() -> junction.simulator("slow").stats().inFlight() == 1);
    gateway.close();
    assertThat(answer.get()).contains("data: [DONE]");
    List<LedgerRecord> records = junction.recordsOnDisk();
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
    Awaitility.await().until(() -> junction.simulator("slow").stats().inFlight() == 1);
    gateway.close();
    assertThat(answer.get()).doesNotContain("[DONE]");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> junction.simulator("slow").stats().inFlight() == 0);
    assertThat(junction.simulator("slow").stats().cancelled()).isEqualTo(1);
    List<LedgerRecord> records = junction.recordsOnDisk();
    assertThat(records).hasSize(1);
    assertThat(records.getFirst().status()).isEqualTo(Status.CANCELLED);
    assertThat(records.getFirst().error()).contains("shut down");
  }
}
