package dev.junction.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.engine.EnginePoller.Engine;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller against simulated engines over real HTTP: load as it rises and falls, and engines going away. */
class EnginePollerTest {

  final Vertx vertx = Vertx.vertx();
  final HttpClient http = HttpClient.newHttpClient();
  final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
    vertx.close().await();
  }

  @Test
  void aVllmEnginesQueueIsSeenAsItFillsAndAsItDrains() {
    Simulator sim = simulator(List.of("mistralai/Mistral-7B-Instruct-v0.3", "sql-lora")).actAs("vllm", 2);
    EnginePoller poller = poller(new Engine("gpu-1", EngineKind.VLLM, EnginePoller.root(sim.baseUrl()), 50));
    await().until(() -> poller.load("gpu-1") != null);
    assertThat(poller.load("gpu-1")).satisfies(load -> {
      assertThat(load.healthy()).isTrue();
      assertThat(load.waiting()).isZero();
      assertThat(load.models()).containsExactly("mistralai/Mistral-7B-Instruct-v0.3", "sql-lora");
    });

    List<CompletableFuture<HttpResponse<Void>>> held = hang(sim, 5);
    await().untilAsserted(() -> {
      EngineLoad load = poller.load("gpu-1");
      assertThat(load.running()).isEqualTo(2);
      assertThat(load.waiting()).isEqualTo(3);
      assertThat(load.kvCache()).isEqualTo(1.0);
    });

    held.forEach(f -> f.cancel(true));
    await().untilAsserted(() -> assertThat(poller.load("gpu-1").waiting()).isZero());
  }

  @Test
  void anEngineThatStopsAnsweringIsDownAtItsNextPoll() {
    Simulator sim = simulator(List.of("m")).actAs("llamacpp", 4);
    EnginePoller poller = poller(new Engine("box", EngineKind.LLAMACPP, EnginePoller.root(sim.baseUrl()), 50));
    await().until(() -> poller.load("box") != null && poller.load("box").healthy());

    sim.close();

    await().untilAsserted(() -> assertThat(poller.load("box").healthy()).isFalse());
  }

  @Test
  void everyKindReadsTheSimulatorsFaceOfIt() {
    for (EngineKind kind : EngineKind.values()) {
      Simulator sim = simulator(List.of("qwen2.5:7b")).actAs(kind.configName(), 1);
      EnginePoller poller = poller(new Engine(kind.configName(), kind, EnginePoller.root(sim.baseUrl()), 1000));
      EngineLoad idle = poller.poll(new Engine(kind.configName(), kind, EnginePoller.root(sim.baseUrl()), 1000))
          .await();
      assertThat(idle.healthy()).as(kind.name()).isTrue();
      assertThat(idle.models()).as(kind.name()).containsExactly("qwen2.5:7b");
      hang(sim, 2);
      await().untilAsserted(() -> assertThat(sim.stats().inFlight()).isEqualTo(2));
      EngineLoad busy = poller.poll(new Engine(kind.configName(), kind, EnginePoller.root(sim.baseUrl()), 1000))
          .await();
      // Ollama reports no queue, only what is loaded; the others report the one slot busy.
      assertThat(busy.running()).as(kind.name()).isEqualTo(1);
      if (kind != EngineKind.OLLAMA) {
        assertThat(busy.waiting()).as(kind.name()).isEqualTo(1);
      }
    }
  }

  @Test
  void aPoolsReplicaIsTheLeastQueuedThenTheLeastCachedCountingWhatWasSentSinceItsPoll() {
    Simulator a = simulator(List.of("m")).actAs("vllm", 4);
    Simulator b = simulator(List.of("m")).actAs("vllm", 4);
    Simulator c = simulator(List.of("m")).actAs("vllm", 1);
    // Polled at start and then only when the test asks.
    Engine pool = new Engine("pool", EngineKind.VLLM,
        List.of(EnginePoller.root(a.baseUrl()), EnginePoller.root(b.baseUrl()), EnginePoller.root(c.baseUrl())),
        3_600_000, EnginePoller.Spill.NEVER);
    EnginePoller poller = EnginePoller.start(vertx, List.of(pool), () -> new java.util.SplittableRandom(7));
    opened.add(poller);
    hang(a, 1);
    hang(c, 3);
    await().until(() -> a.stats().inFlight() == 1 && c.stats().inFlight() == 3);
    poller.poll(pool).await();

    assertThat(poller.replica("pool", 0, 0)).as("nothing waiting, nothing cached").isEqualTo(1);
    assertThat(poller.replica("pool", 0, 0)).as("the request just sent counts as waiting there").isEqualTo(0);
    assertThat(poller.replica("pool", 0, 0b011)).as("the only one not yet failed").isEqualTo(2);
    assertThat(poller.replicas("pool")).isEqualTo(3);
    assertThat(poller.room("pool")).isEqualTo(Room.FREE);
    assertThat(poller.load("pool")).satisfies(load -> {
      assertThat(load.running()).isEqualTo(2);
      assertThat(load.waiting()).isEqualTo(2);
    });

    poller.poll(pool).await();
    assertThat(poller.replica("pool", 0, 0)).as("its poll saw nothing new: the least cached again").isEqualTo(1);
  }

  private Simulator simulator(List<String> models) {
    Simulator sim = Simulator.start(vertx, SimulatorOptions.defaults().withModels(models));
    opened.add(sim);
    return sim;
  }

  private EnginePoller poller(Engine engine) {
    EnginePoller poller = EnginePoller.start(vertx, List.of(engine));
    opened.add(poller);
    return poller;
  }

  /** Calls the simulator holds open until they are cancelled. */
  private List<CompletableFuture<HttpResponse<Void>>> hang(Simulator sim, int count) {
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
          .timeout(Duration.ofSeconds(30))
          .header("content-type", "application/json").header("x-sim-fault", "hang")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
          .build(), HttpResponse.BodyHandlers.discarding()));
    }
    return calls;
  }
}
