package dev.junction.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model served by a team's own vLLM and by a hosted provider: the engine first while it has room,
 * the hosted provider while its queue is past the spill threshold, and back once it drains.
 */
class SelfHostedRoutingTest {

  static final long POLL_MS = 100;

  @RegisterExtension
  static final GatewayExtension gateway = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("gpu"), SimulatorOptions.defaults().withName("hosted"))
      .providers("""
          providers:
            - { name: gpu, kind: vllm, base_url: "${GPU}", poll_ms: %d, spill: { waiting_above: 0 } }
            - { name: hosted, kind: openai, base_url: "${HOSTED}" }
          """.formatted(POLL_MS))
      .models("""
            - id: own/chat
              prefer: self_hosted
              providers:
                - { provider: gpu, model: sim-chat, input_price: 3, output_price: 3 }
                - { provider: hosted, model: sim-chat, input_price: 0.1, output_price: 0.1 }
          """)
      .build();

  final HttpClient http = HttpClient.newHttpClient();
  final List<CompletableFuture<HttpResponse<Void>>> held = new ArrayList<>();

  @BeforeEach
  void theGpuActsAsVllmWithTwoSlots() {
    gateway.simulator("gpu").actAs("vllm", 2);
  }

  @AfterEach
  void release() {
    held.forEach(f -> f.cancel(true));
    await().until(() -> gateway.simulator("gpu").stats().inFlight() == 0);
  }

  @Test
  void theEngineIsPreferredOverACheaperHostedProviderWhileItHasRoom() {
    await().untilAsserted(() -> assertThat(providerOf("own/chat:cheapest")).isEqualTo("gpu"));
    for (int i = 0; i < 5; i++) {
      assertThat(providerOf("own/chat")).isEqualTo("gpu");
    }
  }

  @Test
  void aQueuePastTheThresholdSendsNewRequestsToTheHostedProviderAndTheyComeBackWhenItDrains() {
    await().untilAsserted(() -> assertThat(providerOf("own/chat")).isEqualTo("gpu"));

    hold(gateway.simulator("gpu"), 3); // two running, one waiting: past waiting_above 0
    long filled = System.nanoTime();
    await().untilAsserted(() -> assertThat(providerOf("own/chat")).isEqualTo("hosted"));
    // Within two poll intervals, give or take the time a request takes on a busy machine.
    assertThat(Duration.ofNanos(System.nanoTime() - filled)).isLessThan(Duration.ofMillis(2 * POLL_MS + 2_000));
    for (int i = 0; i < 3; i++) {
      assertThat(providerOf("own/chat")).isEqualTo("hosted");
    }

    held.forEach(f -> f.cancel(true));
    await().untilAsserted(() -> assertThat(providerOf("own/chat")).isEqualTo("gpu"));
  }

  @Test
  void anEngineThatCannotServeIsSkippedUntilItCanAgain() {
    await().untilAsserted(() -> assertThat(providerOf("own/chat")).isEqualTo("gpu"));

    gateway.simulator("gpu").engineLoading(true);
    await().untilAsserted(() -> assertThat(providerOf("own/chat")).isEqualTo("hosted"));
    long before = gateway.simulator("gpu").stats().requests();
    for (int i = 0; i < 3; i++) {
      assertThat(providerOf("own/chat")).isEqualTo("hosted");
    }
    assertThat(gateway.simulator("gpu").stats().requests()).as("nothing was even tried there").isEqualTo(before);

    gateway.simulator("gpu").engineLoading(false);
    await().untilAsserted(() -> assertThat(providerOf("own/chat")).isEqualTo("gpu"));
  }

  private String providerOf(String model) {
    HttpResponse<String> response = gateway.post("/chat/completions",
        "{\"model\":\"" + model + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-junction-provider").orElseThrow();
  }

  private void hold(Simulator sim, int count) {
    for (int i = 0; i < count; i++) {
      held.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
          .header("content-type", "application/json").header("x-sim-fault", "hang")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
          .build(), HttpResponse.BodyHandlers.discarding()));
    }
    await().until(() -> sim.stats().inFlight() >= count);
  }
}
