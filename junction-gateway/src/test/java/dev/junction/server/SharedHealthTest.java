package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Replicas sharing one Redis set aside together a deployment that one of them found rate-limited or
 * broken. The client's provider order keeps the bad deployment first, so live statistics cannot be
 * what moves it: only the shared verdict can.
 */
class SharedHealthTest {

  // Names unique to this run, so nothing another run left in Redis can count.
  final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
  final HttpClient http = HttpClient.newHttpClient();

  /** Two replicas sharing Redis, in front of the simulators {@code bad} and {@code good}. */
  private GatewayExtension replicas(String badModel) {
    return GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName("bad"), SimulatorOptions.defaults().withName("good"))
        .withoutMasterKey()
        .redis()
        .replicas(2)
        .providers("""
            providers:
              - { name: bad-%s, kind: openai, base_url: "${BAD}", retries: 0 }
              - { name: good-%s, kind: openai, base_url: "${GOOD}" }
            """.formatted(suffix, suffix))
        .models("""
              - id: shared/chat
                providers:
                  - { provider: bad-%s, model: "%s", input_price: 1, output_price: 1 }
                  - { provider: good-%s, model: sim-chat, input_price: 1, output_price: 1 }
            """.formatted(suffix, badModel, suffix))
        .extraYaml("catalog: { bundled: false }\n")
        .build().start();
  }

  private HttpResponse<String> chat(Gateway gateway) throws Exception {
    String body = "{\"model\":\"shared/chat\",\"provider\":{\"order\":[\"bad-" + suffix + "\"]},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits past two refreshes of the shared view. */
  private static void settle() throws InterruptedException {
    Thread.sleep(1_200);
  }

  @Test
  void aRateLimitSeenByOneReplicaKeepsEveryReplicaAwayForItsRetryAfter() throws Exception {
    try (GatewayExtension fleet = replicas("fault:status=429,retry-after=30")) {
      Gateway a = fleet.replicas().get(0);
      Gateway b = fleet.replicas().get(1);
      Simulator bad = fleet.simulator("bad");
      // b meets the 429 and sets the deployment aside, for itself and, through Redis, for a.
      assertThat(chat(b).headers().firstValue("x-junction-attempts")).hasValue("2");
      settle();
      long seen = bad.stats().requests();
      HttpResponse<String> onB = chat(b);
      assertThat(onB.headers().firstValue("x-junction-attempts")).as("b's own cooldown").hasValue("1");

      HttpResponse<String> onA = chat(a);
      assertThat(onA.statusCode()).isEqualTo(200);
      assertThat(onA.headers().firstValue("x-junction-attempts")).as("a never met the 429 itself").hasValue("1");
      assertThat(onA.headers().firstValue("x-junction-provider")).hasValue("good-" + suffix);
      assertThat(bad.stats().requests()).isEqualTo(seen);
    }
  }

  @Test
  void aBreakerThatOpensOnOneReplicaSetsTheDeploymentAsideOnTheOthers() throws Exception {
    try (GatewayExtension fleet = replicas("fault:status=500")) {
      Gateway a = fleet.replicas().get(0);
      Gateway b = fleet.replicas().get(1);
      Simulator bad = fleet.simulator("bad");
      assertThat(chat(b).headers().firstValue("x-junction-attempts")).hasValue("2");
      for (int i = 1; i < Breakers.Settings.DEFAULT.consecutiveFailures(); i++) {
        assertThat(chat(a).headers().firstValue("x-junction-attempts")).hasValue("2");
      }
      assertThat(chat(b).headers().firstValue("x-junction-attempts"))
          .as("b has seen two failures of its own: its breaker is still closed").hasValue("2");
      assertThat(chat(a).headers().firstValue("x-junction-attempts")).as("the fifth failure opens a's breaker").hasValue("2");
      settle();
      long seen = bad.stats().requests();
      HttpResponse<String> onB = chat(b);
      assertThat(onB.statusCode()).isEqualTo(200);
      assertThat(onB.headers().firstValue("x-junction-attempts")).as("b skips what a's breaker opened on").hasValue("1");
      assertThat(bad.stats().requests()).isEqualTo(seen);
    }
  }
}
