package dev.junction.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.CuttableProxy;
import dev.junction.testing.GatewayExtension;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One vLLM provider of three replicas ({@code base_urls}) beside a hosted provider: each request goes
 * to one replica, by prompt prefix or by load, a replica that stops answering is stepped around
 * within the pool, and the hosted provider takes over only once every replica is full.
 */
class EnginePoolTest {

  static final long POLL_MS = 100;

  /** The third replica runs behind a link the tests can cut: a server that stops answering. */
  static final Vertx VERTX = Vertx.vertx();
  static final Simulator THIRD = Simulator.start(VERTX, SimulatorOptions.defaults().withName("r2"));
  static final CuttableProxy LINK = CuttableProxy.to("127.0.0.1", THIRD.port());

  /** The pool first while it has room, the hosted provider after it. */
  static final String MODELS = """
        - id: own/chat
          prefer: self_hosted
          providers:
            - { provider: pool, model: sim-chat, input_price: 3, output_price: 3 }
            - { provider: hosted, model: sim-chat, input_price: 0.1, output_price: 0.1 }
      """;

  @RegisterExtension
  static final GatewayExtension gateway = GatewayExtension.builder()
      .simulators(SimulatorOptions.defaults().withName("r0"), SimulatorOptions.defaults().withName("r1"),
          SimulatorOptions.defaults().withName("hosted"))
      .env("R2", "http://127.0.0.1:" + LINK.port() + "/v1")
      .providers("""
          providers:
            - name: pool
              kind: vllm
              base_urls: ["${R0}", "${R1}", "${R2}"]
              poll_ms: %d
              spill: { waiting_above: 0 }
            - { name: hosted, kind: openai, base_url: "${HOSTED}" }
          """.formatted(POLL_MS))
      .models(MODELS)
      .build();

  final HttpClient http = HttpClient.newHttpClient();
  final List<CompletableFuture<HttpResponse<Void>>> held = new ArrayList<>();

  @BeforeEach
  void everyReplicaActsAsVllmWithOneSlot() {
    replicas().forEach(sim -> sim.actAs("vllm", 1));
    await().untilAsserted(() -> assertThat(gateway.scrape()).contains(
        "junction_engine_up{provider=\"pool\",replica=\"0\"} 1.0",
        "junction_engine_up{provider=\"pool\",replica=\"1\"} 1.0",
        "junction_engine_up{provider=\"pool\",replica=\"2\"} 1.0"));
  }

  @AfterEach
  void release() {
    LINK.restore();
    held.forEach(f -> f.cancel(true));
    await().until(() -> replicas().stream().allMatch(sim -> sim.stats().inFlight() == 0));
  }

  @AfterAll
  static void closeTheThirdReplica() {
    LINK.close();
    THIRD.close();
    VERTX.close();
  }

  @Test
  void aReplicaWithALongQueueGetsNoNewRequestsWhileTheOthersShareThem() {
    hold(gateway.simulator("r1"), 4); // one running, three waiting
    await().untilAsserted(() -> assertThat(gateway.scrape())
        .contains("junction_engine_requests_waiting{provider=\"pool\",replica=\"1\"} 3.0"));
    long before = gateway.simulator("r1").stats().requests();

    Set<String> used = new HashSet<>();
    for (int i = 0; i < 16; i++) {
      Served served = chat("hi " + i); // a short prompt: no prefix worth keeping, so the least loaded
      assertThat(served.provider()).isEqualTo("pool");
      used.add(served.replica());
    }

    assertThat(used).doesNotContain("1").containsExactlyInAnyOrder("0", "2");
    assertThat(gateway.simulator("r1").stats().requests()).as("nothing new reached the long queue").isEqualTo(before);
  }

  @Test
  void requestsSharingASystemPromptLandOnOneReplicaAndDifferentOnesSpread() {
    String shared = systemPrompt(0);
    Set<String> sameReplica = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      sameReplica.add(chat(shared, "question " + i).replica());
    }
    assertThat(sameReplica).hasSize(1);

    Set<String> spread = new HashSet<>();
    for (int i = 1; i <= 12; i++) {
      Served served = chat(systemPrompt(i), "question");
      assertThat(chat(systemPrompt(i), "another question").replica()).as("prompt %d again", i)
          .isEqualTo(served.replica());
      spread.add(served.replica());
    }
    assertThat(spread).hasSizeGreaterThan(1);
  }

  @Test
  void aReplicaThatStopsAnsweringIsSteppedAroundWithinThePoolWithNoClientError() {
    List<String> toTheThird = new ArrayList<>();
    for (int i = 1; toTheThird.size() < 3 && i < 200; i++) {
      if (chat(systemPrompt(i), "question").replica().equals("2")) {
        toTheThird.add(systemPrompt(i));
      }
    }
    assertThat(toTheThird).hasSize(3);

    LINK.cut();
    for (String prompt : toTheThird) {
      Served served = chat(prompt, "question");
      assertThat(served.provider()).as("still the pool, not the hosted provider").isEqualTo("pool");
      assertThat(served.replica()).isIn("0", "1");
    }
    await().untilAsserted(() -> assertThat(gateway.scrape())
        .contains("junction_engine_up{provider=\"pool\",replica=\"2\"} 0.0"));
    for (int i = 0; i < 6; i++) {
      assertThat(chat("hi " + i).replica()).isIn("0", "1");
    }

    LINK.restore();
    await().untilAsserted(() -> assertThat(chat(toTheThird.getFirst(), "question").replica()).isEqualTo("2"));
  }

  @Test
  void aRequestThatFailsOnAReplicaIsTriedOnAnotherOfThePoolBeforeTheHostedProvider() {
    // The third replica reports itself idle at every poll but answers every request with a 500:
    // only the failed request itself can tell.
    try (GatewayExtension broken = GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName("r0"), SimulatorOptions.defaults().withName("r1"),
            SimulatorOptions.defaults().withName("r2").withDefaultFault("status=500", 1.0),
            SimulatorOptions.defaults().withName("hosted"))
        .providers("""
            providers:
              - { name: pool, kind: vllm, base_urls: ["${R0}", "${R1}", "${R2}"], poll_ms: %d }
              - { name: hosted, kind: openai, base_url: "${HOSTED}" }
            """.formatted(POLL_MS))
        .models(MODELS)
        .build().start()) {
      List.of("r0", "r1", "r2").forEach(name -> broken.simulator(name).actAs("vllm", 4));
      await().untilAsserted(() -> assertThat(broken.scrape())
          .contains("junction_engine_up{provider=\"pool\",replica=\"2\"} 1.0"));

      int retried = 0;
      for (int i = 1; i <= 30; i++) {
        HttpResponse<String> response = broken.post("/chat/completions", "{\"model\":\"own/chat\",\"max_tokens\":2,"
            + "\"messages\":[{\"role\":\"system\",\"content\":\"" + systemPrompt(i) + "\"},"
            + "{\"role\":\"user\",\"content\":\"q\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-junction-provider")).as(response.headers().map().toString()).contains("pool");
        assertThat(response.headers().firstValue("x-junction-replica").orElseThrow()).isIn("0", "1");
        if (response.headers().firstValue("x-junction-attempts").orElseThrow().equals("2")) {
          retried++;
        }
      }
      assertThat(retried).as("requests whose prompt belongs to the broken replica").isPositive();
      assertThat(broken.simulator("hosted").stats().requests()).isZero();
    }
  }

  @Test
  void aPoolWhoseReplicasAllFillSpillsToTheHostedProviderAndComesBackWhenTheyDrain() {
    hold(gateway.simulator("r0"), 2);
    hold(gateway.simulator("r1"), 2);
    assertThat(chat("hi").provider()).as("one replica still has room").isEqualTo("pool");
    hold(THIRD, 2);
    long filled = System.nanoTime();
    await().untilAsserted(() -> assertThat(chat("hi").provider()).isEqualTo("hosted"));
    // Within two poll intervals, give or take the time a request takes on a busy machine.
    assertThat(Duration.ofNanos(System.nanoTime() - filled)).isLessThan(Duration.ofMillis(2 * POLL_MS + 2_000));

    held.forEach(f -> f.cancel(true));
    await().untilAsserted(() -> assertThat(chat("hi").provider()).isEqualTo("pool"));
  }

  private List<Simulator> replicas() {
    return List.of(gateway.simulator("r0"), gateway.simulator("r1"), THIRD);
  }

  /** Longer than the prefix that decides a replica, and different from its first words. */
  private static String systemPrompt(int n) {
    return "You are assistant number " + n + ". " + "Answer briefly and check every figure twice. ".repeat(30);
  }

  record Served(String provider, String replica) {}

  private Served chat(String user) {
    return send("[{\"role\":\"user\",\"content\":\"" + user + "\"}]");
  }

  private Served chat(String system, String user) {
    return send("[{\"role\":\"system\",\"content\":\"" + system + "\"},{\"role\":\"user\",\"content\":\"" + user + "\"}]");
  }

  private Served send(String messages) {
    HttpResponse<String> response = gateway.post("/chat/completions",
        "{\"model\":\"own/chat\",\"max_tokens\":2,\"messages\":" + messages + "}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new Served(response.headers().firstValue("x-junction-provider").orElseThrow(),
        response.headers().firstValue("x-junction-replica").orElse("none"));
  }

  private void hold(Simulator sim, int count) {
    long before = sim.stats().inFlight();
    for (int i = 0; i < count; i++) {
      held.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
          .header("content-type", "application/json").header("x-sim-fault", "hang")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
          .build(), HttpResponse.BodyHandlers.discarding()));
    }
    await().until(() -> sim.stats().inFlight() >= before + count);
  }
}
