package dev.junction.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.config.ConfigException;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.SimulatorOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

class GatewayExtensionTest {

  /** The base URLs the classes below saw, one per test, in the order their tests ran. */
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  private static final String CHAT =
      "{\"model\":\"test/chat\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** Run only through the launcher below (surefire leaves nested classes alone). */
  static class PerClass {
    @RegisterExtension
    static final GatewayExtension junction = GatewayExtension.builder().build();

    @Test
    void first() {
      serve(junction);
    }

    @Test
    void second() {
      serve(junction);
    }
  }

  static class PerTest {
    @RegisterExtension
    final GatewayExtension junction = GatewayExtension.builder().build();

    @Test
    void first() {
      serve(junction);
    }

    @Test
    void second() {
      serve(junction);
    }
  }

  private static void serve(GatewayExtension junction) {
    assertThat(junction.post("/chat/completions", CHAT).statusCode()).isEqualTo(200);
    SEEN.add(junction.baseUrl());
  }

  private static TestExecutionSummary run(Class<?> tests) {
    SEEN.clear();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
        .selectors(DiscoverySelectors.selectClass(tests)).build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(request, listener);
    return listener.getSummary();
  }

  private static boolean listening(String url) {
    URI uri = URI.create(url);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aStaticExtensionServesTheWholeClassFromOneGatewayAndClosesItAfterwards() {
    TestExecutionSummary summary = run(PerClass.class);

    assertThat(summary.getTestsSucceededCount()).as(summary.getFailures().toString()).isEqualTo(2);
    assertThat(SEEN).hasSize(2).containsOnly(SEEN.getFirst());
    assertThat(listening(SEEN.getFirst())).as("closed after the class").isFalse();
  }

  @Test
  void anInstanceExtensionStartsAGatewayForEachTestAndClosesEach() {
    TestExecutionSummary summary = run(PerTest.class);

    assertThat(summary.getTestsSucceededCount()).as(summary.getFailures().toString()).isEqualTo(2);
    assertThat(SEEN).hasSize(2).doesNotHaveDuplicates();
    assertThat(SEEN).noneMatch(GatewayExtensionTest::listening);
  }

  @Test
  void aStartThatFailsHalfWayClosesTheSimulatorsItHadStarted() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    GatewayExtension broken = GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName("sim-x").withPort(port))
        .models("  - id: test/x\n    providers: [{ provider: no-such-provider, model: m }]\n")
        .build();

    assertThatThrownBy(() -> broken.beforeAll(null)).isInstanceOf(ConfigException.class);

    // The simulator had its port; only closing it frees the port for another server.
    try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
    assertThatThrownBy(broken::baseUrl).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void replicasShareOnePostgresLedger() {
    GatewayExtension fleet = GatewayExtension.builder().postgres().redis().replicas(2).build();
    fleet.beforeEach(null);
    try {
      assertThat(fleet.replicas()).hasSize(2);
      String second = fleet.replicas().get(1).baseUrl();
      HttpResponse<String> response = fleet.post("/chat/completions", CHAT, Map.of(
          "authorization", "Bearer " + GatewayExtension.MASTER_KEY));
      assertThat(response.statusCode()).isEqualTo(200);
      String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
      // Written by the first replica, read back through the second one's ledger.
      fleet.replicas().getFirst().ledger().flush();
      LedgerRecord record = Awaitility.await().until(
          () -> fleet.replicas().get(1).ledger().find(id).orElse(null), r -> r != null);
      assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
      assertThat(second).isNotEqualTo(fleet.baseUrl());
    } finally {
      fleet.afterEach(null);
    }
  }
}
