package dev.junction.server;

import static dev.junction.server.OfficialSdks.answerEachCall;
import static dev.junction.server.OfficialSdks.cityAndPopulation;
import static dev.junction.server.OfficialSdks.function;
import static dev.junction.server.OfficialSdks.functionCalls;
import static dev.junction.server.OfficialSdks.hello;
import static dev.junction.server.OfficialSdks.helloStreamedWithUsage;
import static dev.junction.server.OfficialSdks.weatherAndTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK against {@code /v1/chat/completions} and {@code /v1/responses}, served
 * by a provider of kind cohere: the request goes out as Cohere's {@code /v2/chat} (a bearer key, the
 * model in the body), the answer and its typed SSE events come back in OpenAI's formats with Cohere's
 * billed units as the usage, exactly, and its tool plan as the text before the calls.
 */
class OpenAiToCohereTest {

  private static final String SERVED = CohereServed.SERVED;

  @RegisterExtension
  static final GatewayExtension junction = CohereServed.gateway();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static Simulator cohere() {
    return junction.simulator("sim-co");
  }

  private static JsonNode lastSent() {
    return CohereServed.lastSent(junction);
  }

  @Test
  void aCompletionGoesOutAsACohereChatAndComesBackWithTheBilledUsageAndItsCost() {
    sdk.openAi().chat().completions().create(hello(SERVED).build()); // fills the prompt cache
    Simulator.Stats before = cohere().stats();
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(SERVED).build());
    ChatCompletion completion = raw.parse();
    Simulator.Stats after = cohere().stats();

    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(completion.model()).as("the model the client asked for").isEqualTo(SERVED);
    long billed = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(cached).as("the repeated prompt hit Cohere's cache").isPositive();
    var usage = completion.usage().orElseThrow();
    assertThat(usage.promptTokens()).as("billed units, not the processed tokens with the preamble").isEqualTo(billed);
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(cached);
    assertThat(usage.completionTokens()).isEqualTo(12);

    Simulator.Received sent = cohere().received().getLast();
    assertThat(sent.path()).isEqualTo("/v2/chat");
    assertThat(sent.headers()).containsEntry("authorization", "Bearer " + GatewayExtension.PROVIDER_KEY);
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.path("model").asString()).isEqualTo("command-a-03-2025");
    assertThat(body.path("messages").get(0).path("role").asString()).isEqualTo("system");
    assertThat(body.path("messages").get(0).path("content").asString()).isEqualTo("You are a terse gateway test.");
    assertThat(body.path("messages").get(1).path("content").asString()).startsWith("Say hello");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(12);

    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.inputTokens()).isEqualTo(billed);
    assertThat(record.outputTokens()).isEqualTo(12);
    // 2.5 per million billed input tokens (cached ones at the input price, none being configured), 10.0 output.
    assertThat(record.costNanos()).isEqualTo(billed * 2_500 + 12 * 10_000);
  }

  @Test
  void aStreamCarriesTheSameTextAndExactlyTheUsageCohereReported() {
    ChatCompletion whole = sdk.openAi().chat().completions().create(hello(SERVED).build());
    Simulator.Stats before = cohere().stats();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    var raw = sdk.openAi().chat().completions().withRawResponse().createStreaming(helloStreamedWithUsage(SERVED));
    try (StreamResponse<ChatCompletionChunk> stream = raw.parse()) {
      stream.stream().forEach(chunk -> {
        chunks.add(chunk);
        accumulator.accumulate(chunk);
      });
    }
    Simulator.Stats after = cohere().stats();
    assertThat(lastSent().path("stream").asBoolean()).isTrue();
    var streamed = accumulator.chatCompletion().choices().getFirst();
    assertThat(streamed.message().content()).isEqualTo(whole.choices().getFirst().message().content());
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    var usage = chunks.getLast().usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(after.promptTokens() - before.promptTokens());
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens())
        .contains(after.cachedTokens() - before.cachedTokens());
    assertThat(usage.completionTokens()).isEqualTo(after.completionTokens() - before.completionTokens()).isEqualTo(12);
    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.inputTokens()).isEqualTo(usage.promptTokens());
    assertThat(record.outputTokens()).isEqualTo(12);
  }

  @Test
  void parallelCallsComeBackAfterTheToolPlanAndTheirResultsGoBackAsToolMessages() {
    ChatCompletionCreateParams.Builder first = weatherAndTime(SERVED);
    var streamed = sdk.accumulated(first.build()).choices().getFirst();
    assertThat(streamed.message().toolCalls().orElseThrow()).extracting(c -> c.asFunction().function().name())
        .containsExactly("get_weather", "get_time");
    assertThat(streamed.message().content()).contains("I will use the tools.");
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    JsonNode tools = lastSent().path("tools");
    assertThat(tools.get(0).path("function").path("parameters").path("required").get(0).asString()).isEqualTo("city");

    ChatCompletion whole = sdk.openAi().chat().completions().create(first.build());
    List<ChatCompletionMessageToolCall> calls = answerEachCall(first, whole.choices().getFirst().message());
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).asFunction().id()).startsWith("get_weather_");
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("city").isString()).isTrue();
    // The simulator, like Cohere, refuses a tool message that answers no call of the turn before.
    ChatCompletion answered = sdk.openAi().chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(answered.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

    JsonNode messages = lastSent().path("messages");
    assertThat(messages).hasSize(4);
    JsonNode assistant = messages.get(1);
    assertThat(assistant.path("role").asString()).isEqualTo("assistant");
    assertThat(assistant.path("tool_plan").asString()).isEqualTo("I will use the tools.");
    assertThat(assistant.path("tool_calls").get(1).path("id").asString()).isEqualTo(calls.get(1).asFunction().id());
    assertThat(messages.get(3).path("role").asString()).isEqualTo("tool");
    assertThat(messages.get(3).path("tool_call_id").asString()).isEqualTo(calls.get(1).asFunction().id());
    assertThat(messages.get(3).path("content").get(0).path("text").asString()).isEqualTo("Sunny at get_time");
  }

  @Test
  void aJsonSchemaGoesAsCoheresResponseFormatAndTheAnswerFollowsIt() {
    ChatCompletion completion = sdk.openAi().chat().completions().create(cityAndPopulation(SERVED));
    JsonNode answer = Json.MAPPER.readTree(completion.choices().getFirst().message().content().orElseThrow());
    assertThat(answer.get("name").isString()).isTrue();
    assertThat(answer.get("population").isIntegralNumber()).isTrue();
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    JsonNode format = lastSent().path("response_format");
    assertThat(format.path("type").asString()).isEqualTo("json_object");
    assertThat(format.path("json_schema").path("properties").has("population")).isTrue();
  }

  @Test
  void parametersCohereCannotTakeAreRefusedNamingThemAndTheProviderBeforeAnythingIsSent() {
    long sent = cohere().stats().requests();
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED).logprobs(true).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.body().toString()).contains("param=logprobs,");
          assertThat(e.getMessage()).contains("provider co").contains("cohere");
        });
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED)
            .addFunctionTool(function("get_weather", "city")).parallelToolCalls(false).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.body().toString()).contains("param=parallel_tool_calls,"));
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED).user("someone").build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.body().toString()).contains("param=user,"));
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(SERVED).temperature(1.5).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.body().toString()).contains("param=temperature,"));
    assertThat(cohere().stats().requests()).as("nothing reached Cohere").isEqualTo(sent);
  }

  @Test
  void aGenerationBrokenMidStreamEndsWithAnErrorEventNotACleanEnd() {
    var answer = junction.post("/chat/completions", """
        {"model":"%s","stream":true,"max_tokens":12,"messages":[{"role":"user","content":"Say hello."}]}"""
        .formatted(CohereServed.BROKEN));
    assertThat(answer.statusCode()).isEqualTo(200);
    String stream = answer.body();
    assertThat(stream).contains("\"content\":");
    assertThat(stream).contains("\"error\"").contains("provider reported an error mid-stream").doesNotContain("[DONE]");
  }

  @Test
  void anUnavailableOrExhaustedCohereDeploymentFailsOverToAnOpenAiOne() {
    for (String model : List.of(CohereServed.UNAVAILABLE_FIRST, CohereServed.EXHAUSTED_FIRST)) {
      var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(model).build());
      assertThat(raw.parse().choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
      assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
      LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
      assertThat(record.attemptLog()).contains(model.equals(CohereServed.UNAVAILABLE_FIRST) ? "\"status\":503" : "\"status\":429");
    }
  }

  @Test
  void embeddingsAreNotSentToACohereProvider() {
    long sent = cohere().stats().requests();
    var response = junction.post("/embeddings", """
        {"model":"%s","input":"hello"}""".formatted(CohereServed.EMBED));
    assertThat(response.statusCode()).isBetween(400, 499);
    assertThat(response.body()).contains("does not serve embeddings");
    assertThat(cohere().stats().requests()).isEqualTo(sent);
  }

  @Test
  void theResponsesApiIsServedByCohereWholeAndStreamed() {
    Response whole = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(SERVED).instructions("You are a terse gateway test.").input("Say a few words, please.").build());
    String text = OfficialSdks.text(whole);
    assertThat(text).isNotBlank();
    long output = whole.usage().orElseThrow().outputTokens();
    assertThat(output).isPositive();
    assertThat(lastSent().path("messages").get(0).path("content").asString()).isEqualTo("You are a terse gateway test.");

    OfficialSdks.Streamed streamed = sdk.streamed(ResponseCreateParams.builder()
        .model(SERVED).instructions("You are a terse gateway test.").input("Say a few words, please.").build());
    assertThat(lastSent().path("stream").asBoolean()).isTrue();
    assertThat(streamed.text()).isEqualTo(text);
    Response completed = streamed.completed();
    assertThat(completed).isNotNull();
    assertThat(completed.usage().orElseThrow().outputTokens()).isEqualTo(output);
    assertThat(completed.usage().orElseThrow().inputTokens()).isEqualTo(whole.usage().orElseThrow().inputTokens());
  }

  @Test
  void aResponsesFunctionCallIsAnsweredOnTheNextTurnThroughPreviousResponseId() {
    Response asked = sdk.askForTheWeather(SERVED);
    List<ResponseFunctionToolCall> calls = functionCalls(asked);
    assertThat(calls).extracting(ResponseFunctionToolCall::name).containsExactly("get_weather");

    Response answered = sdk.answerCall(SERVED, asked, calls.getFirst());
    assertThat(answered.output()).isNotEmpty();
    JsonNode messages = lastSent().path("messages");
    assertThat(messages.get(1).path("tool_calls").get(0).path("id").asString()).isEqualTo(calls.getFirst().callId());
    assertThat(messages.get(2).path("role").asString()).isEqualTo("tool");
  }
}
