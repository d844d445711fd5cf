package dev.junction.server;

import static dev.junction.server.OfficialSdks.function;
import static dev.junction.server.OfficialSdks.hello;
import static dev.junction.server.OfficialSdks.helloStreamedWithUsage;
import static dev.junction.server.OfficialSdks.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK against the gateway, served by providers of kind azure: OpenAI's bodies
 * passed through (the model replaced) to a deployment's path with its {@code api-version}, or to
 * Azure's v1 API, the key in {@code api-key} or an Entra ID token as a bearer; Azure's content filter
 * results reach the client untouched, a content filter refusal is the client's own 400, and a
 * throttled deployment fails over.
 */
class OpenAiToAzureTest {

  private static final String SERVED = "azure/served";
  private static final String V1 = "azure/v1";
  private static final String EMBED = "azure/embed";
  private static final String FILTERED = "azure/filtered";
  private static final String THROTTLED_FIRST = "azure/throttled-first";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(
          SimulatorOptions.defaults().withName("sim-oa"),
          SimulatorOptions.defaults().withName("sim-az").withApiKey(GatewayExtension.PROVIDER_KEY))
      .server("default_policy: preferred")
      .providers("""
          providers:
            - { name: oa, base_url: "${SIM_OA}" }
            - { name: az, kind: azure, base_url: "${SIM_AZ_ROOT}", api_key: "${PROVIDER_KEY}" }
            - { name: azv1, kind: azure, api_version: v1, auth: bearer, base_url: "${SIM_AZ_ROOT}",
                api_key: "${PROVIDER_KEY}" }
          """)
      .models("""
            - id: azure/served
              providers:
                - { provider: az, model: gpt-4o-prod, input_price: 2.5, output_price: 10.0 }
            - id: azure/v1
              providers:
                - { provider: azv1, model: gpt-4o-v1, input_price: 2.5, output_price: 10.0 }
            - id: azure/embed
              providers:
                - { provider: az, model: embed-prod, input_price: 0.02, output_price: 0 }
            - id: azure/filtered
              providers:
                - { provider: az, model: "fault:content-filter", input_price: 2.5, output_price: 10.0 }
                - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
            - id: azure/throttled-first
              providers:
                - { provider: az, model: "fault:status=429,retry-after=3", input_price: 2.5, output_price: 10.0 }
                - { provider: oa, model: sim-gpt, input_price: 1.0, output_price: 2.0 }
          """)
      .build();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  private static Simulator azure() {
    return junction.simulator("sim-az");
  }

  @Test
  void aCompletionGoesToTheDeploymentsPathWithItsApiVersionAndTheKeyInApiKey() {
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(SERVED).build());
    ChatCompletion completion = raw.parse();
    assertThat(completion.choices().getFirst().message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.model()).isEqualTo("gpt-4o-prod");

    Simulator.Received sent = azure().received().getLast();
    assertThat(sent.path()).isEqualTo("/openai/deployments/gpt-4o-prod/chat/completions");
    assertThat(sent.query()).isEqualTo("api-version=2024-10-21");
    assertThat(sent.headers()).containsEntry("api-key", GatewayExtension.PROVIDER_KEY).doesNotContainKey("authorization");
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.path("model").asString()).isEqualTo("gpt-4o-prod");
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(12);

    // Azure's own fields are the provider's bytes, passed through.
    assertThat(completion._additionalProperties()).containsKey("prompt_filter_results");
    var usage = completion.usage().orElseThrow();
    LedgerRecord record = junction.record(raw.headers().values("x-junction-request-id").getFirst());
    assertThat(record.inputTokens()).isEqualTo(usage.promptTokens());
    assertThat(record.outputTokens()).isEqualTo(12);
    assertThat(record.costNanos()).isEqualTo(usage.promptTokens() * 2_500 + 12 * 10_000);
  }

  @Test
  void aStreamPassesAzuresFilterChunkWithNoChoicesThroughAndEndsWithTheUsage() {
    ChatCompletion whole = sdk.openAi().chat().completions().create(hello(SERVED).build());
    List<ChatCompletionChunk> chunks = sdk.chunks(helloStreamedWithUsage(SERVED));
    assertThat(chunks.getFirst().choices()).isEmpty();
    assertThat(chunks.getFirst()._additionalProperties()).containsKey("prompt_filter_results");
    assertThat(text(chunks)).isEqualTo(whole.choices().getFirst().message().content().orElseThrow());
    var streamed = chunks.getLast().usage().orElseThrow();
    assertThat(streamed.promptTokens()).isEqualTo(whole.usage().orElseThrow().promptTokens());
    assertThat(streamed.completionTokens()).isEqualTo(12);

    JsonNode sent = Json.MAPPER.readTree(azure().received().getLast().body());
    assertThat(sent.path("stream").asBoolean()).isTrue();
    assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void aStreamTheClientAskedNoUsageForStillCarriesItsFilterChunkAndIsBilled() {
    var answer = junction.post("/chat/completions", """
        {"model":"%s","stream":true,"max_tokens":12,"messages":[{"role":"user","content":"Say hello."}]}"""
        .formatted(SERVED));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).startsWith("data: {\"choices\":[],").contains("\"prompt_filter_results\"")
        .doesNotContain("\"usage\":{").endsWith("data: [DONE]\n\n");
    LedgerRecord record = junction.record(answer.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.outputTokens()).isEqualTo(12);
  }

  @Test
  void aToolCallComesBackAsOpenAisOwn() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model(SERVED)
        .addUserMessage("What is the weather in Paris?")
        .addFunctionTool(function("get_weather", "city"))
        .build();
    ChatCompletion whole = sdk.openAi().chat().completions().create(params);
    var call = whole.choices().getFirst().message().toolCalls().orElseThrow().getFirst().asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(Json.MAPPER.readTree(call.function().arguments()).get("city").isString()).isTrue();
    assertThat(whole.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);

    assertThat(sdk.accumulated(params).choices().getFirst().message().toolCalls().orElseThrow())
        .extracting(c -> c.asFunction().function().name()).containsExactly("get_weather");
    JsonNode sent = Json.MAPPER.readTree(azure().received().getLast().body());
    assertThat(sent.path("tools").get(0).path("function").path("name").asString()).isEqualTo("get_weather");
  }

  @Test
  void theV1ApiTakesTheDeploymentInTheBodyWithNoApiVersionAndAnEntraTokenAsBearer() {
    ChatCompletion completion = sdk.openAi().chat().completions().create(hello(V1).build());
    assertThat(completion.model()).isEqualTo("gpt-4o-v1");
    Simulator.Received sent = azure().received().getLast();
    assertThat(sent.path()).isEqualTo("/openai/v1/chat/completions");
    assertThat(sent.query()).isEmpty();
    assertThat(sent.headers()).containsEntry("authorization", "Bearer " + GatewayExtension.PROVIDER_KEY)
        .doesNotContainKey("api-key");
    assertThat(Json.MAPPER.readTree(sent.body()).path("model").asString()).isEqualTo("gpt-4o-v1");
  }

  @Test
  void embeddingsGoToTheDeploymentsEmbeddingsPath() {
    CreateEmbeddingResponse response = sdk.openAi().embeddings().create(EmbeddingCreateParams.builder()
        .model(EMBED).inputOfArrayOfStrings(List.of("one", "two")).build());
    assertThat(response.data()).hasSize(2);
    Simulator.Received sent = azure().received().getLast();
    assertThat(sent.path()).isEqualTo("/openai/deployments/embed-prod/embeddings");
    assertThat(sent.query()).isEqualTo("api-version=2024-10-21");
  }

  @Test
  void anAnthropicClientReachesAnAzureDeploymentTranslatedWholeAndStreamedPastTheFilterChunk() {
    String messages = """
        {"model":"%s","max_tokens":12,"messages":[{"role":"user","content":"Say hello to the gateway."}]%s}""";
    var whole = junction.post("/messages", messages.formatted(SERVED, ""));
    assertThat(whole.statusCode()).isEqualTo(200);
    JsonNode answer = Json.MAPPER.readTree(whole.body());
    assertThat(answer.path("type").asString()).isEqualTo("message");
    assertThat(answer.path("usage").path("output_tokens").asInt()).isEqualTo(12);
    assertThat(azure().received().getLast().path()).isEqualTo("/openai/deployments/gpt-4o-prod/chat/completions");

    var streamed = junction.post("/messages", messages.formatted(SERVED, ",\"stream\":true"));
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.body()).startsWith("event: message_start").contains("event: content_block_delta")
        .contains("event: message_stop").doesNotContain("event: error");
    JsonNode start = Json.MAPPER.readTree(streamed.body().lines().filter(l -> l.startsWith("data: ")).findFirst()
        .orElseThrow().substring(6));
    // The filter chunk's empty id and model do not become the message's.
    assertThat(start.path("message").path("id").asString()).isNotEmpty();
    assertThat(start.path("message").path("model").asString()).isNotEmpty();
    StringBuilder text = new StringBuilder();
    streamed.body().lines().filter(l -> l.startsWith("data: ")).map(l -> Json.MAPPER.readTree(l.substring(6)))
        .filter(e -> e.path("type").asString().equals("content_block_delta"))
        .forEach(e -> text.append(e.path("delta").path("text").asString()));
    assertThat(text.toString()).isEqualTo(answer.path("content").get(0).path("text").asString());
  }

  @Test
  void aContentFilterRefusalIsTheClientsOwn400InOpenAisFormatAndNoOtherProviderIsAsked() {
    int before = junction.simulator("sim-oa").received().size();
    HttpResponse<String> refused = junction.post("/chat/completions", """
        {"model":"%s","max_tokens":12,"messages":[{"role":"user","content":"Say hello."}]}""".formatted(FILTERED));
    assertThat(refused.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(refused.body()).path("error");
    assertThat(error.path("code").asString()).isEqualTo("content_filter");
    assertThat(error.path("param").asString()).isEqualTo("prompt");
    assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asString()).contains("content management policy");
    assertThat(junction.simulator("sim-oa").received()).hasSize(before);
  }

  @Test
  void aThrottledDeploymentFailsOverToAnotherProvider() {
    var raw = sdk.openAi().chat().completions().withRawResponse().create(hello(THROTTLED_FIRST).build());
    assertThat(raw.parse().choices().getFirst().message().content()).isPresent();
    assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
    assertThat(azure().received().getLast().path())
        .isEqualTo("/openai/deployments/fault%3Astatus%3D429%2Cretry-after%3D3/chat/completions");
  }
}
