package dev.junction.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The simulator's Azure OpenAI API: as strict as Azure about its paths, api-version and key, with the
 * content filter results Azure adds to answers and streams, and its content filter refusal.
 */
class AzureOpenAiTest {

  private static final String KEY = "azure-right-key";
  private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"say hello\"}],\"max_tokens\":5";
  private static final String CHAT = "/openai/deployments/gpt-4o-prod/chat/completions";

  static Vertx vertx;
  static Simulator sim;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-azure").withApiKey(KEY));
  }

  @AfterAll
  static void stop() {
    sim.close();
    vertx.close().await();
  }

  private HttpResponse<String> post(String pathAndQuery, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl().replaceFirst("/v1$", "") + pathAndQuery))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return AnthropicMessagesTest.send(http, request.build());
  }

  private static JsonNode json(String body) {
    return SimulatorJson.MAPPER.readTree(body);
  }

  @Test
  void aDeploymentAnswersAsItselfWithThePromptsAndEachChoicesFilterResults() {
    HttpResponse<String> answer = post(CHAT + "?api-version=2024-10-21", HELLO + ",\"model\":\"anything\"}",
        Map.of("api-key", KEY));
    assertThat(answer.statusCode()).isEqualTo(200);
    JsonNode body = json(answer.body());
    assertThat(body.path("model").asString()).isEqualTo("gpt-4o-prod");
    assertThat(body.path("prompt_filter_results").get(0).path("content_filter_results").path("hate")
        .path("severity").asString()).isEqualTo("safe");
    assertThat(body.path("choices").get(0).path("content_filter_results").path("violence").path("filtered").asBoolean())
        .isFalse();
    assertThat(sim.received().getLast().query()).isEqualTo("api-version=2024-10-21");
  }

  @Test
  void aStreamOpensWithAChunkOfNoChoicesThatCarriesThePromptsFilterResults() {
    HttpResponse<String> answer = post(CHAT + "?api-version=2024-10-21", HELLO + ",\"stream\":true}",
        Map.of("api-key", KEY));
    List<JsonNode> chunks = Arrays.stream(answer.body().split("\n\n")).filter(e -> !e.isBlank())
        .map(e -> e.substring("data: ".length())).filter(d -> !d.equals("[DONE]")).map(AzureOpenAiTest::json).toList();
    assertThat(chunks.getFirst().path("choices")).isEmpty();
    assertThat(chunks.getFirst().has("prompt_filter_results")).isTrue();
    assertThat(chunks.get(2).path("choices").get(0).path("content_filter_results").has("sexual")).isTrue();
    assertThat(chunks.get(2).path("model").asString()).isEqualTo("gpt-4o-prod");
    assertThat(answer.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void aDeploymentPathWithoutApiVersionIsNotFoundAndTheV1PathNeedsNone() {
    assertThat(post(CHAT, HELLO + "}", Map.of("api-key", KEY)).statusCode()).isEqualTo(404);
    assertThat(post("/openai/deployments/gpt-4o-prod/chat/answers?api-version=2024-10-21", HELLO + "}", Map.of("api-key", KEY))
        .statusCode()).isEqualTo(404);
    HttpResponse<String> v1 = post("/openai/v1/chat/completions", HELLO + ",\"model\":\"gpt-4o-v1\"}",
        Map.of("authorization", "Bearer " + KEY));
    assertThat(v1.statusCode()).isEqualTo(200);
    assertThat(json(v1.body()).path("model").asString()).isEqualTo("gpt-4o-v1");
  }

  @Test
  void aMissingOrWrongKeyIsRefusedWithAzuresAccessDenied() {
    HttpResponse<String> none = post(CHAT + "?api-version=2024-10-21", HELLO + "}", Map.of());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(json(none.body()).path("error").path("message").asString()).startsWith("Access denied");
    assertThat(post(CHAT + "?api-version=2024-10-21", HELLO + "}", Map.of("api-key", "wrong")).statusCode())
        .isEqualTo(401);
  }

  @Test
  void aContentFilterFaultIsA400WhoseCodeIsContentFilter() {
    HttpResponse<String> refused = post("/openai/deployments/fault%3Acontent-filter/chat/completions?api-version=v",
        HELLO + "}", Map.of("api-key", KEY));
    assertThat(refused.statusCode()).isEqualTo(400);
    JsonNode error = json(refused.body()).path("error");
    assertThat(error.path("code").asString()).isEqualTo("content_filter");
    assertThat(error.path("innererror").path("code").asString()).isEqualTo("ResponsibleAIPolicyViolation");
  }
}
