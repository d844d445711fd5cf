package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routing on live statistics: {@code fastest} learns who is fast, and cache affinity keeps prompt caches warm. */
class LiveRoutingTest {

  private static String chat(String model, String system, String user) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":["
        + (system == null ? "" : "{\"role\":\"system\",\"content\":\"" + system + "\"},")
        + "{\"role\":\"user\",\"content\":\"" + user + "\"}]}";
  }

  private static String served(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-junction-provider").orElseThrow();
  }

  @Test
  void fastestPicksTheFastProviderAndFollowsItWhenItSlowsDown() {
    SimulatorOptions quick = SimulatorOptions.defaults().withName("quick").withLatency(5, 0);
    SimulatorOptions steady = SimulatorOptions.defaults().withName("steady").withLatency(150, 0);
    try (GatewayExtension fleet = fleet(List.of(quick, steady), "default_policy: fastest", """
          - id: test/speed
            providers:
              - { provider: steady, model: m, input_price: 1, output_price: 1 }
              - { provider: quick, model: m, input_price: 1, output_price: 1 }
        """)) {
      List<String> before = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        before.add(served(fleet.post("/chat/completions", chat("test/speed", null, "hello " + i))));
      }
      // Both are explored while unmeasured, then the fast one serves.
      assertThat(before.subList(0, 4)).contains("steady");
      assertThat(before.subList(6, 12)).containsOnly("quick");

      fleet.replace(quick.withLatency(600, 0));
      List<String> after = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        after.add(served(fleet.post("/chat/completions", chat("test/speed", null, "again " + i))));
      }
      // Within a few requests the slowed provider is left for the other one, and stays left.
      assertThat(after.indexOf("steady")).isBetween(0, 3);
      assertThat(after.subList(5, 10)).containsOnly("steady");
    }
  }

  /** What one gateway's simulators cached, over what they were sent, and what the ledger billed. */
  private record CacheUse(double hitRate, double costUsd) {}

  /** A gateway without a master key, one provider per simulator, named as it. */
  private static GatewayExtension fleet(List<SimulatorOptions> simulators, String server, String models) {
    return GatewayExtension.builder().simulators(simulators.toArray(SimulatorOptions[]::new)).withoutMasterKey()
        .server(server).models(models).build().start();
  }

  private CacheUse conversations(boolean affinity) {
    List<SimulatorOptions> sims = List.of(
        SimulatorOptions.defaults().withName("east").withLatency(20, 0).withPromptCache(64, 16),
        SimulatorOptions.defaults().withName("west").withLatency(20, 0).withPromptCache(64, 16));
    try (GatewayExtension fleet = fleet(sims, "default_policy: fastest, cache_affinity: " + affinity, """
          - id: test/cached
            providers:
              - { provider: east, model: m, input_price: 1.0, cached_input_price: 0.1, output_price: 2.0 }
              - { provider: west, model: m, input_price: 1.0, cached_input_price: 0.1, output_price: 2.0 }
        """)) {
      int conversations = 8;
      int turns = 6;
      // Each turn, every conversation asks at once, as concurrent users do.
      for (int turn = 0; turn < turns; turn++) {
        List<String> bodies = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
          String system = ("You are assistant number " + c + " and you follow these rules. ").repeat(60);
          bodies.add(chat("test/cached", system, "question " + turn));
        }
        fleet.postAll("/chat/completions", bodies).forEach(LiveRoutingTest::served);
      }
      long prompt = 0;
      long cached = 0;
      for (Simulator sim : fleet.simulators()) {
        prompt += sim.stats().promptTokens();
        cached += sim.stats().cachedTokens();
      }
      List<LedgerRecord> records = fleet.records();
      assertThat(records).hasSize(conversations * turns);
      double cost = records.stream().mapToLong(LedgerRecord::costNanos).sum() / 1e9;
      return new CacheUse((double) cached / prompt, cost);
    }
  }

  @Test
  void cacheAffinityRaisesThePromptCacheHitRateAndLowersTheCost() {
    CacheUse sticky = conversations(true);
    CacheUse spread = conversations(false);
    System.out.printf("prompt cache hit rate: %.1f%% with affinity, %.1f%% without; cost $%.6f vs $%.6f%n",
        sticky.hitRate() * 100, spread.hitRate() * 100, sticky.costUsd(), spread.costUsd());
    // With affinity each conversation misses once (its first turn); spread over two providers, about twice.
    assertThat(sticky.hitRate()).isGreaterThan(spread.hitRate());
    assertThat(sticky.hitRate()).isGreaterThan(0.7);
    assertThat(sticky.costUsd()).isLessThan(spread.costUsd());
  }

  @Test
  void theSameUserOrPromptCacheKeyStaysOnOneProvider() {
    List<SimulatorOptions> sims = List.of(
        SimulatorOptions.defaults().withName("east").withLatency(10, 0),
        SimulatorOptions.defaults().withName("west").withLatency(10, 0));
    try (GatewayExtension fleet = fleet(sims, "default_policy: fastest", """
          - id: test/keyed
            providers:
              - { provider: east, model: m, input_price: 1, output_price: 1 }
              - { provider: west, model: m, input_price: 1, output_price: 1 }
        """)) {
      for (String field : List.of("user", "prompt_cache_key")) {
        List<String> providers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          String body = chat("test/keyed", null, "turn " + i).replace("\"max_tokens\"", "\"" + field + "\":\"alice\",\"max_tokens\"");
          providers.add(served(fleet.post("/chat/completions", body)));
        }
        assertThat(providers).as(field).containsOnly(providers.getFirst());
      }
    }
  }
}
