package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.catalog.Deployment;
import dev.junction.config.ConfigLoader;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.Services;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas sharing one Redis route on what any of them measured. */
class FleetStatsTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  private Gateway replica(String name, Simulator sim, String suffix) throws Exception {
    String yaml = """
        server: { port: 0 }
        database: { url: "jdbc:sqlite:%s" }
        redis: { url: "%s" }
        catalog: { bundled: false }
        providers:
          - { name: broken-%s, kind: openai, base_url: "%s" }
          - { name: sound-%s, kind: openai, base_url: "%s" }
        models:
          - id: fleet/chat
            providers:
              - { provider: broken-%s, model: "fault:status=500", input_price: 1, output_price: 1 }
              - { provider: sound-%s, model: sim-chat, input_price: 1, output_price: 1 }
        """.formatted(dir.resolve(name + ".db"), Services.redisUrl(), suffix, sim.baseUrl(), suffix, sim.baseUrl(), suffix, suffix);
    return Gateway.start(ConfigLoader.load(Files.writeString(dir.resolve(name + ".yaml"), yaml), Map.of()));
  }

  private HttpResponse<String> chat(Gateway gateway) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"fleet/chat:preferred\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aReplicaAvoidsAProviderThatFailedOnAnotherReplicaBeforeEverTryingIt() throws Exception {
    // Names unique to this run, so nothing another run left in Redis can count.
    String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
    Vertx vertx = Vertx.vertx();
    Simulator sim = Simulator.start(vertx, SimulatorOptions.defaults());
    try (Gateway a = replica("a", sim, suffix); Gateway b = replica("b", sim, suffix)) {
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
    } finally {
      sim.close();
      vertx.close().await();
    }
  }
}
