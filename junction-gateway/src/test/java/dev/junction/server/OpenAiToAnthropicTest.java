package dev.junction.server;

import static dev.junction.server.OfficialSdks.answerEachCall;
import static dev.junction.server.OfficialSdks.assertGreetingCountsCacheReadsOnce;
import static dev.junction.server.OfficialSdks.cityAndPopulation;
import static dev.junction.server.OfficialSdks.function;
import static dev.junction.server.OfficialSdks.hello;
import static dev.junction.server.OfficialSdks.helloStreamedWithUsage;
import static dev.junction.server.OfficialSdks.text;
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
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.util.List;
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
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static Simulator anthropic() {
    return junction.simulator("sim-an");
  }

  @Test
  void aCompletionServedByAnAnthropicProviderCountsCacheReadsOnceInsidePromptTokens() {
    sdk.openAi().chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).build()); // fills the prompt cache
    Simulator.Stats before = anthropic().stats();
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(TwoFamilies.ANTHROPIC_SERVED).build());
    ChatCompletion completion = raw.parse();
    Simulator.Stats after = anthropic().stats();

    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertGreetingCountsCacheReadsOnce(completion, prompt, cached);

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
    sdk.openAi().chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).build());
    ChatCompletion whole = sdk.openAi().chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).build());
    List<ChatCompletionChunk> chunks = sdk.chunks(helloStreamedWithUsage(TwoFamilies.ANTHROPIC_SERVED));
    assertThat(text(chunks)).isEqualTo(whole.choices().getFirst().message().content().orElseThrow());
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.choices()).isEmpty();
    var streamed = last.usage().orElseThrow();
    var reported = whole.usage().orElseThrow();
    assertThat(streamed.promptTokens()).isEqualTo(reported.promptTokens());
    assertThat(streamed.promptTokensDetails().orElseThrow().cachedTokens())
        .isEqualTo(reported.promptTokensDetails().orElseThrow().cachedTokens());
    assertThat(streamed.completionTokens()).isEqualTo(12);
  }

  @Test
  void parallelToolCallsStreamAsOpenAiDeltasAndTheirResultsGoBackAsToolResults() {
    ChatCompletionCreateParams.Builder first = weatherAndTime(TwoFamilies.ANTHROPIC_SERVED);
    var streamed = sdk.accumulated(first.build()).choices().getFirst();
    List<ChatCompletionMessageToolCall> calls = streamed.message().toolCalls().orElseThrow();
    assertThat(calls).extracting(c -> c.asFunction().function().name()).containsExactly("get_weather", "get_time");
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("city").isString()).isTrue();
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);

    ChatCompletion whole = sdk.openAi().chat().completions().create(first.build());
    var message = whole.choices().getFirst().message();
    answerEachCall(first, message);
    // The simulator, like Anthropic, refuses a tool_use left without its tool_result in the next turn.
    ChatCompletion answered = sdk.openAi().chat().completions().create(first.build());
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
    ChatCompletion asked = sdk.openAi().chat().completions().create(first.build());
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
    ChatCompletion answered = sdk.openAi().chat().completions().create(first.build());
    assertThat(answered.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    JsonNode assistant = Json.MAPPER.readTree(anthropic().received().getLast().body()).path("messages").get(1);
    assertThat(assistant.path("content").get(0).path("type").asString()).isEqualTo("thinking");
    assertThat(assistant.path("content").get(0).path("signature").asString()).startsWith("sig_sim");
  }

  @Test
  void imagesByUrlAndDataUrlReachTheProviderAsAnthropicImageBlocks() {
    ChatCompletionCreateParams params = twoImages(TwoFamilies.ANTHROPIC_SERVED);
    assertThat(sdk.openAi().chat().completions().create(params).usage().orElseThrow().completionTokens()).isEqualTo(6);
    JsonNode content = Json.MAPPER.readTree(anthropic().received().getLast().body()).path("messages").get(0).path("content");
    assertThat(content.get(1).path("source").path("type").asString()).isEqualTo("url");
    assertThat(content.get(2).path("source").path("media_type").asString()).isEqualTo("image/png");
    assertThat(content.get(2).path("source").path("data").asString()).isEqualTo("iVBORw0KGgo=");
  }

  @Test
  void aJsonSchemaIsAnsweredThroughAForcedToolAndComesBackAsContent() {
    ChatCompletionCreateParams params = cityAndPopulation(TwoFamilies.ANTHROPIC_SERVED);
    ChatCompletion completion = sdk.openAi().chat().completions().create(params);
    var message = completion.choices().getFirst().message();
    assertThat(message.toolCalls()).isEmpty();
    JsonNode answer = Json.MAPPER.readTree(message.content().orElseThrow());
    assertThat(answer.get("name").isString()).isTrue();
    assertThat(answer.get("population").isIntegralNumber()).isTrue();
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

    JsonNode sent = Json.MAPPER.readTree(anthropic().received().getLast().body());
    assertThat(sent.path("tool_choice").path("name").asString()).isEqualTo("json_response");

    // Streamed, the forced tool's input arrives as content deltas.
    var streamed = sdk.accumulated(params).choices().getFirst();
    assertThat(streamed.message().toolCalls().orElse(List.of())).isEmpty();
    assertThat(Json.MAPPER.readTree(streamed.message().content().orElseThrow())).isEqualTo(answer);
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
  }

  @Test
  void aParameterAnthropicCannotHonourIsRefusedNamingItAndTheProvider() {
    assertThatThrownBy(() -> sdk.openAi().chat().completions()
        .create(hello(TwoFamilies.ANTHROPIC_SERVED).logprobs(true).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.body().toString()).contains("param=logprobs,");
          assertThat(e.getMessage()).contains("provider an").contains("anthropic");
        });
    assertThatThrownBy(() -> sdk.openAi().chat().completions().create(hello(TwoFamilies.ANTHROPIC_SERVED).n(2).build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.body().toString()).contains("param=n,"));
  }

  @Test
  void aParameterOneFamilyCannotHonourMovesTheRequestToACandidateOfTheOther() {
    long before = anthropic().stats().requests();
    var raw = sdk.openAi().chat().completions().withRawResponse()
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
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(TwoFamilies.OVERLOADED_FIRST).build());
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
