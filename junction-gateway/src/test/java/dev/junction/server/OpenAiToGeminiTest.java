package dev.junction.server;

import static dev.junction.server.OfficialSdks.answerEachCall;
import static dev.junction.server.OfficialSdks.assertGreetingCountsCacheReadsOnce;
import static dev.junction.server.OfficialSdks.cityAndPopulation;
import static dev.junction.server.OfficialSdks.function;
import static dev.junction.server.OfficialSdks.functionCalls;
import static dev.junction.server.OfficialSdks.hello;
import static dev.junction.server.OfficialSdks.helloStreamedWithUsage;
import static dev.junction.server.OfficialSdks.twoImages;
import static dev.junction.server.OfficialSdks.weatherAndTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.errors.BadRequestException;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
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
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static Simulator gemini() {
    return junction.simulator("sim-ge");
  }

  private static JsonNode lastSent() {
    return GeminiServed.lastSent(junction);
  }

  @Test
  void aCompletionGoesOutAsGenerateContentAndCountsCachedTokensOnceInsidePromptTokens() {
    sdk.openAi().chat().completions().create(hello(SERVED).build()); // fills the prompt cache
    Simulator.Stats before = gemini().stats();
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(SERVED).build());
    ChatCompletion completion = raw.parse();
    Simulator.Stats after = gemini().stats();

    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertGreetingCountsCacheReadsOnce(completion, prompt, cached);

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
    var raw = sdk.openAi().chat().completions().withRawResponse()
        .create(hello(SERVED).reasoningEffort(ReasoningEffort.LOW).build());
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
    sdk.openAi().chat().completions().create(hello(SERVED).build());
    ChatCompletion whole = sdk.openAi().chat().completions().create(hello(SERVED).build());
    List<ChatCompletionChunk> chunks = sdk.chunks(helloStreamedWithUsage(SERVED));
    assertThat(gemini().received().getLast().path()).isEqualTo("/v1beta/models/sim-gemini:streamGenerateContent");
    var streamed = OfficialSdks.accumulated(chunks).choices().getFirst();
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
    ChatCompletionCreateParams.Builder first = weatherAndTime(SERVED);
    var streamed = sdk.accumulated(first.build()).choices().getFirst();
    assertThat(streamed.message().toolCalls().orElseThrow()).extracting(c -> c.asFunction().function().name())
        .containsExactly("get_weather", "get_time");
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    JsonNode declarations = lastSent().path("tools").get(0).path("functionDeclarations");
    assertThat(declarations.get(0).path("parametersJsonSchema").path("required").get(0).asString()).isEqualTo("city");

    ChatCompletion whole = sdk.openAi().chat().completions().create(first.build());
    List<ChatCompletionMessageToolCall> calls = answerEachCall(first, whole.choices().getFirst().message());
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).asFunction().id()).isNotEqualTo(calls.get(1).asFunction().id());
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("city").isString()).isTrue();
    // The simulator, like Gemini 3, refuses a function call sent back without its thought signature.
    ChatCompletion answered = sdk.openAi().chat().completions().create(first.build());
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
    ChatCompletionCreateParams params = twoImages(SERVED);
    assertThat(sdk.openAi().chat().completions().create(params).usage().orElseThrow().completionTokens()).isEqualTo(6);
    JsonNode parts = lastSent().path("contents").get(0).path("parts");
    assertThat(parts.get(1).path("fileData").path("fileUri").asString()).isEqualTo("https://example.com/cat.png");
    assertThat(parts.get(1).path("fileData").path("mimeType").asString()).isEqualTo("image/png");
    assertThat(parts.get(2).path("inlineData").path("mimeType").asString()).isEqualTo("image/png");
    assertThat(parts.get(2).path("inlineData").path("data").asString()).isEqualTo("iVBORw0KGgo=");
  }

  @Test
  void aJsonSchemaBecomesGeminisResponseJsonSchemaAndTheAnswerFollowsIt() {
    ChatCompletion completion = sdk.openAi().chat().completions().create(cityAndPopulation(SERVED));
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
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED).logprobs(true).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.body().toString()).contains("param=logprobs,");
          assertThat(e.getMessage()).contains("provider ge").contains("gemini");
        });
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED)
            .addFunctionTool(function("get_weather", "city")).parallelToolCalls(false).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.body().toString()).contains("param=parallel_tool_calls,"));
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED).user("someone").build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.body().toString()).contains("param=user,"));
  }

  @Test
  void aResponsesFunctionCallKeepsItsThoughtSignatureInItsCallId() {
    Response asked = sdk.askForTheWeather(SERVED);
    List<ResponseFunctionToolCall> calls = functionCalls(asked);
    assertThat(calls).extracting(ResponseFunctionToolCall::name).containsExactly("get_weather");

    Response answered = sdk.answerCall(SERVED, asked, calls.getFirst());
    assertThat(answered.output()).isNotEmpty();
    JsonNode model = lastSent().path("contents").get(1);
    assertThat(model.path("parts").get(0).path("thoughtSignature").asString()).isNotEmpty();
  }

  @Test
  void anUnavailableOrExhaustedGeminiDeploymentFailsOverToAnOpenAiOne() {
    for (String model : List.of(GeminiServed.UNAVAILABLE_FIRST, GeminiServed.EXHAUSTED_FIRST)) {
      var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(SERVED).model(model).build());
      assertThat(raw.parse().choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
      assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
      LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
      assertThat(record.attemptLog()).contains(model.equals(GeminiServed.UNAVAILABLE_FIRST) ? "\"status\":503" : "\"status\":429");
    }
  }

  @Test
  void theResponsesApiIsServedByGeminiWholeAndStreamed() {
    Response whole = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(SERVED).input("Say a few words, please.").build());
    String text = OfficialSdks.text(whole);
    assertThat(text).isNotBlank();
    long output = whole.usage().orElseThrow().outputTokens();
    assertThat(output).isPositive();
    assertThat(gemini().received().getLast().path()).endsWith(":generateContent");

    OfficialSdks.Streamed streamed = sdk.streamed(ResponseCreateParams.builder()
        .model(SERVED).input("Say a few words, please.").build());
    assertThat(gemini().received().getLast().path()).endsWith(":streamGenerateContent");
    assertThat(streamed.text()).isEqualTo(text);
    Response completed = streamed.completed();
    assertThat(completed).isNotNull();
    assertThat(completed.usage().orElseThrow().outputTokens()).isEqualTo(output);
  }
}
