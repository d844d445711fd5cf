package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK against {@code /v1/chat/completions}, served by a provider of kind
 * anthropic: the request goes out in Anthropic's format, the answer comes back in OpenAI's, with
 * Anthropic's cache reads inside {@code prompt_tokens} and in {@code cached_tokens}, once.
 */
class OpenAiToAnthropicTest {

  @RegisterExtension
  static final GatewayExtension junction = TwoFamilies.gateway();
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    client = OpenAIOkHttpClient.builder()
        .baseUrl(junction.baseUrl())
        .apiKey(GatewayExtension.MASTER_KEY)
        .maxRetries(0)
        .build();
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  private static Simulator anthropic() {
    return junction.simulator("sim-an");
  }

  static ChatCompletionCreateParams.Builder hello(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("You are a terse gateway test.")
        .addUserMessage("Say hello to the gateway, please, in a few words of your own.")
        .maxCompletionTokens(12);
  }

  @Test
  void aCompletionServedByAnAnthropicProviderCountsCacheReadsOnceInsidePromptTokens() {
    client.chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).build()); // fills the prompt cache
    Simulator.Stats before = anthropic().stats();
    var raw = client.chat().completions().withRawResponse().create(hello(TwoFamilies.ANTHROPIC_SERVED).build());
    ChatCompletion completion = raw.parse();
    Simulator.Stats after = anthropic().stats();

    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    var usage = completion.usage().orElseThrow();
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(cached).as("the repeated prompt is partly a cache read").isPositive();
    assertThat(usage.promptTokens()).isEqualTo(prompt);
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(cached);
    assertThat(usage.completionTokens()).isEqualTo(12);

    Simulator.Received sent = anthropic().received().getLast();
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.headers()).containsEntry("x-api-key", GatewayExtension.PROVIDER_KEY)
        .containsEntry("anthropic-version", "2023-06-01").doesNotContainKey("authorization");
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.path("system").asString()).isEqualTo("You are a terse gateway test.");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(12);
    assertThat(body.path("messages")).hasSize(1);

    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.inputTokens()).isEqualTo(prompt);
    assertThat(record.cachedTokens()).isEqualTo(cached);
    // 3.0 per million uncached, 0.3 cached, 15.0 output: each class once, at its own price.
    assertThat(record.costNanos()).isEqualTo((prompt - cached) * 3_000 + cached * 300 + 12 * 15_000);
  }

  @Test
  void aStreamReportsTheSameUsageAsTheWholeAnswerInItsLastChunk() {
    client.chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).build());
    ChatCompletion whole = client.chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).build());
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionCreateParams params = hello(TwoFamilies.ANTHROPIC_SERVED)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
    assertThat(text.toString()).isEqualTo(whole.choices().getFirst().message().content().orElseThrow());
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.choices()).isEmpty();
    var streamed = last.usage().orElseThrow();
    var reported = whole.usage().orElseThrow();
    assertThat(streamed.promptTokens()).isEqualTo(reported.promptTokens());
    assertThat(streamed.promptTokensDetails().orElseThrow().cachedTokens())
        .isEqualTo(reported.promptTokensDetails().orElseThrow().cachedTokens());
    assertThat(streamed.completionTokens()).isEqualTo(12);
  }

  /** A function tool taking one required string. */
  static FunctionDefinition function(String name, String property) {
    return FunctionDefinition.builder().name(name)
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of(property, Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of(property)))
            .build())
        .build();
  }

  @Test
  void parallelToolCallsStreamAsOpenAiDeltasAndTheirResultsGoBackAsToolResults() {
    ChatCompletionCreateParams.Builder first = ChatCompletionCreateParams.builder()
        .model(TwoFamilies.ANTHROPIC_SERVED)
        .addUserMessage("What is the weather and the time in Paris?")
        .addFunctionTool(function("get_weather", "city"))
        .addFunctionTool(function("get_time", "zone"));
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(first.build())) {
      stream.stream().forEach(accumulator::accumulate);
    }
    var streamed = accumulator.chatCompletion().choices().getFirst();
    List<ChatCompletionMessageToolCall> calls = streamed.message().toolCalls().orElseThrow();
    assertThat(calls).extracting(c -> c.asFunction().function().name()).containsExactly("get_weather", "get_time");
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("city").isString()).isTrue();
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);

    ChatCompletion whole = client.chat().completions().create(first.build());
    var message = whole.choices().getFirst().message();
    first.addMessage(message);
    for (ChatCompletionMessageToolCall call : message.toolCalls().orElseThrow()) {
      first.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
          .content("Sunny at " + call.asFunction().function().name()).build());
    }
    // The simulator, like Anthropic, refuses a tool_use left without its tool_result in the next turn.
    ChatCompletion answered = client.chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());

    JsonNode messages = Json.MAPPER.readTree(anthropic().received().getLast().body()).path("messages");
    assertThat(messages).hasSize(3);
    JsonNode results = messages.get(2).path("content");
    assertThat(results.get(0).path("type").asString()).isEqualTo("tool_result");
    assertThat(results.get(1).path("tool_use_id").asString())
        .isEqualTo(message.toolCalls().orElseThrow().get(1).asFunction().id());
  }

  @Test
  void signedThinkingComesBackOnTheNextTurnOfAToolUseLoop() {
    ChatCompletionCreateParams.Builder first = ChatCompletionCreateParams.builder()
        .model(TwoFamilies.ANTHROPIC_SERVED)
        .reasoningEffort(ReasoningEffort.LOW)
        .addUserMessage("What is the weather in Paris?")
        .addFunctionTool(function("get_weather", "city"));
    ChatCompletion asked = client.chat().completions().create(first.build());
    var message = asked.choices().getFirst().message();
    assertThat(message._additionalProperties()).containsKeys("reasoning_content", "reasoning_details");
    JsonNode sent = Json.MAPPER.readTree(anthropic().received().getLast().body());
    assertThat(sent.path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);

    // The SDK's toParam() keeps only OpenAI's own fields: the signed thinking goes back as an extra one.
    first.addMessage(message.toParam().toBuilder()
        .putAdditionalProperty("reasoning_details", message._additionalProperties().get("reasoning_details"))
        .build());
    ChatCompletionMessageToolCall call = message.toolCalls().orElseThrow().getFirst();
    first.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id()).content("Sunny").build());
    // Anthropic, and the simulator, refuse the next turn unless the tool-calling turn starts with its signed thinking.
    ChatCompletion answered = client.chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    JsonNode assistant = Json.MAPPER.readTree(anthropic().received().getLast().body()).path("messages").get(1);
    assertThat(assistant.path("content").get(0).path("type").asString()).isEqualTo("thinking");
    assertThat(assistant.path("content").get(0).path("signature").asString()).startsWith("sig_sim");
  }

  @Test
  void imagesByUrlAndDataUrlReachTheProviderAsAnthropicImageBlocks() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model(TwoFamilies.ANTHROPIC_SERVED)
        .maxCompletionTokens(6)
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.com/cat.png").build())
                .build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64,iVBORw0KGgo=").build())
                .build())))
        .build();
    assertThat(client.chat().completions().create(params).usage().orElseThrow().completionTokens()).isEqualTo(6);
    JsonNode content = Json.MAPPER.readTree(anthropic().received().getLast().body()).path("messages").get(0).path("content");
    assertThat(content.get(1).path("source").path("type").asString()).isEqualTo("url");
    assertThat(content.get(2).path("source").path("media_type").asString()).isEqualTo("image/png");
    assertThat(content.get(2).path("source").path("data").asString()).isEqualTo("iVBORw0KGgo=");
  }

  /** A request for a JSON answer following a schema: a city's name and its population. */
  static ChatCompletionCreateParams cityAndPopulation(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage("Give me a city and its population.")
        .responseFormat(ResponseFormatJsonSchema.builder()
            .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                .name("city")
                .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty("properties", JsonValue.from(Map.of(
                        "name", Map.of("type", "string"), "population", Map.of("type", "integer"))))
                    .build())
                .build())
            .build())
        .build();
  }

  @Test
  void aJsonSchemaIsAnsweredThroughAForcedToolAndComesBackAsContent() {
    ChatCompletionCreateParams params = cityAndPopulation(TwoFamilies.ANTHROPIC_SERVED);
    ChatCompletion completion = client.chat().completions().create(params);
    var message = completion.choices().getFirst().message();
    assertThat(message.toolCalls()).isEmpty();
    JsonNode answer = Json.MAPPER.readTree(message.content().orElseThrow());
    assertThat(answer.get("name").isString()).isTrue();
    assertThat(answer.get("population").isIntegralNumber()).isTrue();
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

    JsonNode sent = Json.MAPPER.readTree(anthropic().received().getLast().body());
    assertThat(sent.path("tool_choice").path("name").asString()).isEqualTo("json_response");

    // Streamed, the forced tool's input arrives as content deltas.
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    var streamed = accumulator.chatCompletion().choices().getFirst();
    assertThat(streamed.message().toolCalls().orElse(List.of())).isEmpty();
    assertThat(Json.MAPPER.readTree(streamed.message().content().orElseThrow())).isEqualTo(answer);
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
  }

  @Test
  void aParameterAnthropicCannotHonourIsRefusedNamingItAndTheProvider() {
    assertThatThrownBy(() -> client.chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).logprobs(true).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.body().toString()).contains("param=logprobs,");
          assertThat(e.getMessage()).contains("provider an").contains("anthropic");
        });
    assertThatThrownBy(() -> client.chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).n(2).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.body().toString()).contains("param=n,"));
  }

  @Test
  void aParameterOneFamilyCannotHonourMovesTheRequestToACandidateOfTheOther() {
    long before = anthropic().stats().requests();
    var raw = client.chat().completions().withRawResponse()
        .create(hello(TwoFamilies.OVERLOADED_FIRST).logprobs(true).build());
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.parse().choices().getFirst().logprobs()).isPresent();
    assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
    assertThat(anthropic().stats().requests()).as("nothing was sent to the Anthropic provider").isEqualTo(before);
    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.attemptLog()).contains("'logprobs' cannot be honoured by provider an");
  }

  @Test
  void anOverloadedAnthropicProviderFailsOverAndTheOpenAiClientSeesOneCleanAnswer() {
    var raw = client.chat().completions().withRawResponse().create(hello(TwoFamilies.OVERLOADED_FIRST).build());
    assertThat(raw.parse().choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(raw.headers().values("x-junction-attempts")).containsExactly("2");
    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.attemptLog()).contains("\"status\":529");
  }

  @Test
  void anAnthropicStreamBrokenAfterItStartedEndsWithAnOpenAiErrorEvent() {
    var response = junction.post("/chat/completions", """
        {"model":"family/anthropic-cut","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    assertThat(response.statusCode()).isEqualTo(200);
    String body = response.body();
    assertThat(body).startsWith("data: {").contains("\"content\":").doesNotContain("[DONE]");
    String last = body.strip().substring(body.strip().lastIndexOf("data: "));
    assertThat(Json.MAPPER.readTree(last.substring(6)).path("error").path("type").asString()).isEqualTo("server_error");
  }
}
