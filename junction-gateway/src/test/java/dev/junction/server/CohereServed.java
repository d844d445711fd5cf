package dev.junction.server;

import dev.junction.api.Json;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import tools.jackson.databind.JsonNode;

/**
 * A gateway in front of a simulator spoken to in Cohere's format ({@code co}, kind cohere, its base
 * URL ending in {@code /v2} as Cohere documents it) and one in OpenAI's ({@code oa}), for failover
 * between the two. The Cohere face caches prompts from 8 tokens, in blocks of 4, so that a repeated
 * prompt reports cached tokens.
 */
final class CohereServed {

  static final String SERVED = "cohere/served";
  static final String UNAVAILABLE_FIRST = "cohere/unavailable-first";
  static final String EXHAUSTED_FIRST = "cohere/exhausted-first";
  static final String BROKEN = "cohere/broken";
  static final String EMBED = "cohere/embed";

  static GatewayExtension gateway() {
    return GatewayExtension.builder()
        .simulators(
            SimulatorOptions.defaults().withName("sim-oa"),
            SimulatorOptions.defaults().withName("sim-co").withPromptCache(8, 4).withApiKey(GatewayExtension.PROVIDER_KEY))
        .server("default_policy: preferred")
        .providers("""
            providers:
              - { name: oa, base_url: "${SIM_OA}" }
              - { name: co, kind: cohere, base_url: "${SIM_CO_ROOT}/v2", api_key: "${PROVIDER_KEY}" }
            """)
        .models("""
              - id: cohere/served
                providers:
                  - { provider: co, model: command-a-03-2025, input_price: 2.5, output_price: 10.0 }
              - id: cohere/unavailable-first
                providers:
                  - { provider: co, model: "fault:status=503", input_price: 2.5, output_price: 10.0 }
                  - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
              - id: cohere/exhausted-first
                providers:
                  - { provider: co, model: "fault:status=429", input_price: 2.5, output_price: 10.0 }
                  - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
              - id: cohere/broken
                providers:
                  - { provider: co, model: "fault:malformed,drip=20", input_price: 2.5, output_price: 10.0 }
              - id: cohere/embed
                capabilities: [embeddings]
                providers:
                  - { provider: co, model: embed-v4.0, input_price: 0.12, output_price: 0 }
            """)
        .build();
  }

  private CohereServed() {}

  /** The body the Cohere simulator received last. */
  static JsonNode lastSent(GatewayExtension junction) {
    return Json.MAPPER.readTree(junction.simulator("sim-co").received().getLast().body());
  }
}
