package dev.junction.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Engines priced by their hardware's hour: each output token costs the hour spread over the tokens
 * the engine produces per busy second, measured on the traffic it serves, so four streams at once
 * cost a quarter each of what one alone does, and {@code :cheapest} weighs that against hosted prices.
 *
 * <p>The simulated engines stream 100 tokens a second per stream; their hour costs $36 ($0.01 a
 * second): alone, 100 tokens a busy second make an output token cost $0.0001 ($100 per million).
 */
class HonestCostTest {

  static final int TOKENS = 50;
  static final double USD_PER_SECOND = 0.01;
  static final double STREAM_RATE = 100;

  @RegisterExtension
  static final GatewayExtension gateway = GatewayExtension.builder()
      .simulators(
          SimulatorOptions.defaults().withName("alone").withLatency(0, STREAM_RATE),
          SimulatorOptions.defaults().withName("busy").withLatency(0, STREAM_RATE),
          SimulatorOptions.defaults().withName("hosted"))
      .providers("""
          providers:
            - { name: alone, kind: vllm, base_url: "${ALONE}", gpu_hour_usd: 36 }
            - { name: busy, kind: vllm, base_url: "${BUSY}", gpu_hour_usd: 36 }
            - { name: hosted, kind: openai, base_url: "${HOSTED}" }
          """)
      .models("""
            - id: one/at-a-time
              providers: [{ provider: alone, model: sim-chat }]
            - id: four/at-a-time
              providers: [{ provider: busy, model: sim-chat }]
            - id: against-cheap-hosted
              providers:
                - { provider: alone, model: sim-chat }
                - { provider: hosted, model: sim-chat, input_price: 0, output_price: 10 }
            - id: against-dear-hosted
              providers:
                - { provider: alone, model: sim-chat }
                - { provider: hosted, model: sim-chat, input_price: 0, output_price: 500 }
          """)
      .extraYaml("catalog: { bundled: false }\n")
      .build();

  @BeforeEach
  void theEnginesActAsVllm() {
    gateway.simulator("alone").actAs("vllm", 8);
    gateway.simulator("busy").actAs("vllm", 8);
  }

  static HttpResponse<String> stream(String model) {
    return gateway.post("/chat/completions", """
        {"model":"%s","stream":true,"max_tokens":%d,"messages":[{"role":"user","content":"count"}]}"""
        .formatted(model, TOKENS));
  }

  static LedgerRecord record(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    return gateway.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
  }

  /** What {@code tokens} cost at {@code rate} output tokens per busy second, in nano-USD. */
  static double nanos(long tokens, double rate) {
    return tokens * USD_PER_SECOND / rate * 1e9;
  }

  @Test
  void oneStreamAtATimePaysTheHourOverWhatOneStreamProduces() {
    LedgerRecord last = null;
    for (int i = 0; i < 4; i++) {
      last = record(stream("one/at-a-time"));
    }
    assertThat(last.outputTokens()).isEqualTo(TOKENS);
    // 100 tokens a busy second, less the time a request spends outside the stream.
    assertThat((double) last.costNanos()).isBetween(nanos(TOKENS, STREAM_RATE), nanos(TOKENS, STREAM_RATE * 0.7));

    // What the price was spread over, and the engine's own report, at /metrics.
    String scraped = gateway.scrape();
    double rate = scraped.lines().filter(l -> l.startsWith("junction_engine_output_tokens_per_busy_second{provider=\"alone\"}"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElseThrow();
    assertThat(rate).isBetween(STREAM_RATE * 0.7, STREAM_RATE);
    assertThat((double) last.costNanos()).isCloseTo(nanos(TOKENS, rate), org.assertj.core.data.Percentage.withPercentage(15));
    await().untilAsserted(() -> assertThat(gateway.scrape()).contains("junction_engine_up{provider=\"alone\"} 1.0",
        "junction_engine_requests_running{provider=\"alone\"}", "junction_engine_kv_cache_usage_ratio{provider=\"alone\"}"));

    // $100 per million output tokens measured: above a $10 hosted price, below a $500 one.
    // (Once the engine's first poll has seen it up: an engine not known to be up is set aside.)
    await().untilAsserted(() -> assertThat(providerOf("against-dear-hosted:cheapest")).isEqualTo("alone"));
    assertThat(providerOf("against-cheap-hosted:cheapest")).isEqualTo("hosted");
  }

  @Test
  void fourStreamsAtOnceShareTheHourAndEachPaysAboutAQuarter() {
    LedgerRecord last = null;
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round < 3; round++) {
        List<CompletableFuture<HttpResponse<String>>> four = IntStream.range(0, 4)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> stream("four/at-a-time"), clients)).toList();
        for (CompletableFuture<HttpResponse<String>> each : four) {
          last = record(each.join());
        }
      }
    }
    assertThat(last.outputTokens()).isEqualTo(TOKENS);
    double fourTimesTheRate = STREAM_RATE * 4;
    assertThat((double) last.costNanos()).isBetween(nanos(TOKENS, fourTimesTheRate), nanos(TOKENS, fourTimesTheRate * 0.6));
  }

  private static String providerOf(String model) {
    HttpResponse<String> response = gateway.post("/chat/completions", """
        {"model":"%s","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""".formatted(model));
    assertThat(response.statusCode()).isEqualTo(200);
    return response.headers().firstValue("x-junction-provider").orElseThrow();
  }
}
