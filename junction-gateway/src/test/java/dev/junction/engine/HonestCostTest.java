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
import org.assertj.core.data.Percentage;
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
  void eachOutputTokenCostsTheHourOverTheTokensPerBusySecondSoFourStreamsAtOnceEachPayAboutAQuarter() {
    LedgerRecord alone = null;
    for (int i = 0; i < 4; i++) {
      alone = record(stream("one/at-a-time"));
    }
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int round = 0; round < 3; round++) {
        List<CompletableFuture<HttpResponse<String>>> four = IntStream.range(0, 4)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> stream("four/at-a-time"), clients)).toList();
        four.forEach(each -> record(each.join()));
      }
    }
    // One more on its own: nothing ends after it, so the rate read below is the one its price used.
    LedgerRecord together = record(stream("four/at-a-time"));
    assertThat(alone.outputTokens()).isEqualTo(TOKENS);
    assertThat(together.outputTokens()).isEqualTo(TOKENS);

    // The rates the prices were spread over, at /metrics: one stream's pace at most alone, and about
    // four times as many tokens per busy second with four at once (less on a machine too busy to keep up).
    double aloneRate = rate("alone");
    double togetherRate = rate("busy");
    assertThat(aloneRate).isBetween(STREAM_RATE * 0.3, STREAM_RATE * 1.05);
    assertThat(togetherRate / aloneRate).isBetween(2.0, 4.4);
    // The arithmetic: each output token costs $0.01 a second over the tokens per busy second.
    Percentage close = Percentage.withPercentage(15);
    assertThat((double) alone.costNanos()).isCloseTo(nanos(TOKENS, aloneRate), close);
    assertThat((double) together.costNanos()).isCloseTo(nanos(TOKENS, togetherRate), close);
    await().untilAsserted(() -> assertThat(gateway.scrape()).contains("junction_engine_up{provider=\"alone\",replica=\"0\"} 1.0",
        "junction_engine_requests_running{provider=\"alone\",replica=\"0\"}",
        "junction_engine_kv_cache_usage_ratio{provider=\"alone\",replica=\"0\"}"));
  }

  @Test
  void cheapestWeighsTheMeasuredPriceAgainstHostedPrices() {
    for (int i = 0; i < 3; i++) {
      record(stream("one/at-a-time"));
    }
    // At most 100 tokens a busy second: $100 or more per million output tokens, above a $10 hosted
    // price; below a $500 one unless the machine runs five times slower than the simulator's pace.
    // (Once the engine's first poll has seen it up: an engine not known to be up is set aside.)
    await().untilAsserted(() -> assertThat(providerOf("against-dear-hosted:cheapest")).isEqualTo("alone"));
    assertThat(providerOf("against-cheap-hosted:cheapest")).isEqualTo("hosted");
  }

  private static double rate(String provider) {
    String prefix = "junction_engine_output_tokens_per_busy_second{provider=\"" + provider + "\"}";
    return gateway.scrape().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElseThrow();
  }

  private static String providerOf(String model) {
    HttpResponse<String> response = gateway.post("/chat/completions", """
        {"model":"%s","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""".formatted(model));
    assertThat(response.statusCode()).isEqualTo(200);
    return response.headers().firstValue("x-junction-provider").orElseThrow();
  }
}
