package dev.junction.server;

import dev.junction.api.Json;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import tools.jackson.databind.JsonNode;

/**
 * A gateway in front of a simulator spoken to in Gemini's format ({@code ge}, kind gemini, its key in
 * {@code x-goog-api-key}) and one in OpenAI's ({@code oa}), for failover between the two. Both cache
 * prompts from 8 tokens, in blocks of 4, so that a repeated prompt is partly cached.
 */
final class GeminiServed {

  static final String SERVED = "gemini/served";
  static final String UNAVAILABLE_FIRST = "gemini/unavailable-first";
  static final String EXHAUSTED_FIRST = "gemini/exhausted-first";

  static GatewayExtension gateway() {
    return GatewayExtension.builder()
        .simulators(
            SimulatorOptions.defaults().withName("sim-oa").withPromptCache(8, 4),
            SimulatorOptions.defaults().withName("sim-ge").withPromptCache(8, 4).withApiKey(GatewayExtension.PROVIDER_KEY))
        .server("default_policy: preferred")
        .providers("""
            providers:
              - { name: oa, base_url: "${SIM_OA}" }
              - { name: ge, kind: gemini, base_url: "${SIM_GE}beta", api_key: "${PROVIDER_KEY}" }
            """)
        .models("""
              - id: gemini/served
                providers:
                  - { provider: ge, model: sim-gemini, input_price: 1.25, output_price: 10.0, cached_input_price: 0.125 }
              - id: gemini/unavailable-first
                providers:
                  - { provider: ge, model: "fault:status=503", input_price: 1.25, output_price: 10.0 }
                  - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
              - id: gemini/exhausted-first
                providers:
                  - { provider: ge, model: "fault:status=429", input_price: 1.25, output_price: 10.0 }
                  - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
            """)
        .build();
  }

  private GeminiServed() {}

  /** The body the Gemini simulator received last. */
  static JsonNode lastSent(GatewayExtension junction) {
    return Json.MAPPER.readTree(junction.simulator("sim-ge").received().getLast().body());
  }
}
