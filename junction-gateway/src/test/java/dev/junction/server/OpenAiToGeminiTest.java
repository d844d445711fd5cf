package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
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
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK against {@code /v1/chat/completions} and {@code /v1/responses}, served
 * by a provider of kind gemini: the request goes out as Gemini's generateContent (the model in the
 * URL, the key in {@code x-goog-api-key}), the answer comes back in OpenAI's format with Gemini's
 * cached tokens inside {@code prompt_tokens} and its thoughts inside {@code completion_tokens}, once.
 */
class OpenAiToGeminiTest {

  private static final String SERVED = GeminiServed.SERVED;

  @RegisterExtension
  static final GatewayExtension junction = GeminiServed.gateway();
  static OpenAIClient client;

  @BeforeAll
  static void start() {
    client = GeminiServed.openAi(junction);
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  private static Simulator gemini() {
    return junction.simulator("sim-ge");
  }

  private static JsonNode lastSent() {
    return GeminiServed.lastSent(junction);
  }

  private static ChatCompletionCreateParams.Builder hello() {
    return ChatCompletionCreateParams.builder()
        .model(SERVED)
        .addSystemMessage("You are a terse gateway test.")
        .addUserMessage("Say hello to the gateway, please, in a few words of your own.")
        .maxCompletionTokens(12);
  }

  @Test
  void aCompletionGoesOutAsGenerateContentAndCountsCachedTokensOnceInsidePromptTokens() {
    client.chat().completions().create(hello().build()); // fills the prompt cache
    Simulator.Stats before = gemini().stats();
    var raw = client.chat().completions().withRawResponse().create(hello().build());
    ChatCompletion completion = raw.parse();
    Simulator.Stats after = gemini().stats();

    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    var usage = completion.usage().orElseThrow();
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(cached).as("the repeated prompt is partly a cache read").isPositive();
    assertThat(usage.promptTokens()).isEqualTo(prompt);
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(cached);
    assertThat(usage.completionTokens()).isEqualTo(12);

    Simulator.Received sent = gemini().received().getLast();
    assertThat(sent.path()).isEqualTo("/v1beta/models/sim-gemini:generateContent");
    assertThat(sent.headers()).containsEntry("x-goog-api-key", GatewayExtension.PROVIDER_KEY)
        .doesNotContainKey("authorization");
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.has("model")).as("the model is in the URL").isFalse();
    assertThat(body.path("systemInstruction").path("parts").get(0).path("text").asString())
        .isEqualTo("You are a terse gateway test.");
    assertThat(body.path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(12);
    assertThat(body.path("contents")).hasSize(1);
    assertThat(body.path("contents").get(0).path("role").asString()).isEqualTo("user");

    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.inputTokens()).isEqualTo(prompt);
    assertThat(record.cachedTokens()).isEqualTo(cached);
    // 1.25 per million uncached, 0.125 cached, 10.0 output: each class once, at its own price.
    assertThat(record.costNanos()).isEqualTo((prompt - cached) * 1_250 + cached * 125 + 12 * 10_000);
  }

  @Test
  void thoughtsAreReasoningTokensInsideCompletionTokensAndPricedOnceAsOutput() {
    Simulator.Stats before = gemini().stats();
    var raw = client.chat().completions().withRawResponse().create(hello().reasoningEffort(ReasoningEffort.LOW).build());
    Simulator.Stats after = gemini().stats();
    ChatCompletion completion = raw.parse();

    JsonNode config = lastSent().path("generationConfig").path("thinkingConfig");
    assertThat(config.path("thinkingBudget").asInt()).isEqualTo(1024);
    assertThat(config.path("includeThoughts").asBoolean()).isTrue();
    var usage = completion.usage().orElseThrow();
    long output = after.completionTokens() - before.completionTokens();
    assertThat(output).as("12 candidates and 6 thoughts").isEqualTo(18);
    assertThat(usage.completionTokens()).isEqualTo(output);
    assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains(6L);
    assertThat(completion.choices().getFirst().message()._additionalProperties()).containsKey("reasoning_content");

    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(record.costNanos()).isEqualTo((prompt - cached) * 1_250 + cached * 125 + output * 10_000);
  }

  @Test
  void aStreamCarriesTheSameTextAndUsageAsTheWholeAnswer() {
    client.chat().completions().create(hello().build());
    ChatCompletion whole = client.chat().completions().create(hello().build());
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    ChatCompletionCreateParams params = hello()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        chunks.add(chunk);
        accumulator.accumulate(chunk);
      });
    }
    assertThat(gemini().received().getLast().path()).isEqualTo("/v1beta/models/sim-gemini:streamGenerateContent");
    var streamed = accumulator.chatCompletion().choices().getFirst();
    assertThat(streamed.message().content()).isEqualTo(whole.choices().getFirst().message().content());
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    var usage = chunks.getLast().usage().orElseThrow();
    var reported = whole.usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(reported.promptTokens());
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens())
        .isEqualTo(reported.promptTokensDetails().orElseThrow().cachedTokens());
    assertThat(usage.completionTokens()).isEqualTo(12);
  }

  @Test
  void parallelCallsKeepTheirThoughtSignatureAcrossTheNextTurn() {
    ChatCompletionCreateParams.Builder first = ChatCompletionCreateParams.builder()
        .model(SERVED)
        .addUserMessage("What is the weather and the time in Paris?")
        .addFunctionTool(OpenAiToAnthropicTest.function("get_weather", "city"))
        .addFunctionTool(OpenAiToAnthropicTest.function("get_time", "zone"));
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(first.build())) {
      stream.stream().forEach(accumulator::accumulate);
    }
    var streamed = accumulator.chatCompletion().choices().getFirst();
    assertThat(streamed.message().toolCalls().orElseThrow()).extracting(c -> c.asFunction().function().name())
        .containsExactly("get_weather", "get_time");
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    JsonNode declarations = lastSent().path("tools").get(0).path("functionDeclarations");
    assertThat(declarations.get(0).path("parametersJsonSchema").path("required").get(0).asString()).isEqualTo("city");

    ChatCompletion whole = client.chat().completions().create(first.build());
    var message = whole.choices().getFirst().message();
    List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElseThrow();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).asFunction().id()).isNotEqualTo(calls.get(1).asFunction().id());
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("city").isString()).isTrue();
    first.addMessage(message);
    for (ChatCompletionMessageToolCall call : calls) {
      first.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
          .content("Sunny at " + call.asFunction().function().name()).build());
    }
    // The simulator, like Gemini 3, refuses a function call sent back without its thought signature.
    ChatCompletion answered = client.chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());

    JsonNode contents = lastSent().path("contents");
    assertThat(contents).hasSize(3);
    JsonNode model = contents.get(1);
    assertThat(model.path("role").asString()).isEqualTo("model");
    String signature = model.path("parts").get(0).path("thoughtSignature").asString();
    assertThat(new String(Base64.getDecoder().decode(signature), StandardCharsets.UTF_8)).startsWith("sim-thought:");
    assertThat(model.path("parts").get(1).path("functionCall").path("name").asString()).isEqualTo("get_time");
    JsonNode results = contents.get(2).path("parts");
    assertThat(results.get(0).path("functionResponse").path("name").asString()).isEqualTo("get_weather");
    assertThat(results.get(1).path("functionResponse").path("name").asString()).isEqualTo("get_time");
    assertThat(results.get(1).path("functionResponse").path("response").path("output").asString())
        .isEqualTo("Sunny at get_time");
  }

  @Test
  void aFunctionCallSentBackWithoutItsSignatureIsRefusedByTheStrictUpstream() {
    var response = junction.post("/chat/completions", """
        {"model":"gemini/served","messages":[
          {"role":"user","content":"weather?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"Sunny"}]}""");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("thought_signature");
  }

  @Test
  void imagesByUrlAndDataUrlReachGeminiAsFileDataAndInlineData() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model(SERVED)
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
    JsonNode parts = lastSent().path("contents").get(0).path("parts");
    assertThat(parts.get(1).path("fileData").path("fileUri").asString()).isEqualTo("https://example.com/cat.png");
    assertThat(parts.get(1).path("fileData").path("mimeType").asString()).isEqualTo("image/png");
    assertThat(parts.get(2).path("inlineData").path("mimeType").asString()).isEqualTo("image/png");
    assertThat(parts.get(2).path("inlineData").path("data").asString()).isEqualTo("iVBORw0KGgo=");
  }

  @Test
  void aJsonSchemaBecomesGeminisResponseJsonSchemaAndTheAnswerFollowsIt() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model(SERVED)
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
    ChatCompletion completion = client.chat().completions().create(params);
    JsonNode answer = Json.MAPPER.readTree(completion.choices().getFirst().message().content().orElseThrow());
    assertThat(answer.get("name").isString()).isTrue();
    assertThat(answer.get("population").isIntegralNumber()).isTrue();
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    JsonNode generation = lastSent().path("generationConfig");
    assertThat(generation.path("responseMimeType").asString()).isEqualTo("application/json");
    assertThat(generation.path("responseJsonSchema").path("properties").has("population")).isTrue();
  }

  @Test
  void parametersGeminiCannotHonourAreRefusedNamingThemAndTheProvider() {
    assertThatThrownBy(() -> client.chat().completions().create(hello().logprobs(true).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.body().toString()).contains("param=logprobs,");
          assertThat(e.getMessage()).contains("provider ge").contains("gemini");
        });
    assertThatThrownBy(() -> client.chat().completions().create(hello()
            .addFunctionTool(OpenAiToAnthropicTest.function("get_weather", "city")).parallelToolCalls(false).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.body().toString()).contains("param=parallel_tool_calls,"));
    assertThatThrownBy(() -> client.chat().completions().create(hello().user("someone").build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.body().toString()).contains("param=user,"));
  }

  @Test
  void aResponsesFunctionCallKeepsItsThoughtSignatureInItsCallId() {
    Response asked = client.responses().create(ResponseCreateParams.builder()
        .model(SERVED).addTool(ResponsesApiTest.tool("get_weather", "city")).input("What is the weather in Paris?").build());
    List<ResponseFunctionToolCall> calls = asked.output().stream().flatMap(item -> item.functionCall().stream()).toList();
    assertThat(calls).extracting(ResponseFunctionToolCall::name).containsExactly("get_weather");

    Response answered = client.responses().create(ResponseCreateParams.builder()
        .model(SERVED).previousResponseId(asked.id()).addTool(ResponsesApiTest.tool("get_weather", "city"))
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId(calls.getFirst().callId()).output("Sunny").build())))
        .build());
    assertThat(answered.output()).isNotEmpty();
    JsonNode model = lastSent().path("contents").get(1);
    assertThat(model.path("parts").get(0).path("thoughtSignature").asString()).isNotEmpty();
  }

  @Test
  void anUnavailableOrExhaustedGeminiDeploymentFailsOverToAnOpenAiOne() {
    for (String model : List.of(GeminiServed.UNAVAILABLE_FIRST, GeminiServed.EXHAUSTED_FIRST)) {
      var raw = client.chat().completions().withRawResponse().create(hello().model(model).build());
      assertThat(raw.parse().choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
      assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
      LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
      assertThat(record.attemptLog()).contains(model.equals(GeminiServed.UNAVAILABLE_FIRST) ? "\"status\":503" : "\"status\":429");
    }
  }

  @Test
  void theResponsesApiIsServedByGeminiWholeAndStreamed() {
    Response whole = client.responses().create(ResponseCreateParams.builder()
        .model(SERVED).input("Say a few words, please.").build());
    StringBuilder text = new StringBuilder();
    whole.output().forEach(item -> item.message().ifPresent(m -> m.content()
        .forEach(c -> c.outputText().ifPresent(t -> text.append(t.text())))));
    assertThat(text.toString()).isNotBlank();
    long output = whole.usage().orElseThrow().outputTokens();
    assertThat(output).isPositive();
    assertThat(gemini().received().getLast().path()).endsWith(":generateContent");

    StringBuilder deltas = new StringBuilder();
    Response completed = null;
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder()
        .model(SERVED).input("Say a few words, please.").build())) {
      for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
        event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
        if (event.isCompleted()) {
          completed = event.asCompleted().response();
        }
      }
    }
    assertThat(gemini().received().getLast().path()).endsWith(":streamGenerateContent");
    assertThat(deltas.toString()).isEqualTo(text.toString());
    assertThat(completed).isNotNull();
    assertThat(completed.usage().orElseThrow().outputTokens()).isEqualTo(output);
  }
}
