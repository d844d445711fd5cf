package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that goes away stops the upstream work it started, at once, and leaves a cancelled record. */
class CancellationTest {

  // 300 ms between pieces: slow enough to hang up mid-answer, within the idle bound.
  @RegisterExtension
  static final GatewayExtension junction = ChaosGateway.builder(List.of("drip=300")).build();

  /** A raw HTTP/1.1 request on a socket of our own, so the test decides when the connection dies. */
  static Socket open(String baseUrl, String body) throws IOException {
    URI uri = URI.create(baseUrl);
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + uri.getPath() + "/chat/completions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }

  /** Reads until the text appears; returns what was read. */
  static String readUntil(InputStream in, String text) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (!seen.toString().contains(text)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("closed before \"" + text + "\" arrived; got: " + seen);
      }
      seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    return seen.toString();
  }

  private static LedgerRecord latestRecordOf(String model) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> {
      junction.gateway().ledger().flush();
      return junction.gateway().ledger().recent(100).stream().filter(r -> model.equals(r.model())).findFirst().orElse(null);
    }, r -> r != null);
  }

  @Test
  void aStreamingClientThatHangsUpCancelsTheUpstreamStreamAtOnce() throws IOException {
    String model = ChaosGateway.aloneModel(0, true);
    var before = junction.simulator(ChaosGateway.FLAKY).stats();
    try (Socket socket = open(junction.gateway().baseUrl(), ChaosGateway.body(model, true))) {
      readUntil(socket.getInputStream(), "\"content\":\"");
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(junction.simulator(ChaosGateway.FLAKY).stats().cancelled()).isEqualTo(before.cancelled() + 1);
      assertThat(junction.simulator(ChaosGateway.FLAKY).stats().inFlight()).isZero();
    });
    assertThat(junction.simulator(ChaosGateway.FLAKY).stats().completed()).as("the stream was not played to its end").isEqualTo(before.completed());
    LedgerRecord record = latestRecordOf(model);
    assertThat(record.status()).isEqualTo(Status.CANCELLED);
    assertThat(record.httpStatus()).isEqualTo(499);
    assertThat(record.outputTokens()).as("tokens delivered before the hang-up").isPositive().isLessThan(ChaosGateway.MAX_TOKENS);
    assertThat(record.attemptLog()).contains("cancelled");
  }

  @Test
  void aNonStreamingClientThatHangsUpCancelsTheUpstreamRequestAtOnce() throws IOException {
    String model = ChaosGateway.aloneModel(0, false);
    var before = junction.simulator(ChaosGateway.FLAKY).stats();
    try (Socket socket = open(junction.gateway().baseUrl(), ChaosGateway.body(model, false))) {
      await().atMost(Duration.ofSeconds(5)).until(() -> junction.simulator(ChaosGateway.FLAKY).stats().inFlight() == 1);
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(junction.simulator(ChaosGateway.FLAKY).stats().cancelled()).isEqualTo(before.cancelled() + 1);
      assertThat(junction.simulator(ChaosGateway.FLAKY).stats().inFlight()).isZero();
    });
    assertThat(junction.simulator(ChaosGateway.FLAKY).stats().completed()).isEqualTo(before.completed());
    LedgerRecord record = latestRecordOf(model);
    assertThat(record.status()).isEqualTo(Status.CANCELLED);
    assertThat(record.outputTokens()).isZero();
  }
}
