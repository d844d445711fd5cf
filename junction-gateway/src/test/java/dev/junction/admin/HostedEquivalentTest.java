package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.OnBothDatabases;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What self-hosting saved: each request an engine served is recorded with what its tokens would
 * have cost at the model's cheapest hosted deployment, and usage reports add those up beside the
 * spend, in SQLite and in PostgreSQL alike.
 */
class HostedEquivalentTest {

  /** USD per million tokens, as in the config below. */
  static final BigDecimal GPU_IN = new BigDecimal("0.5"), GPU_OUT = new BigDecimal("0.5");
  static final BigDecimal WORDY_IN = new BigDecimal("1"), WORDY_OUT = new BigDecimal("20");
  static final BigDecimal TERSE_IN = new BigDecimal("4"), TERSE_OUT = new BigDecimal("6");

  private static GatewayExtension gateway(String kind) {
    GatewayExtension.Builder builder = GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName("gpu"), SimulatorOptions.defaults().withName("hosted"))
        .providers("""
            providers:
              - { name: gpu, kind: vllm, base_url: "${GPU}", poll_ms: 100 }
              - { name: wordy, kind: openai, base_url: "${HOSTED}" }
              - { name: terse, kind: openai, base_url: "${HOSTED}" }
            """)
        .models("""
              - id: own/chat
                prefer: self_hosted
                providers:
                  - { provider: gpu, model: sim-chat, input_price: 0.5, output_price: 0.5 }
                  - { provider: wordy, model: sim-chat, input_price: 1, output_price: 20 }
                  - { provider: terse, model: sim-chat, input_price: 4, output_price: 6 }
            """);
    return (kind.equals("postgresql") ? builder.postgres() : builder).build().start();
  }

  @OnBothDatabases
  void aSelfHostedRequestRecordsItsCheapestHostedPriceAndReportsAddUpWhatItSaved(String kind) {
    try (GatewayExtension g = gateway(kind)) {
      g.simulator("gpu").actAs("vllm", 4);
      await().untilAsserted(() -> assertThat(provider(chat(g, "own/chat", 2))).isEqualTo("gpu"));
      // Few output tokens favour the hosted deployment with the cheaper input; many, the other one.
      chat(g, "own/chat", 1);
      chat(g, "own/chat", 200);
      assertThat(provider(chat(g, "own/chat:terse", 50))).isEqualTo("terse");

      List<LedgerRecord> records = g.records();
      List<LedgerRecord> gpu = records.stream().filter(r -> "gpu".equals(r.provider())).toList();
      assertThat(gpu).hasSizeGreaterThanOrEqualTo(3);
      for (LedgerRecord r : gpu) {
        BigDecimal wordy = usd(r, WORDY_IN, WORDY_OUT);
        BigDecimal terse = usd(r, TERSE_IN, TERSE_OUT);
        assertThat(nanos(r.hostedEquivalentNanos())).as("%s: %s in, %s out", r.requestId(), r.inputTokens(), r.outputTokens())
            .isEqualByComparingTo(wordy.min(terse));
        assertThat(nanos(r.costNanos())).isEqualByComparingTo(usd(r, GPU_IN, GPU_OUT));
      }
      assertThat(gpu.stream().map(r -> usd(r, WORDY_IN, WORDY_OUT).compareTo(usd(r, TERSE_IN, TERSE_OUT))).distinct())
          .as("each hosted deployment was the cheaper one for some request").contains(-1, 1);
      LedgerRecord hosted = records.stream().filter(r -> "terse".equals(r.provider())).findFirst().orElseThrow();
      assertThat(hosted.hostedEquivalentNanos()).isNull();

      BigDecimal equivalent = gpu.stream().map(r -> nanos(r.hostedEquivalentNanos())).reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal spent = gpu.stream().map(r -> nanos(r.costNanos())).reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal saved = equivalent.subtract(spent);
      assertThat(saved).isPositive();

      JsonNode report = json(g.admin("GET", "/admin/usage?group_by=provider", null));
      assertThat(report.path("hosted_equivalent_usd").decimalValue()).isEqualByComparingTo(equivalent);
      assertThat(report.path("saved_usd").decimalValue()).isEqualByComparingTo(saved);
      for (JsonNode row : report.path("rows")) {
        boolean engine = row.path("group").asString().equals("gpu");
        assertThat(row.path("hosted_equivalent_usd").decimalValue()).isEqualByComparingTo(engine ? equivalent : BigDecimal.ZERO);
        assertThat(row.path("saved_usd").decimalValue()).isEqualByComparingTo(engine ? saved : BigDecimal.ZERO);
      }

      List<String> csv = g.admin("GET", "/admin/usage?format=csv", null).body().lines().toList();
      assertThat(csv.getFirst()).endsWith(",hosted_equivalent_usd,saved_usd");
      assertThat(csv.getLast()).endsWith("," + equivalent.stripTrailingZeros().toPlainString() + ","
          + saved.stripTrailingZeros().toPlainString());
    }
  }

  /** What the record's tokens cost at these prices, rounded to the nano-dollar as the ledger keeps it. */
  private static BigDecimal usd(LedgerRecord r, BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
    return BigDecimal.valueOf(r.inputTokens()).multiply(inputPerMillion)
        .add(BigDecimal.valueOf(r.outputTokens()).multiply(outputPerMillion))
        .movePointLeft(6).setScale(9, RoundingMode.HALF_UP);
  }

  private static BigDecimal nanos(Long nanos) {
    assertThat(nanos).isNotNull();
    return BigDecimal.valueOf(nanos, 9);
  }

  private static HttpResponse<String> chat(GatewayExtension g, String model, int maxTokens) {
    HttpResponse<String> response = g.post("/chat/completions", "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"how many tokens is this prompt, and how many the answer\"}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static String provider(HttpResponse<String> response) {
    return response.headers().firstValue("x-junction-provider").orElseThrow();
  }

  private static JsonNode json(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }
}
