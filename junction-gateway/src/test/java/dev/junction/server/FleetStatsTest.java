package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.catalog.Deployment;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replicas sharing one Redis route on what any of them measured. */
class FleetStatsTest {

  // Names unique to this run, so nothing another run left in Redis can count.
  final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
  final HttpClient http = HttpClient.newHttpClient();

  @RegisterExtension
  final GatewayExtension fleet = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("sim"))
      .withoutMasterKey()
      .redis()
      .replicas(2)
      .providers("""
          providers:
            - { name: broken-%s, kind: openai, base_url: "${SIM}" }
            - { name: sound-%s, kind: openai, base_url: "${SIM}" }
          """.formatted(suffix, suffix))
      .models("""
            - id: fleet/chat
              providers:
                - { provider: broken-%s, model: "fault:status=500", input_price: 1, output_price: 1 }
                - { provider: sound-%s, model: sim-chat, input_price: 1, output_price: 1 }
          """.formatted(suffix, suffix))
      .extraYaml("catalog: { bundled: false }\n")
      .build();

  private HttpResponse<String> chat(Gateway gateway) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"fleet/chat:preferred\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aReplicaAvoidsAProviderThatFailedOnAnotherReplicaBeforeEverTryingIt() throws Exception {
    Simulator sim = fleet.simulator("sim");
    Gateway a = fleet.replicas().get(0);
    Gateway b = fleet.replicas().get(1);
    HttpResponse<String> first = chat(a);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-junction-attempts")).as("a learns the hard way").hasValue("2");

    Deployment broken = b.catalog().find("fleet/chat").orElseThrow().deployments().getFirst();
    assertThat(b.stats().snapshot(broken).measured()).as("b has sent nothing yet").isFalse();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> b.stats().snapshot(broken).unhealthy());

    long before = sim.stats().requests();
    HttpResponse<String> onB = chat(b);
    assertThat(onB.statusCode()).isEqualTo(200);
    assertThat(onB.headers().firstValue("x-junction-attempts")).as("b never tries the broken one").hasValue("1");
    assertThat(onB.headers().firstValue("x-junction-route").orElseThrow())
        .contains("candidates=sound-" + suffix + "/sim-chat,broken-" + suffix);
    assertThat(sim.stats().requests() - before).isEqualTo(1);
  }
}
