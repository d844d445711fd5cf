package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A provider with several API keys: requests take them in turn, and a key the provider refuses or
 * rate-limits is set aside while the request is tried again at once with another, unseen by the client.
 */
class ProviderKeysTest {

  static final String BODY = """
      {"model":"%s","messages":[{"role":"user","content":"hello"}],"max_tokens":4}""";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(
          SimulatorOptions.defaults().withName("pair").withApiKey("sk-pair-one,sk-pair-two"),
          SimulatorOptions.defaults().withName("revoked").withApiKey("sk-current"),
          SimulatorOptions.defaults().withName("limited").withApiKey("sk-busy,sk-idle"),
          SimulatorOptions.defaults().withName("none").withApiKey("sk-right"))
      .providers("""
          providers:
            - { name: pair, kind: openai, base_url: "${PAIR}", api_keys: [sk-pair-one, sk-pair-two] }
            - { name: revoked, kind: openai, base_url: "${REVOKED}", api_keys: [sk-revoked, sk-current], retries: 0 }
            - { name: limited, kind: openai, base_url: "${LIMITED}", api_keys: [sk-busy, sk-idle], retries: 0 }
            - { name: none, kind: openai, base_url: "${NONE}", api_keys: [sk-wrong-1, sk-wrong-2], retries: 0 }
          """)
      .models("""
            - id: balanced
              providers: [{ provider: pair, model: sim-chat, input_price: 1.0, output_price: 1.0 }]
            - id: after-revocation
              providers: [{ provider: revoked, model: sim-chat, input_price: 1.0, output_price: 1.0 }]
            - id: rate-limited
              providers: [{ provider: limited, model: sim-chat, input_price: 1.0, output_price: 1.0 }]
            # Priced apart: twins (same model, profile and price) would share the traffic, whatever the order.
            - id: no-good-key
              providers:
                - { provider: none, model: sim-chat, input_price: 1.0, output_price: 1.0 }
                - { provider: pair, model: sim-chat, input_price: 1.0, output_price: 2.0 }
          """)
      .server("default_policy: preferred")
      .extraYaml("catalog: { bundled: false }\n")
      .build();

  static HttpResponse<String> chat(String model) {
    return junction.post("/chat/completions", BODY.formatted(model));
  }

  @Test
  void requestsTakeTheKeysInTurn() {
    for (int i = 0; i < 10; i++) {
      assertThat(chat("balanced").statusCode()).isEqualTo(200);
    }
    assertThat(junction.simulator("pair").callsByKey()).isEqualTo(Map.of("sk-pair-one", 5L, "sk-pair-two", 5L));
  }

  @Test
  void aRefusedKeyIsSetAsideAndTheRequestGoesOutAgainWithTheNextUnseen() {
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> response = chat("after-revocation");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).doesNotContain("sk-revoked");
    }
    // Refused once, then resting: every later request goes straight to the working key.
    assertThat(junction.simulator("revoked").callsByKey()).isEqualTo(Map.of("sk-revoked", 1L, "sk-current", 6L));
  }

  @Test
  void aRateLimitedKeyRestsWhileTheOtherCarriesTheTraffic() {
    junction.simulator("limited").rateLimitKey("sk-busy");
    String first = null;
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> response = chat("rate-limited");
      assertThat(response.statusCode()).isEqualTo(200);
      first = first == null ? response.headers().firstValue("x-junction-request-id").orElseThrow() : first;
    }
    assertThat(junction.simulator("limited").callsByKey()).isEqualTo(Map.of("sk-busy", 1L, "sk-idle", 6L));
    LedgerRecord record = junction.record(first);
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(record.attempts()).isEqualTo(2);
    assertThat(record.attemptLog()).contains("429").doesNotContain("sk-busy");
  }

  @Test
  void whenEveryKeyIsRefusedTheNextDeploymentAnswers() {
    HttpResponse<String> response = chat("no-good-key");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("pair");
    assertThat(junction.simulator("none").callsByKey()).isEqualTo(Map.of("sk-wrong-1", 1L, "sk-wrong-2", 1L));
    assertThat(response.body()).doesNotContain("sk-wrong");
  }
}
