package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.junction.testing.GatewayExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The official OpenAI and Anthropic SDKs against a test class's gateway, as a client application
 * uses them: each client built on first use, once the gateway is up, without retries, and closed
 * after the class. With them, the requests and the exchanges that the tests of every provider family
 * share, so that each test states only what its family does differently.
 */
final class OfficialSdks implements AfterAllCallback {

  private final GatewayExtension junction;
  private @Nullable OpenAIClient openAi;
  private @Nullable AnthropicClient anthropic;

  OfficialSdks(GatewayExtension junction) {
    this.junction = junction;
  }

  OpenAIClient openAi() {
    if (openAi == null) {
      openAi = OpenAIOkHttpClient.builder().baseUrl(junction.baseUrl()).apiKey(GatewayExtension.MASTER_KEY)
          .maxRetries(0).build();
    }
    return openAi;
  }

  /** Anthropic's SDK, which adds {@code /v1/messages} to the gateway's root. */
  AnthropicClient anthropic() {
    if (anthropic == null) {
      anthropic = AnthropicOkHttpClient.builder().baseUrl(junction.rootUrl()).apiKey(GatewayExtension.MASTER_KEY)
          .maxRetries(0).build();
    }
    return anthropic;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (openAi != null) {
      openAi.close();
      openAi = null;
    }
    if (anthropic != null) {
      anthropic.close();
      anthropic = null;
    }
  }

  // ---- Chat Completions

  /** A short greeting with a system prompt, answered in at most 12 tokens. */
  static ChatCompletionCreateParams.Builder hello(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("You are a terse gateway test.")
        .addUserMessage("Say hello to the gateway, please, in a few words of your own.")
        .maxCompletionTokens(12);
  }

  /**
   * Asserts the answer to {@link #hello}: text cut at its 12 tokens, and the provider's prompt, of
   * which {@code cached} tokens were cache reads, counted once inside {@code prompt_tokens}.
   */
  static void assertGreetingCountsCacheReadsOnce(ChatCompletion completion, long prompt, long cached) {
    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    var usage = completion.usage().orElseThrow();
    assertThat(cached).as("the repeated prompt is partly a cache read").isPositive();
    assertThat(usage.promptTokens()).isEqualTo(prompt);
    assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(cached);
    assertThat(usage.completionTokens()).isEqualTo(12);
  }

  /** {@link #hello}, streamed with the usage in its last chunk. */
  static ChatCompletionCreateParams helloStreamedWithUsage(String model) {
    return hello(model).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
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

  /** A question that takes two calls at once: the weather ({@code city}) and the time ({@code zone}) in Paris. */
  static ChatCompletionCreateParams.Builder weatherAndTime(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage("What is the weather and the time in Paris?")
        .addFunctionTool(function("get_weather", "city"))
        .addFunctionTool(function("get_time", "zone"));
  }

  /**
   * Adds the assistant's turn and, for each of its calls, a result saying {@code Sunny at} the
   * function's name.
   *
   * @return the calls
   */
  static List<ChatCompletionMessageToolCall> answerEachCall(ChatCompletionCreateParams.Builder turns,
      ChatCompletionMessage message) {
    List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElseThrow();
    turns.addMessage(message);
    for (ChatCompletionMessageToolCall call : calls) {
      turns.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
          .content("Sunny at " + call.asFunction().function().name()).build());
    }
    return calls;
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

  /** A question about two images, one by URL and one as a data URL, answered in at most 6 tokens. */
  static ChatCompletionCreateParams twoImages(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .maxCompletionTokens(6)
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
            image("https://example.com/cat.png"),
            image("data:image/png;base64,iVBORw0KGgo=")))
        .build();
  }

  static ChatCompletionContentPart image(String url) {
    return ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(url).build()).build());
  }

  /** The chunks of a streamed completion, in order. */
  List<ChatCompletionChunk> chunks(ChatCompletionCreateParams params) {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = openAi().chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }
    return chunks;
  }

  /** A streamed completion, its chunks put together as the SDK does. */
  ChatCompletion accumulated(ChatCompletionCreateParams params) {
    return accumulated(chunks(params));
  }

  static ChatCompletion accumulated(List<ChatCompletionChunk> chunks) {
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    chunks.forEach(accumulator::accumulate);
    return accumulator.chatCompletion();
  }

  /** The text the chunks' deltas carry, in order. */
  static String text(List<ChatCompletionChunk> chunks) {
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
    return text.toString();
  }

  // ---- the Responses API

  /** A function tool taking one required string. */
  static FunctionTool tool(String name, String property) {
    return FunctionTool.builder()
        .name(name)
        .description("Looks up " + property)
        .strict(false)
        .parameters(FunctionTool.Parameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of(property, Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of(property)))
            .build())
        .build();
  }

  /** The text of a response's messages. */
  static String text(Response response) {
    StringBuilder text = new StringBuilder();
    response.output().forEach(item -> item.message().ifPresent(m -> m.content()
        .forEach(c -> c.outputText().ifPresent(t -> text.append(t.text())))));
    return text.toString();
  }

  static List<ResponseFunctionToolCall> functionCalls(Response response) {
    return response.output().stream().flatMap(item -> item.functionCall().stream()).toList();
  }

  /** A streamed response: the text of its deltas, and the response its completion event carries. */
  record Streamed(String text, @Nullable Response completed) {}

  Streamed streamed(ResponseCreateParams params) {
    StringBuilder deltas = new StringBuilder();
    Response completed = null;
    try (StreamResponse<ResponseStreamEvent> stream = openAi().responses().createStreaming(params)) {
      for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
        event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
        if (event.isCompleted()) {
          completed = event.asCompleted().response();
        }
      }
    }
    return new Streamed(deltas.toString(), completed);
  }

  /** Asks for the weather in Paris, with a tool for it. */
  Response askForTheWeather(String model) {
    return openAi().responses().create(ResponseCreateParams.builder()
        .model(model).addTool(tool("get_weather", "city")).input("What is the weather in Paris?").build());
  }

  /** Answers a call of the response before, {@code Sunny}, in the turn after it ({@code previous_response_id}). */
  Response answerCall(String model, Response asked, ResponseFunctionToolCall call) {
    return openAi().responses().create(ResponseCreateParams.builder()
        .model(model).previousResponseId(asked.id()).addTool(tool("get_weather", "city"))
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId(call.callId()).output("Sunny").build())))
        .build());
  }

  // ---- Anthropic's Messages API

  /** A short greeting with a system prompt, answered in at most 12 tokens. */
  static MessageCreateParams.Builder helloMessage(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(12)
        .system("You are a terse gateway test.")
        .addUserMessage("Say hello to the gateway, please, in a few words of your own.");
  }

  /** A tool that looks up the weather in a {@code city}. */
  static Tool weather() {
    return Tool.builder().name("get_weather").description("Looks up the weather.")
        .inputSchema(Tool.InputSchema.builder()
            .properties(com.anthropic.core.JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .required(List.of("city"))
            .build())
        .build();
  }

  /** A question for {@link #weather}, with room for the call. */
  static MessageCreateParams.Builder weatherQuestion(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(200)
        .addTool(weather())
        .addUserMessage("What is the weather in Paris?");
  }

  static List<ToolUseBlock> toolUses(Message message) {
    return message.content().stream().flatMap(b -> b.toolUse().stream()).toList();
  }

  /** A streamed message, its events put together as the SDK does. */
  Message accumulated(MessageCreateParams params) {
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> stream =
        anthropic().messages().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    return accumulator.message();
  }
}
