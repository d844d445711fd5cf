package dev.junction.server;

import static dev.junction.server.OfficialSdks.helloMessage;
import static dev.junction.server.OfficialSdks.toolUses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.UrlImageSource;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official Anthropic Java SDK, pointed at Junction's {@code /v1/messages}, served by a provider
 * that speaks OpenAI's format: text, streams, tool use over two turns with parallel calls, images,
 * and usage exactly as the provider reported it, in Anthropic's classes.
 */
class AnthropicSdkTest {

  @RegisterExtension
  static final GatewayExtension junction = TwoFamilies.gateway();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static Simulator openAi() {
    return junction.simulator("sim-oa");
  }

  @Test
  void aMessageServedByAnOpenAiProviderComesBackInAnthropicsFormatWithExactUsage() {
    Simulator.Stats before = openAi().stats();
    var raw = sdk.anthropic().messages().withRawResponse().create(helloMessage(TwoFamilies.OPENAI_SERVED).build());
    Message message = raw.parse();
    Simulator.Stats after = openAi().stats();

    assertThat(message.content()).hasSize(1);
    assertThat(message.content().getFirst().text()).hasValueSatisfying(t -> assertThat(t.text()).isNotBlank());
    assertThat(message.stopReason()).contains(StopReason.MAX_TOKENS);
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(message.usage().inputTokens() + message.usage().cacheReadInputTokens().orElse(0L)).isEqualTo(prompt);
    assertThat(message.usage().cacheReadInputTokens()).contains(cached);
    assertThat(message.usage().outputTokens()).isEqualTo(12);

    // What the provider received: OpenAI's format, the system prompt as a system message.
    JsonNode sent = Json.MAPPER.readTree(openAi().received().getLast().body());
    assertThat(openAi().received().getLast().path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.path("model").asString()).isEqualTo("sim-gpt");
    assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(12);

    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(record.inputTokens()).isEqualTo(prompt);
    assertThat(record.cachedTokens()).isEqualTo(cached);
    assertThat(record.outputTokens()).isEqualTo(12);
  }

  @Test
  void aStreamArrivesAsAnthropicEventsAndAccumulatesToTheSameAnswerAndUsage() {
    Message whole = sdk.anthropic().messages().create(helloMessage(TwoFamilies.OPENAI_SERVED).build());
    MessageAccumulator accumulator = MessageAccumulator.create();
    List<String> types = new ArrayList<>();
    Simulator.Stats before = openAi().stats();
    try (StreamResponse<RawMessageStreamEvent> stream =
        sdk.anthropic().messages().createStreaming(helloMessage(TwoFamilies.OPENAI_SERVED).build())) {
      stream.stream().forEach(event -> {
        accumulator.accumulate(event);
        types.add(event.isMessageStart() ? "message_start" : event.isContentBlockStart() ? "content_block_start"
            : event.isContentBlockDelta() ? "content_block_delta" : event.isContentBlockStop() ? "content_block_stop"
            : event.isMessageDelta() ? "message_delta" : "message_stop");
      });
    }
    Simulator.Stats after = openAi().stats();
    Message streamed = accumulator.message();

    assertThat(types.getFirst()).isEqualTo("message_start");
    assertThat(types).containsSubsequence("content_block_start", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop");
    assertThat(types.getLast()).isEqualTo("message_stop");
    assertThat(streamed.content().getFirst().asText().text()).isEqualTo(whole.content().getFirst().asText().text());
    assertThat(streamed.stopReason()).contains(StopReason.MAX_TOKENS);
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(streamed.usage().inputTokens() + streamed.usage().cacheReadInputTokens().orElse(0L)).isEqualTo(prompt);
    assertThat(streamed.usage().cacheReadInputTokens().orElse(0L)).isEqualTo(cached);
    assertThat(streamed.usage().outputTokens()).isEqualTo(12);
  }

  private static Tool tool(String name, String property) {
    return Tool.builder()
        .name(name)
        .description("Looks up " + property + ".")
        .inputSchema(Tool.InputSchema.builder()
            .properties(JsonValue.from(Map.of(property, Map.of("type", "string"))))
            .required(List.of(property))
            .build())
        .build();
  }

  @Test
  void parallelToolCallsAndTheirResultsMakeATwoTurnRoundTrip() {
    MessageCreateParams.Builder first = MessageCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED)
        .maxTokens(200)
        .addTool(tool("get_weather", "city"))
        .addTool(tool("get_time", "zone"))
        .addUserMessage("What is the weather and the time in Paris?");
    Message asked = sdk.anthropic().messages().create(first.build());

    List<ToolUseBlock> calls = toolUses(asked);
    assertThat(calls).extracting(ToolUseBlock::name).containsExactly("get_weather", "get_time");
    assertThat(asked.stopReason()).contains(StopReason.TOOL_USE);
    assertThat(calls.getFirst()._input().toString()).contains("city");

    List<ContentBlockParam> results = calls.stream()
        .map(call -> ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
            .toolUseId(call.id()).content("Sunny, 21 degrees at " + call.name()).build()))
        .toList();
    Message answered =
        sdk.anthropic().messages().create(first.addMessage(asked).addUserMessageOfContentBlockParams(results).build());
    assertThat(answered.content()).isNotEmpty();

    // The provider saw the turns as OpenAI states them: the calls, then one tool message per result.
    JsonNode messages = Json.MAPPER.readTree(openAi().received().getLast().body()).path("messages");
    JsonNode assistant = messages.get(1);
    assertThat(assistant.path("role").asString()).isEqualTo("assistant");
    assertThat(assistant.path("tool_calls")).hasSize(2);
    assertThat(assistant.path("tool_calls").get(0).path("id").asString()).isEqualTo(calls.get(0).id());
    assertThat(messages.get(2).path("role").asString()).isEqualTo("tool");
    assertThat(messages.get(2).path("tool_call_id").asString()).isEqualTo(calls.get(0).id());
    assertThat(messages.get(3).path("tool_call_id").asString()).isEqualTo(calls.get(1).id());
    assertThat(messages.get(3).path("content").asString()).isEqualTo("Sunny, 21 degrees at get_time");
  }

  @Test
  void imagesByUrlAndInlineReachTheProviderAsImageParts() {
    MessageCreateParams params = MessageCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED)
        .maxTokens(8)
        .addUserMessageOfContentBlockParams(List.of(
            ContentBlockParam.ofText("What do these show?"),
            ContentBlockParam.ofImage(UrlImageSource.builder().url("https://example.com/cat.png").build()),
            ContentBlockParam.ofImage(Base64ImageSource.builder()
                .mediaType(Base64ImageSource.MediaType.IMAGE_PNG).data("iVBORw0KGgo=").build())))
        .build();
    Message message = sdk.anthropic().messages().create(params);
    assertThat(message.usage().outputTokens()).isEqualTo(8);

    JsonNode content = Json.MAPPER.readTree(openAi().received().getLast().body()).path("messages").get(0).path("content");
    assertThat(content.get(1).path("image_url").path("url").asString()).isEqualTo("https://example.com/cat.png");
    assertThat(content.get(2).path("image_url").path("url").asString()).isEqualTo("data:image/png;base64,iVBORw0KGgo=");
  }

  @Test
  void anOverloadedAnthropicProviderFailsOverToAnOpenAiOneAndTheClientSeesOneCleanAnswer() {
    var raw = sdk.anthropic().messages().withRawResponse().create(helloMessage(TwoFamilies.OVERLOADED_FIRST).build());
    Message message = raw.parse();
    assertThat(message.content().getFirst().asText().text()).isNotBlank();
    assertThat(raw.headers().values("x-junction-attempts")).containsExactly("2");
    assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
  }

  @Test
  void aRequestAnthropicWouldRefuseIsRefusedInItsFormatNamingTheField() {
    var missingMax = junction.post("/messages", """
        {"model":"family/openai-served","messages":[{"role":"user","content":"hi"}]}""");
    assertThat(missingMax.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(missingMax.body());
    assertThat(error.path("type").asString()).isEqualTo("error");
    assertThat(error.path("error").path("type").asString()).isEqualTo("invalid_request_error");
    assertThat(error.path("error").path("message").asString()).contains("max_tokens");

    var systemRole = junction.post("/messages", """
        {"model":"family/openai-served","max_tokens":5,"messages":[{"role":"system","content":"be brief"}]}""");
    assertThat(systemRole.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(systemRole.body()).path("error").path("message").asString())
        .contains("messages[0].role").contains("system");

    assertThatThrownBy(() -> sdk.anthropic().messages().create(helloMessage("no/such-model").build()))
        .isInstanceOfSatisfying(AnthropicServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
  }

  @Test
  void theKeyIsTakenFromXApiKeyAndAMissingOneIsRefusedInAnthropicsFormat() {
    String body = """
        {"model":"family/openai-served","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""";
    var keyed = junction.post("/messages", body, Map.of("x-api-key", GatewayExtension.MASTER_KEY));
    assertThat(keyed.statusCode()).isEqualTo(200);
    var keyless = junction.post("/messages", body, Map.of());
    assertThat(keyless.statusCode()).isEqualTo(401);
    assertThat(Json.MAPPER.readTree(keyless.body()).path("error").path("type").asString())
        .isEqualTo("authentication_error");
  }

  @Test
  void aStreamBrokenAfterItStartedEndsWithAnAnthropicErrorEvent() {
    var response = junction.post("/messages", """
        {"model":"family/openai-cut","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("event: message_start").contains("event: content_block_delta")
        .doesNotContain("message_stop").doesNotContain("[DONE]");
    String last = response.body().strip().substring(response.body().strip().lastIndexOf("event: "));
    assertThat(last).startsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"");
  }

  @Test
  void tokensAreCountedLocallyWithTheGatewaysOwnEstimate() {
    String body = """
        {"model":"family/openai-served","messages":[{"role":"user","content":"How many tokens is this?"}]}""";
    dev.junction.api.TokenEstimator.preload();
    var response = junction.post("/messages/count_tokens", body);
    assertThat(response.statusCode()).isEqualTo(200);
    long content = dev.junction.api.TokenEstimator.count("family/openai-served", "How many tokens is this?");
    // The content's tokens plus the message's framing, counted by a tokenizer: far fewer than bytes / 4.
    assertThat(Json.MAPPER.readTree(response.body()).path("input_tokens").asLong())
        .isGreaterThan(content).isLessThan(body.length() / 4);
  }
}
