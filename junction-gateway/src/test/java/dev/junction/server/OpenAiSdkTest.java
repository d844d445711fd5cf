package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The official OpenAI Java SDK, pointed at Junction in front of the simulator, just works. */
class OpenAiSdkTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static ChatCompletionCreateParams.Builder hello() {
    return ChatCompletionCreateParams.builder()
        .model(GatewayExtension.CHAT_MODEL)
        .addUserMessage("Say hello to the gateway.")
        .maxCompletionTokens(12);
  }

  @Test
  void aChatCompletionComesBackWithContentUsageAndOneBilledLedgerRecord() {
    HttpResponseFor<ChatCompletion> raw = sdk.openAi().chat().completions().withRawResponse().create(hello().build());
    ChatCompletion completion = raw.parse();

    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    var usage = completion.usage().orElseThrow();
    assertThat(usage.completionTokens()).isEqualTo(12);
    assertThat(raw.headers().values("x-junction-provider")).containsExactly("sim-a");
    assertThat(raw.headers().values("x-junction-attempts")).containsExactly("1");

    String id = raw.headers().values("x-junction-request-id").getFirst();
    LedgerRecord record = junction.record(id);
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(record.model()).isEqualTo(GatewayExtension.CHAT_MODEL);
    assertThat(record.provider()).isEqualTo("sim-a");
    assertThat(record.providerModel()).isEqualTo("sim-chat-a");
    assertThat(record.inputTokens()).isEqualTo(usage.promptTokens());
    assertThat(record.outputTokens()).isEqualTo(12);
    // 1.0 and 2.0 USD per million tokens: 1,000 and 2,000 nano-USD a token, exactly.
    assertThat(record.costNanos()).isEqualTo(usage.promptTokens() * 1_000 + 12 * 2_000);
    assertThat(record.stream()).isFalse();
    assertThat(record.attempts()).isEqualTo(1);
  }

  @Test
  void aStreamAssemblesTheSameTextAndEndsWithTheUsageChunkItAskedFor() {
    String expected = sdk.openAi().chat().completions().create(hello().build())
        .choices().getFirst().message().content().orElseThrow();
    List<ChatCompletionChunk> chunks = sdk.chunks(hello()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    assertThat(OfficialSdks.text(chunks)).isEqualTo(expected);
    ChatCompletionChunk last = chunks.getLast();
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(12));
  }

  @Test
  void aStreamThatDidNotAskForUsageGetsNoneButIsStillBilled() {
    String body = """
        {"model":"chat","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"count"}]}""";
    var response = junction.post("/chat/completions", body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain("\"prompt_tokens\"").endsWith("data: [DONE]\n\n");

    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.stream()).isTrue();
    assertThat(record.outputTokens()).isEqualTo(5);
    assertThat(record.inputTokens()).isPositive();
    assertThat(record.ttftMs()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void streamedToolCallArgumentsAssembleIntoValidJson() {
    FunctionDefinition weather = FunctionDefinition.builder()
        .name("get_weather")
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of(
                "city", Map.of("type", "string"),
                "days", Map.of("type", "integer"))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city", "days")))
            .build())
        .build();
    ChatCompletionCreateParams params = hello().addFunctionTool(weather).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    int deltas = 0;
    try (StreamResponse<ChatCompletionChunk> stream = sdk.openAi().chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        accumulator.accumulate(chunk);
        deltas += chunk.choices().stream().mapToInt(c -> c.delta().toolCalls().map(List::size).orElse(0)).sum();
      }
    }
    assertThat(deltas).as("arguments arrive in several deltas").isGreaterThan(2);
    var message = accumulator.chatCompletion().choices().getFirst().message();
    ChatCompletionMessageFunctionToolCall call = message.toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    JsonNode arguments = Json.MAPPER.readTree(call.function().arguments());
    assertThat(arguments.get("city").isString()).isTrue();
    assertThat(arguments.get("days").isIntegralNumber()).isTrue();
  }

  @Test
  void parallelToolCallsStreamThroughIntactAndAssembleSeparately() {
    FunctionDefinition time = FunctionDefinition.builder().name("get_time")
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("zone", Map.of("type", "string"))))
            .build())
        .build();
    FunctionDefinition weather = FunctionDefinition.builder().name("get_weather")
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .build())
        .build();
    ChatCompletionCreateParams params = hello().addFunctionTool(time).addFunctionTool(weather).build();
    var calls = sdk.accumulated(params).choices().getFirst().message().toolCalls().orElseThrow();
    assertThat(calls).extracting(c -> c.asFunction().function().name()).containsExactly("get_time", "get_weather");
    assertThat(Json.MAPPER.readTree(calls.get(0).asFunction().function().arguments()).get("zone").isString()).isTrue();
    assertThat(Json.MAPPER.readTree(calls.get(1).asFunction().function().arguments()).get("city").isString()).isTrue();
    ChatCompletion whole = sdk.openAi().chat().completions().create(params);
    assertThat(whole.choices().getFirst().message().toolCalls().orElseThrow()).hasSize(2);
  }

  @Test
  void embeddingsComeBackWithOneVectorPerInput() {
    CreateEmbeddingResponse response = sdk.openAi().embeddings().create(EmbeddingCreateParams.builder()
        .model(GatewayExtension.EMBED_MODEL)
        .inputOfArrayOfStrings(List.of("one", "two"))
        .build());
    assertThat(response.data()).hasSize(2);
    assertThat(response.data().getFirst().embedding()).isNotEmpty();
    assertThat(response.usage().promptTokens()).isPositive();
  }

  @Test
  void theModelListNamesEveryServedModel() {
    List<Model> models = sdk.openAi().models().list().data();
    assertThat(models).extracting(Model::id).contains(GatewayExtension.CHAT_MODEL, GatewayExtension.EMBED_MODEL);
    assertThat(sdk.openAi().models().retrieve(GatewayExtension.CHAT_MODEL).id()).isEqualTo(GatewayExtension.CHAT_MODEL);
  }
}
