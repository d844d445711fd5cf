package dev.junction.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The simulator's Gemini API: as strict as Gemini's, in Google's error format, whole and streamed. */
class GeminiGenerateContentTest {

  private static final String KEY = "gemini-right";
  private static final String TOOL = "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\","
      + "\"parametersJsonSchema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}]}]";

  static Vertx vertx;
  static Simulator sim;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-gemini").withPromptCache(8, 4).withApiKey(KEY));
  }

  @AfterAll
  static void stop() {
    sim.close();
    vertx.close().await();
  }

  private HttpResponse<String> call(String method, String body, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "beta/models/gem-test:" + method))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) request.header("x-goog-api-key", key);
    return AnthropicMessagesTest.send(http, request.build());
  }

  private HttpResponse<String> generate(String body) {
    return call("generateContent", body, KEY);
  }

  private static JsonNode json(String body) {
    return SimulatorJson.MAPPER.readTree(body);
  }

  private static void assertRefused(HttpResponse<String> response, int status, String code, String says) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = json(response.body()).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(status);
    assertThat(error.path("status").asString()).isEqualTo(code);
    assertThat(error.path("message").asString()).contains(says);
  }

  @Test
  void whatGeminiRefusesItRefusesInGooglesFormat() {
    assertRefused(generate("{}"), 400, "INVALID_ARGUMENT", "contents is not specified");
    assertRefused(generate("{\"contents\":[{\"role\":\"system\",\"parts\":[{\"text\":\"be brief\"}]}]}"),
        400, "INVALID_ARGUMENT", "valid role: user, model");
    assertRefused(generate("{\"contents\":[{\"role\":\"assistant\",\"parts\":[{\"text\":\"hi\"}]}]}"),
        400, "INVALID_ARGUMENT", "valid role");
    assertRefused(generate("{\"model\":\"m\",\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}"),
        400, "INVALID_ARGUMENT", "Unknown name \"model\"");
    assertRefused(generate("{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"generationConfig\":{\"max_tokens\":5}}"),
        400, "INVALID_ARGUMENT", "Unknown name \"max_tokens\"");
    assertRefused(generate("{\"contents\":[{\"parts\":[{\"text\":\"hi\",\"inlineData\":{\"mimeType\":\"image/png\","
        + "\"data\":\"AA==\"}}]}]}"), 400, "INVALID_ARGUMENT", "oneof field 'data'");
    assertRefused(call("generateContent", "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}", null),
        403, "PERMISSION_DENIED", "API key");
    assertRefused(call("generateContent", "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}", "wrong"),
        400, "INVALID_ARGUMENT", "API key not valid");
  }

  @Test
  void aRepeatedPromptReportsItsCachedTokensInsidePromptTokenCount() {
    String body = "{\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}]},\"contents\":[{\"role\":\"user\","
        + "\"parts\":[{\"text\":\"Say hello to the simulator in a few words of your own, please.\"}]}],"
        + "\"generationConfig\":{\"maxOutputTokens\":5}}";
    JsonNode first = json(generate(body).body());
    JsonNode second = json(generate(body).body());
    assertThat(first.path("usageMetadata").has("cachedContentTokenCount")).isFalse();
    JsonNode usage = second.path("usageMetadata");
    assertThat(usage.path("cachedContentTokenCount").asLong()).isPositive()
        .isLessThanOrEqualTo(usage.path("promptTokenCount").asLong());
    assertThat(usage.path("candidatesTokenCount").asInt()).isEqualTo(5);
    assertThat(usage.path("totalTokenCount").asLong()).isEqualTo(usage.path("promptTokenCount").asLong() + 5);
    assertThat(second.path("candidates").get(0).path("finishReason").asString()).isEqualTo("MAX_TOKENS");
    assertThat(second.path("candidates").get(0).path("content").path("role").asString()).isEqualTo("model");
  }

  @Test
  void aFunctionCallIsSignedAndRefusedOnTheNextTurnWithoutItsSignature() {
    JsonNode answer = json(generate("{\"contents\":[{\"parts\":[{\"text\":\"weather in Paris?\"}]}]," + TOOL + "}").body());
    JsonNode part = answer.path("candidates").get(0).path("content").path("parts").get(0);
    assertThat(part.path("functionCall").path("name").asString()).isEqualTo("get_weather");
    String signature = part.path("thoughtSignature").asString();
    assertThat(signature).isNotEmpty();

    String call = "{\"functionCall\":{\"name\":\"get_weather\",\"args\":" + part.path("functionCall").path("args") + "}";
    String rest = "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":"
        + "{\"output\":\"Sunny\"}}}]}]," + TOOL + "}";
    String history = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"weather in Paris?\"}]},{\"role\":\"model\","
        + "\"parts\":[";
    assertRefused(generate(history + call + "}]}," + rest), 400, "INVALID_ARGUMENT",
        "missing a thought_signature");
    HttpResponse<String> answered = generate(history + call + ",\"thoughtSignature\":\"" + signature + "\"}]}," + rest);
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(json(answered.body()).path("candidates").get(0).path("content").path("parts").get(0).path("text")
        .asString()).isNotBlank();
  }

  @Test
  void aStreamIsServerSentResponsesTheLastWithTheFinishReasonAndTheUsage() {
    String body = "{\"contents\":[{\"parts\":[{\"text\":\"Stream a few words.\"}]}],"
        + "\"generationConfig\":{\"maxOutputTokens\":4,\"thinkingConfig\":{\"thinkingBudget\":512,\"includeThoughts\":true}}}";
    HttpResponse<String> response = call("streamGenerateContent?alt=sse", body, KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
    List<JsonNode> events = new ArrayList<>();
    for (String frame : response.body().split("\r\n\r\n")) {
      assertThat(frame).startsWith("data: ");
      events.add(json(frame.substring(6)));
    }
    long thoughts = events.stream().filter(e -> e.path("candidates").get(0).path("content").path("parts").get(0)
        .path("thought").asBoolean(false)).count();
    assertThat(thoughts).isPositive();
    JsonNode last = events.getLast();
    assertThat(last.path("candidates").get(0).path("finishReason").asString()).isEqualTo("MAX_TOKENS");
    assertThat(last.path("usageMetadata").path("candidatesTokenCount").asInt()).isEqualTo(4);
    assertThat(last.path("usageMetadata").path("thoughtsTokenCount").asLong()).isEqualTo(thoughts);
    assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.has("usageMetadata")).isFalse());
  }
}
