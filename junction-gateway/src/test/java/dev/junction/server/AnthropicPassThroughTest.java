package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * An Anthropic client of an Anthropic provider is not translated: its body goes out as written, model
 * id replaced, so cache marks, thinking blocks with their signatures and fields the gateway does not
 * know survive; the answer comes back as the provider wrote it, and the record counts each class of
 * the prompt once.
 */
class AnthropicPassThroughTest {

  @RegisterExtension
  static final GatewayExtension junction = TwoFamilies.gateway();

  private static final String CONVERSATION = """
      {"model":"family/anthropic-served","max_tokens":40,"thinking":{"type":"enabled","budget_tokens":1024},
       "system":[{"type":"text","text":"You are a careful assistant with a long system prompt to cache.",
                  "cache_control":{"type":"ephemeral"}}],
       "messages":[
         {"role":"user","content":"What is the capital of France?"},
         {"role":"assistant","content":[
           {"type":"thinking","thinking":"The user asks about France.","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxT"},
           {"type":"text","text":"Paris."}]},
         {"role":"user","content":[{"type":"text","text":"And of Italy?","cache_control":{"type":"ephemeral"}}]}],
       "future_field":{"kept":true}%s}""";

  private static Simulator anthropic() {
    return junction.simulator("sim-an");
  }

  @Test
  void cacheMarksThinkingSignaturesAndUnknownFieldsReachTheProviderAsWritten() {
    String body = CONVERSATION.formatted("");
    var response = junction.post("/messages", body, Map.of(
        "x-api-key", GatewayExtension.MASTER_KEY, "anthropic-version", "2023-06-01",
        "anthropic-beta", "interleaved-thinking-2025-05-14"));
    assertThat(response.statusCode()).isEqualTo(200);

    Simulator.Received sent = anthropic().received().getLast();
    // Field by field as written (the splice only drops the white space between top-level fields).
    assertThat(Json.MAPPER.readTree(sent.body()))
        .isEqualTo(Json.MAPPER.readTree(body.replace("\"family/anthropic-served\"", "\"sim-claude\"")));
    assertThat(sent.body()).contains("\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxT\"");
    assertThat(sent.headers()).containsEntry("anthropic-beta", "interleaved-thinking-2025-05-14")
        .containsEntry("anthropic-version", "2023-06-01")
        .containsEntry("x-api-key", GatewayExtension.PROVIDER_KEY);

    JsonNode answer = Json.MAPPER.readTree(response.body());
    assertThat(answer.path("content").get(0).path("type").asString()).isEqualTo("thinking");
    assertThat(answer.path("content").get(0).path("signature").asString()).startsWith("sig_sim");
    JsonNode usage = answer.path("usage");
    long input = usage.path("input_tokens").asLong();
    long read = usage.path("cache_read_input_tokens").asLong();
    long written = usage.path("cache_creation_input_tokens").asLong();
    assertThat(written).as("the request marks cache_control").isPositive();

    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.inputTokens()).isEqualTo(input + read + written);
    assertThat(record.cachedTokens()).isEqualTo(read);
    assertThat(record.cacheWriteTokens()).isEqualTo(written);
    assertThat(record.outputTokens()).isEqualTo(usage.path("output_tokens").asLong());
    // 3.0 per million uncached, 0.3 read, 3.75 written, 15.0 output: each class once, at its own price.
    assertThat(record.costNanos())
        .isEqualTo(input * 3_000 + read * 300 + written * 3_750 + usage.path("output_tokens").asLong() * 15_000);
  }

  @Test
  void aStreamIsPassedThroughEventForEventWithItsThinkingSignature() {
    var response = junction.post("/messages", CONVERSATION.formatted(",\"stream\":true"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    String events = response.body();
    assertThat(events).startsWith("event: message_start\ndata: ")
        .contains("\"type\":\"signature_delta\"", "\"type\":\"thinking_delta\"", "\"type\":\"text_delta\"")
        .endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    // ping events too: nothing of the provider's stream is dropped.
    assertThat(events).contains("event: ping");

    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.stream()).isTrue();
    assertThat(record.cacheWriteTokens()).isPositive();
    assertThat(record.outputTokens()).isPositive();
  }

  @Test
  void tokensOfAModelAnAnthropicProviderServesAreCountedByThatProvider() {
    String body = """
        {"model":"family/anthropic-served","system":"You count tokens.",
         "messages":[{"role":"user","content":"How many tokens are in this prompt, would you say?"}]}""";
    var response = junction.post("/messages/count_tokens", body);
    assertThat(response.statusCode()).isEqualTo(200);
    Simulator.Received sent = anthropic().received().getLast();
    assertThat(sent.path()).isEqualTo("/v1/messages/count_tokens");
    assertThat(Json.MAPPER.readTree(sent.body()).path("model").asString()).isEqualTo("sim-claude");
    long counted = Json.MAPPER.readTree(response.body()).path("input_tokens").asLong();
    // The simulator's count: a marker per turn and the words, not the gateway's four bytes a token.
    assertThat(counted).isPositive().isNotEqualTo(body.length() / 4);
  }

  @Test
  void aProviderRefusalComesBackInAnthropicsFormatWithItsStatus() {
    var response = junction.post("/messages", """
        {"model":"family/anthropic-served","max_tokens":5,"temperature":1.5,
         "messages":[{"role":"user","content":"hi"}]}""");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(response.body());
    assertThat(error.path("type").asString()).isEqualTo("error");
    assertThat(error.path("error").path("message").asString()).contains("temperature");
  }

  @Test
  void anOverloadedProviderWithNothingElseLeftIsA529OverloadedError() {
    var response = junction.post("/messages", """
        {"model":"family/anthropic-served:an","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""",
        Map.of("x-api-key", GatewayExtension.MASTER_KEY, "x-sim-fault", "status=529"));
    // The fault header is the client's, not forwarded: this one is served.
    assertThat(response.statusCode()).isEqualTo(200);
    var overloaded = junction.post("/messages", """
        {"model":"fault:status=529:an","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
    assertThat(overloaded.statusCode()).isEqualTo(529);
    assertThat(Json.MAPPER.readTree(overloaded.body()).path("error").path("type").asString()).isEqualTo("overloaded_error");
  }
}
