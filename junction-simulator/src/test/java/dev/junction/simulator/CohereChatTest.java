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

/** The simulator's Cohere Chat API v2: as strict as its reference, in Cohere's error format, whole and streamed. */
class CohereChatTest {

  private static final String KEY = "cohere-right";
  private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
      + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}},"
      + "{\"type\":\"function\",\"function\":{\"name\":\"get_time\","
      + "\"parameters\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}}}]";

  static Vertx vertx;
  static Simulator sim;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-cohere").withPromptCache(8, 4).withApiKey(KEY));
  }

  @AfterAll
  static void stop() {
    sim.close();
    vertx.close().await();
  }

  private HttpResponse<String> call(String path, String body, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl().replaceFirst("/v1$", "") + path))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) request.header("Authorization", "Bearer " + key);
    return AnthropicMessagesTest.send(http, request.build());
  }

  private HttpResponse<String> chat(String body) {
    return call("/v2/chat", body, KEY);
  }

  private static JsonNode json(String body) {
    return SimulatorJson.MAPPER.readTree(body);
  }

  private static void assertRefused(HttpResponse<String> response, int status, String says) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = json(response.body());
    assertThat(error.path("id").asString()).isNotEmpty();
    assertThat(error.path("message").asString()).contains(says);
  }

  @Test
  void whatCohereRefusesItRefusesInCoheresFormat() {
    assertRefused(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "model");
    assertRefused(chat("{\"model\":\"command-a\"}"), 400, "messages");
    assertRefused(chat("{\"model\":\"command-a\",\"messages\":[{\"role\":\"developer\",\"content\":\"hi\"}]}"),
        400, "role must be one of system, user, assistant, tool");
    assertRefused(chat("{\"model\":\"command-a\",\"top_p\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        400, "top_p is not a valid field");
    assertRefused(chat("{\"model\":\"command-a\",\"temperature\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        400, "temperature must be between");
    assertRefused(chat("{\"model\":\"command-a\",\"tool_choice\":\"auto\"," + TOOLS
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "REQUIRED, NONE");
    assertRefused(chat("{\"model\":\"command-a\",\"response_format\":{\"type\":\"json_object\"}," + TOOLS
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "not supported with tools");
    assertRefused(chat("{\"model\":\"command-a\",\"stop_sequences\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "at most 5");
    assertRefused(chat("{\"model\":\"command-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"nobody\",\"content\":\"Sunny\"}]}"), 400, "tool_call_id");
    assertRefused(call("/v2/chat", "{\"model\":\"command-a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "wrong"), 401, "invalid api token");
    assertRefused(call("/v2/embed", "{}", KEY), 404, "not found");
  }

  @Test
  void anAnswerCountsBilledUnitsApartFromTheProcessedTokensAndItsPreamble() {
    JsonNode answer = json(chat("{\"model\":\"command-a\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Say hello, please.\"}]}").body());
    assertThat(answer.path("finish_reason").asString()).isEqualTo("MAX_TOKENS");
    assertThat(answer.path("message").path("content").get(0).path("type").asString()).isEqualTo("text");
    JsonNode usage = answer.path("usage");
    assertThat(usage.path("billed_units").path("output_tokens").asLong()).isEqualTo(5);
    assertThat(usage.path("tokens").path("input_tokens").asLong())
        .isEqualTo(usage.path("billed_units").path("input_tokens").asLong() + CohereAnswer.PREAMBLE_TOKENS);
  }

  @Test
  void toolCallsComeAfterTheToolPlanAndTheirResultsAreAnsweredInWords() {
    JsonNode asked = json(chat("{\"model\":\"command-a\"," + TOOLS
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather and time in Paris?\"}]}").body());
    assertThat(asked.path("finish_reason").asString()).isEqualTo("TOOL_CALL");
    JsonNode message = asked.path("message");
    assertThat(message.path("tool_plan").asString()).isEqualTo("I will use the tools.");
    assertThat(message.path("tool_calls")).hasSize(2);
    String id = message.path("tool_calls").get(0).path("id").asString();
    assertThat(id).startsWith("get_weather_");

    JsonNode answered = json(chat("{\"model\":\"command-a\"," + TOOLS
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
        + "{\"role\":\"assistant\",\"tool_plan\":\"I will use the tools.\",\"tool_calls\":[{\"id\":\"" + id
        + "\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"" + id + "\",\"content\":[{\"type\":\"text\",\"text\":\"Sunny\"}]}]}")
        .body());
    assertThat(answered.path("finish_reason").asString()).isEqualTo("COMPLETE");
    assertThat(answered.path("message").path("content").get(0).path("text").asString()).isNotBlank();
  }

  @Test
  void aStreamNamesEachEventAndEndsWithMessageEndCarryingTheUsage() {
    HttpResponse<String> response = chat("{\"model\":\"command-a\",\"stream\":true,\"max_tokens\":4,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello, please.\"}]}");
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> types = new ArrayList<>();
    JsonNode end = null;
    for (String frame : response.body().split("\n\n")) {
      String[] lines = frame.split("\n");
      assertThat(lines[0]).startsWith("event: ");
      JsonNode data = json(lines[1].substring("data: ".length()));
      assertThat(data.path("type").asString()).isEqualTo(lines[0].substring("event: ".length()));
      types.add(data.path("type").asString());
      end = data;
    }
    assertThat(types).containsExactly("message-start", "content-start", "content-delta", "content-delta",
        "content-delta", "content-delta", "content-end", "message-end");
    assertThat(response.body()).doesNotContain("[DONE]");
    assertThat(end.path("delta").path("finish_reason").asString()).isEqualTo("MAX_TOKENS");
    assertThat(end.path("delta").path("usage").path("billed_units").path("output_tokens").asLong()).isEqualTo(4);
  }

  @Test
  void aMalformedFaultBreaksTheStreamAsCohereReportsAFailedGeneration() {
    HttpResponse<String> response = chat("{\"model\":\"fault:malformed\",\"stream\":true,\"max_tokens\":8,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello, please.\"}]}");
    String[] frames = response.body().split("\n\n");
    JsonNode last = json(frames[frames.length - 1].split("\n")[1].substring("data: ".length()));
    assertThat(last.path("type").asString()).isEqualTo("message-end");
    assertThat(last.path("delta").path("finish_reason").asString()).isEqualTo("ERROR");
    assertThat(last.path("delta").path("error").asString()).isNotEmpty();
    assertThat(response.body()).contains("content-delta");
  }

  @Test
  void aStatusFaultAnswersInCoheresFormat() {
    assertRefused(chat("{\"model\":\"fault:status=429\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        429, "Simulated 429");
  }
}
