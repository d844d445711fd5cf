package dev.junction.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BodyRewriterTest {

  private static final byte[] PROVIDER_MODEL = "\"llama-3.3-70b\"".getBytes(StandardCharsets.UTF_8);

  private static String rewrite(String json, boolean askUsage, Set<String> drop) {
    InspectedRequest r = RequestInspector.inspect(Endpoint.CHAT, json.getBytes(StandardCharsets.UTF_8));
    return new String(BodyRewriter.rewrite(r, PROVIDER_MODEL, askUsage, drop), StandardCharsets.UTF_8);
  }

  @Test
  void replacesOnlyTheModelAndKeepsEveryOtherValueAsWritten() {
    String in = "{ \"messages\": [{\"role\":\"user\",\"content\":\"a \\\"model\\\": x\"}],\n  \"model\" : \"meta/llama:groq\", \"x\":{\"model\":1} }";
    assertThat(rewrite(in, true, Set.of()))
        .isEqualTo("{\"messages\": [{\"role\":\"user\",\"content\":\"a \\\"model\\\": x\"}],\"model\" : \"llama-3.3-70b\",\"x\":{\"model\":1}}");
  }

  @Test
  void asksForUsageOnAStreamThatDidNotRequestIt() {
    String out = rewrite("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", true, Set.of());
    assertThat(out).isEqualTo(
        "{\"stream_options\":{\"include_usage\":true},\"model\":\"llama-3.3-70b\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  }

  @Test
  void overridesAnExplicitRefusalOfUsage() {
    String out = rewrite("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", true, Set.of());
    assertThat(out).contains("\"stream_options\":{\"include_usage\":true}").doesNotContain("false");
  }

  @Test
  void leavesNonStreamsAndProvidersWithoutStreamUsageAlone() {
    assertThat(rewrite("{\"model\":\"m\",\"messages\":[]}".replace("[]", "[{\"role\":\"user\",\"content\":\"x\"}]"), true, Set.of()))
        .doesNotContain("stream_options");
    assertThat(rewrite("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", false, Set.of()))
        .doesNotContain("stream_options");
  }

  @Test
  void dropsRefusedFieldsWhereverTheyStand() {
    String json = "{\"logit_bias\":{\"1\":2},\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logprobs\":true , \"top_logprobs\": 2 }";
    String out = rewrite(json, false, Set.of("logit_bias", "logprobs", "top_logprobs"));
    assertThat(out).isEqualTo("{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(Json.MAPPER.readTree(out).get("model").asString()).isEqualTo("llama-3.3-70b");
  }
}
