package dev.junction.server;

import static dev.junction.server.OfficialSdks.answerEachCall;
import static dev.junction.server.OfficialSdks.cityAndPopulation;
import static dev.junction.server.OfficialSdks.function;
import static dev.junction.server.OfficialSdks.hello;
import static dev.junction.server.OfficialSdks.helloStreamedWithUsage;
import static dev.junction.server.OfficialSdks.image;
import static dev.junction.server.OfficialSdks.text;
import static dev.junction.server.OfficialSdks.weatherAndTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK against {@code /v1/chat/completions} and {@code /v1/responses}, served
 * by providers of kind bedrock: the request goes out as a Converse call (the model in the path, a
 * Bedrock API key or AWS Signature Version 4), the answer and its binary event stream come back in
 * OpenAI's formats, with Bedrock's cache reads and writes inside {@code prompt_tokens}, once each.
 */
class OpenAiToBedrockTest {

  private static final String MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0";
  private static final String SERVED = "bedrock/served";
  private static final String SIGNED = "bedrock/signed";
  private static final String THROTTLED_FIRST = "bedrock/throttled-first";
  private static final String BROKEN_FRAME = "bedrock/broken-frame";
  private static final String ACCESS_KEY_ID = "AKIAJUNCTIONTEST0001";
  private static final String SECRET_ACCESS_KEY = "wJalrXUtnFEMI-junction-test-secret-0001";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(
          SimulatorOptions.defaults().withName("sim-oa"),
          SimulatorOptions.defaults().withName("sim-br").withPromptCache(8, 4).withApiKey(GatewayExtension.PROVIDER_KEY))
      .server("default_policy: preferred")
      .providers("""
          providers:
            - { name: oa, base_url: "${SIM_OA}" }
            - { name: br, kind: bedrock, region: us-east-1, base_url: "${SIM_BR_ROOT}", api_key: "${PROVIDER_KEY}" }
            - { name: brsig, kind: bedrock, region: eu-west-3, base_url: "${SIM_BR_ROOT}",
                aws_access_key_id: "%s", aws_secret_access_key: "%s" }
          """.formatted(ACCESS_KEY_ID, SECRET_ACCESS_KEY))
      .models("""
            - id: bedrock/served
              providers:
                - { provider: br, model: "%s", input_price: 3.0, output_price: 15.0, cached_input_price: 0.3,
                    cache_write_price: 3.75 }
            - id: bedrock/signed
              providers:
                - { provider: brsig, model: "%s", input_price: 3.0, output_price: 15.0 }
            - id: bedrock/throttled-first
              providers:
                - { provider: br, model: "fault:status=429", input_price: 3.0, output_price: 15.0 }
                - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
            - id: bedrock/broken-frame
              providers:
                - { provider: br, model: "fault:malformed,drip=20", input_price: 3.0, output_price: 15.0 }
          """.formatted(MODEL_ID, MODEL_ID))
      .build();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static Simulator bedrock() {
    return junction.simulator("sim-br");
  }

  @Test
  void aCompletionGoesOutAsAConverseCallAndComesBackWithTheUpstreamUsageAndItsCost() {
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(SERVED).build());
    ChatCompletion completion = raw.parse();
    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);

    Simulator.Received sent = bedrock().received().getLast();
    assertThat(sent.path()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
    assertThat(sent.headers()).containsEntry("authorization", "Bearer " + GatewayExtension.PROVIDER_KEY);
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.path("system").get(0).path("text").asString()).isEqualTo("You are a terse gateway test.");
    assertThat(body.path("inferenceConfig").path("maxTokens").asInt()).isEqualTo(12);
    assertThat(body.path("messages").get(0).path("content").get(0).path("text").asString()).startsWith("Say hello");
    assertThat(body.has("model")).isFalse();

    var usage = completion.usage().orElseThrow();
    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.inputTokens()).isEqualTo(usage.promptTokens());
    assertThat(record.outputTokens()).isEqualTo(12);
    long cached = usage.promptTokensDetails().orElseThrow().cachedTokens().orElse(0L);
    assertThat(record.cachedTokens()).isEqualTo(cached);
    assertThat(record.costNanos()).isEqualTo((usage.promptTokens() - cached) * 3_000 + cached * 300 + 12 * 15_000);
  }

  @Test
  void cacheReadsAndWritesFromACachePointAreEachCountedOnceInsidePromptTokensAndPricedAtTheirOwnRate() {
    // Bedrock counts inputTokens without the cache classes; a cache point asks for cache writes, and
    // the Anthropic client format carries one as cache_control.
    String anthropic = """
        {"model":"%s","max_tokens":12,
         "system":[{"type":"text","text":"You are a terse gateway test with a long system prompt to cache.",
                    "cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":"Say hello to the gateway, please, in a few words."}]}""".formatted(SERVED);
    junction.post("/messages", anthropic);
    Simulator.Stats before = bedrock().stats();
    var answer = junction.post("/messages", anthropic);
    Simulator.Stats after = bedrock().stats();
    assertThat(answer.statusCode()).isEqualTo(200);

    JsonNode sent = Json.MAPPER.readTree(bedrock().received().getLast().body());
    assertThat(sent.path("system").get(1).path("cachePoint").path("type").asString()).isEqualTo("default");
    long prompt = after.promptTokens() - before.promptTokens();
    long read = after.cachedTokens() - before.cachedTokens();
    long written = after.cacheWriteTokens() - before.cacheWriteTokens();
    assertThat(read).as("the repeated prompt is partly a cache read").isPositive();
    assertThat(written).as("a cache point writes the rest").isPositive();
    JsonNode usage = Json.MAPPER.readTree(answer.body()).path("usage");
    assertThat(usage.path("cache_read_input_tokens").asLong()).isEqualTo(read);
    assertThat(usage.path("cache_creation_input_tokens").asLong()).isEqualTo(written);
    assertThat(usage.path("input_tokens").asLong()).isEqualTo(prompt - read - written);

    LedgerRecord record = junction.record(answer.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.inputTokens()).isEqualTo(prompt);
    assertThat(record.cachedTokens()).isEqualTo(read);
    assertThat(record.cacheWriteTokens()).isEqualTo(written);
    assertThat(record.costNanos()).isEqualTo((prompt - read - written) * 3_000 + read * 300 + written * 3_750
        + 12 * 15_000);
  }

  @Test
  void anOpenAiClientsRepeatedPromptReportsBedrocksCacheReadsAsCachedTokens() {
    sdk.openAi().chat().completions().create(hello(SERVED).build());
    Simulator.Stats before = bedrock().stats();
    ChatCompletion completion = sdk.openAi().chat().completions().create(hello(SERVED).build());
    Simulator.Stats after = bedrock().stats();
    var usage = completion.usage().orElseThrow();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(cached).isPositive();
    assertThat(usage.promptTokens()).isEqualTo(after.promptTokens() - before.promptTokens());
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(cached);
  }

  @Test
  void aStreamIsReadFromTheBinaryEventStreamAndEndsWithTheSameUsageAsTheWholeAnswer() {
    ChatCompletion whole = sdk.openAi().chat().completions().create(hello(SERVED).build());
    List<ChatCompletionChunk> chunks = sdk.chunks(helloStreamedWithUsage(SERVED));
    Simulator.Received sent = bedrock().received().getLast();
    assertThat(sent.path()).endsWith("/converse-stream");
    assertThat(sent.headers()).containsEntry("accept", "application/vnd.amazon.eventstream");
    assertThat(text(chunks)).isEqualTo(whole.choices().getFirst().message().content().orElseThrow());
    var streamed = chunks.getLast().usage().orElseThrow();
    assertThat(streamed.promptTokens()).isEqualTo(whole.usage().orElseThrow().promptTokens());
    assertThat(streamed.completionTokens()).isEqualTo(12);
  }

  @Test
  void parallelToolCallsComeBackAsOpenAiCallsAndTheirResultsGoBackAsToolResultBlocks() {
    ChatCompletionCreateParams.Builder first = weatherAndTime(SERVED);
    var streamed = sdk.accumulated(first.build()).choices().getFirst();
    assertThat(streamed.message().toolCalls().orElseThrow()).extracting(c -> c.asFunction().function().name())
        .containsExactly("get_weather", "get_time");
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);

    ChatCompletion whole = sdk.openAi().chat().completions().create(first.build());
    List<ChatCompletionMessageToolCall> calls = answerEachCall(first, whole.choices().getFirst().message());
    assertThat(calls).hasSize(2);
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("city").isString()).isTrue();
    // The simulator, like Bedrock, refuses a toolUse left without its toolResult in the next turn.
    ChatCompletion answered = sdk.openAi().chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());

    JsonNode messages = Json.MAPPER.readTree(bedrock().received().getLast().body()).path("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.get(1).path("content").get(1).path("toolUse").path("toolUseId").asString())
        .isEqualTo(calls.get(1).asFunction().id());
    JsonNode results = messages.get(2).path("content");
    assertThat(results.get(0).path("toolResult").path("toolUseId").asString()).isEqualTo(calls.get(0).asFunction().id());
    assertThat(results.get(1).path("toolResult").path("content").get(0).path("text").asString())
        .isEqualTo("Sunny at get_time");
  }

  @Test
  void signedReasoningComesBackOnTheNextTurnOfAToolUseLoop() {
    ChatCompletionCreateParams.Builder first = ChatCompletionCreateParams.builder()
        .model(SERVED)
        .reasoningEffort(ReasoningEffort.LOW)
        .addUserMessage("What is the weather in Paris?")
        .addFunctionTool(function("get_weather", "city"));
    ChatCompletion asked = sdk.openAi().chat().completions().create(first.build());
    var message = asked.choices().getFirst().message();
    assertThat(message._additionalProperties()).containsKeys("reasoning_content", "reasoning_details");
    JsonNode sent = Json.MAPPER.readTree(bedrock().received().getLast().body());
    assertThat(sent.path("additionalModelRequestFields").path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);

    // The SDK's toParam() keeps only OpenAI's own fields: the signed reasoning goes back as an extra one.
    first.addMessage(message.toParam().toBuilder()
        .putAdditionalProperty("reasoning_details", message._additionalProperties().get("reasoning_details"))
        .build());
    ChatCompletionMessageToolCall call = message.toolCalls().orElseThrow().getFirst();
    first.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id()).content("Sunny").build());
    ChatCompletion answered = sdk.openAi().chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    JsonNode reasoning = Json.MAPPER.readTree(bedrock().received().getLast().body()).path("messages").get(1)
        .path("content").get(0).path("reasoningContent").path("reasoningText");
    assertThat(reasoning.path("text").asString()).isNotEmpty();
    assertThat(reasoning.path("signature").asString()).startsWith("sig_sim");
  }

  @Test
  void anInlineImageGoesAsBytesAndAnImageByUrlIsRefusedNamingTheFieldAndTheProvider() {
    ChatCompletionCreateParams inline = ChatCompletionCreateParams.builder()
        .model(SERVED)
        .maxCompletionTokens(6)
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
            image("data:image/jpeg;base64,/9j/4AAQSkZJRg==")))
        .build();
    assertThat(sdk.openAi().chat().completions().create(inline).usage().orElseThrow().completionTokens()).isEqualTo(6);
    JsonNode image = Json.MAPPER.readTree(bedrock().received().getLast().body()).path("messages").get(0)
        .path("content").get(1).path("image");
    assertThat(image.path("format").asString()).isEqualTo("jpeg");
    assertThat(image.path("source").path("bytes").asString()).isEqualTo("/9j/4AAQSkZJRg==");

    int before = bedrock().received().size();
    ChatCompletionCreateParams byUrl = inline.toBuilder()
        .messages(List.of())
        .addUserMessageOfArrayOfContentParts(List.of(image("https://example.com/cat.png")))
        .build();
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(byUrl))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("image_url").hasMessageContaining("provider br (kind bedrock)");
    assertThat(bedrock().received()).hasSize(before);
  }

  @Test
  void parametersConverseCannotHonourAreRefusedNamingThemAndTheProvider() {
    ChatCompletionCreateParams params = hello(SERVED).addFunctionTool(function("get_weather", "city"))
        .parallelToolCalls(false).build();
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(params))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("parallel_tool_calls").hasMessageContaining("kind bedrock");
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED).logitBias(
            com.openai.models.chat.completions.ChatCompletionCreateParams.LogitBias.builder()
                .putAdditionalProperty("50256", JsonValue.from(-100)).build()).build()))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("logit_bias");
  }

  @Test
  void aJsonSchemaIsAnsweredThroughAForcedToolAndComesBackAsContent() {
    ChatCompletionCreateParams params = cityAndPopulation(SERVED);
    ChatCompletion completion = sdk.openAi().chat().completions().create(params);
    var message = completion.choices().getFirst().message();
    assertThat(message.toolCalls().orElse(List.of())).isEmpty();
    JsonNode answer = Json.MAPPER.readTree(message.content().orElseThrow());
    assertThat(answer.get("name").isString()).isTrue();
    assertThat(answer.get("population").isIntegralNumber()).isTrue();
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    JsonNode sent = Json.MAPPER.readTree(bedrock().received().getLast().body());
    assertThat(sent.path("toolConfig").path("toolChoice").path("tool").path("name").asString())
        .isEqualTo("json_response");

    var streamed = sdk.accumulated(params).choices().getFirst();
    assertThat(Json.MAPPER.readTree(streamed.message().content().orElseThrow())).isEqualTo(answer);
  }

  @Test
  void awsCredentialsSignTheRequestWithSignatureVersion4AndNeverReachALogOrAnError() {
    ChatCompletion completion = sdk.openAi().chat().completions().create(hello(SIGNED).build());
    assertThat(completion.choices().getFirst().message().content()).isPresent();
    Simulator.Received sent = bedrock().received().getLast();
    assertThat(sent.headers().get("authorization"))
        .matches("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY_ID + "/\\d{8}/eu-west-3/bedrock/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}");
    assertThat(sent.headers().get("host")).isEqualTo(junction.simulator("sim-br").baseUrl()
        .replaceFirst("^http://", "").replaceFirst("/v1$", ""));
    assertThat(sent.headers()).containsKey("x-amz-date").containsKey("x-amz-content-sha256");
  }

  @Test
  void aThrottledBedrockProviderFailsOverToAnOpenAiFormatProvider() {
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(THROTTLED_FIRST).build());
    assertThat(raw.parse().choices().getFirst().message().content()).isPresent();
    assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
    assertThat(bedrock().received().getLast().path()).isEqualTo("/model/fault%3Astatus%3D429/converse");
  }

  @Test
  void aFrameWithABadChecksumAfterTheFirstTextEndsTheStreamWithAnErrorEventNotACleanEnd() {
    var answer = junction.post("/chat/completions", """
        {"model":"%s","stream":true,"max_tokens":12,"messages":[{"role":"user","content":"Say hello."}]}"""
        .formatted(BROKEN_FRAME));
    assertThat(answer.statusCode()).isEqualTo(200);
    String stream = answer.body();
    assertThat(stream).contains("\"content\":");
    assertThat(stream).contains("\"error\"").contains("malformed stream frame").doesNotContain("[DONE]");
  }

  @Test
  void theResponsesApiIsServedByBedrockWholeAndStreamed() {
    ResponseCreateParams params = ResponseCreateParams.builder().model(SERVED)
        .instructions("You are a terse gateway test.")
        .input("Say hello to the gateway, please.")
        .maxOutputTokens(12)
        .build();
    Response response = sdk.openAi().responses().create(params);
    String whole = OfficialSdks.text(response);
    assertThat(whole).isNotBlank();
    assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(12);
    JsonNode sent = Json.MAPPER.readTree(bedrock().received().getLast().body());
    assertThat(sent.path("system").get(0).path("text").asString()).isEqualTo("You are a terse gateway test.");

    StringBuilder text = new StringBuilder();
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = sdk.openAi().responses().createStreaming(params)) {
      stream.stream().forEach(e -> {
        events.add(e);
        e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
      });
    }
    assertThat(text.toString()).isEqualTo(whole);
    // Twelve tokens is where the simulator's answer is cut: the response is incomplete, for that reason.
    assertThat(events.getLast().isIncomplete()).isTrue();
    assertThat(events.getLast().asIncomplete().response().usage().orElseThrow().outputTokens()).isEqualTo(12);
  }
}
