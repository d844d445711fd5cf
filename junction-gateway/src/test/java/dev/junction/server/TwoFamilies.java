package dev.junction.server;

import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;

/**
 * A gateway in front of one simulator spoken to in OpenAI's format ({@code oa}, kind openai) and
 * one spoken to in Anthropic's ({@code an}, kind anthropic, its key in {@code x-api-key}), with
 * models served by one, the other, or both. Both simulators cache prompts from 8 tokens, in blocks
 * of 4, so that a repeated prompt is partly a cache read.
 */
final class TwoFamilies {

  static final String OPENAI_SERVED = "family/openai-served";
  static final String ANTHROPIC_SERVED = "family/anthropic-served";
  /** The Anthropic provider answers 529 overloaded; the OpenAI one serves. */
  static final String OVERLOADED_FIRST = "family/overloaded-first";
  static final String ANTHROPIC_CUT = "family/anthropic-cut";
  static final String OPENAI_CUT = "family/openai-cut";

  private TwoFamilies() {}

  static GatewayExtension gateway() {
    return GatewayExtension.builder()
        .simulators(
            SimulatorOptions.defaults().withName("sim-oa").withPromptCache(8, 4),
            SimulatorOptions.defaults().withName("sim-an").withPromptCache(8, 4)
                .withApiKey(GatewayExtension.PROVIDER_KEY))
        .server("default_policy: preferred")
        .providers("""
            providers:
              - { name: oa, base_url: "${SIM_OA}" }
              - { name: an, kind: anthropic, base_url: "${SIM_AN}", api_key: "${PROVIDER_KEY}" }
            """)
        .models("""
              - id: family/openai-served
                providers:
                  - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0, cached_input_price: 0.5 }
              - id: family/anthropic-served
                providers:
                  - { provider: an, model: sim-claude, input_price: 3.0, output_price: 15.0, cached_input_price: 0.3,
                      cache_write_price: 3.75 }
              - id: family/overloaded-first
                providers:
                  - { provider: an, model: "fault:status=529", input_price: 3.0, output_price: 15.0 }
                  - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
              - id: family/anthropic-cut
                providers:
                  - { provider: an, model: "fault:cut=5", input_price: 3.0, output_price: 15.0 }
              - id: family/openai-cut
                providers:
                  - { provider: oa, model: "fault:cut=4", input_price: 1.0, output_price: 2.0 }
            """)
        .build();
  }
}
