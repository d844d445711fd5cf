package dev.junction.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The simulator's Anthropic Messages API: as strict as Anthropic's, in its format, whole and streamed. */
class AnthropicMessagesTest {

  static Vertx vertx;
  static Simulator sim;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-claude").withPromptCache(8, 4)
        .withApiKey("sk-ant-right"));
  }

  @AfterAll
  static void stop() {
    sim.close();
    vertx.close().await();
  }

  private HttpResponse<String> messages(String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/messages"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(http, request.build());
  }

  /** Sends a request to the simulator and reads its answer as text. */
  static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> messages(String body) {
    return messages(body, Map.of("x-api-key", "sk-ant-right", "anthropic-version", "2023-06-01"));
  }

  private static JsonNode json(HttpResponse<String> response) {
    return SimulatorJson.MAPPER.readTree(response.body());
  }

  private static void assertRefused(HttpResponse<String> response, int status, String type, String says) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = json(response);
    assertThat(error.path("type").asString()).isEqualTo("error");
    assertThat(error.path("error").path("type").asString()).isEqualTo(type);
    assertThat(error.path("error").path("message").asString()).contains(says);
  }

  @Test
  void whatAnthropicRefusesItRefusesInAnthropicsFormat() {
    assertRefused(messages("{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        400, "invalid_request_error", "max_tokens");
    assertRefused(messages("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":\"hi\"}]}"), 400, "invalid_request_error", "top-level `system`");
    assertRefused(messages("{\"model\":\"c\",\"max_tokens\":5,\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        400, "invalid_request_error", "n: Extra inputs");
    assertRefused(messages("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}]},"
        + "{\"role\":\"user\",\"content\":\"and?\"}]}"), 400, "invalid_request_error", "toolu_1");
    assertRefused(messages("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"assistant\",\"content\":"
        + "[{\"type\":\"thinking\",\"thinking\":\"hm\"}]}]}"), 400, "invalid_request_error", "signature");
    assertRefused(messages("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("x-api-key", "sk-ant-wrong", "anthropic-version", "2023-06-01")), 401, "authentication_error", "x-api-key");
    assertRefused(messages("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("x-api-key", "sk-ant-right")), 400, "invalid_request_error", "anthropic-version");
    assertRefused(messages("{\"model\":\"fault:status=529\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        529, "overloaded_error", "Overloaded");
  }

  @Test
  void aStreamCarriesTheSameAnswerAndUsageAsTheWholeMessage() {
    String body = "{\"model\":\"c\",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"You answer in a few words.\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"say hello to the gateway\"}]%s}";
    JsonNode whole = json(messages(body.formatted("")));
    String streamed = messages(body.formatted(",\"stream\":true")).body();

    assertThat(whole.path("stop_reason").asString()).isEqualTo("end_turn");
    StringBuilder text = new StringBuilder();
    List<String> names = new ArrayList<>();
    JsonNode finalUsage = null;
    for (String event : streamed.split("\n\n")) {
      names.add(event.substring("event: ".length(), event.indexOf('\n')));
      JsonNode data = SimulatorJson.MAPPER.readTree(event.substring(event.indexOf("data: ") + 6));
      text.append(data.path("delta").path("text").asString(""));
      if (data.path("type").asString().equals("message_delta")) finalUsage = data.path("usage");
    }
    assertThat(names.getFirst()).isEqualTo("message_start");
    assertThat(names.getLast()).isEqualTo("message_stop");
    assertThat(text.toString()).isEqualTo(whole.path("content").get(0).path("text").asString());
    assertThat(finalUsage.path("output_tokens").asLong()).isEqualTo(whole.path("usage").path("output_tokens").asLong());
    // The second request read what the first wrote to the cache; both mark cache_control.
    assertThat(whole.path("usage").path("cache_creation_input_tokens").asLong()).isPositive();
    JsonNode usage = SimulatorJson.MAPPER.readTree(streamed.substring(streamed.indexOf("data: ") + 6, streamed.indexOf("\n\n")))
        .path("message").path("usage");
    assertThat(usage.path("cache_read_input_tokens").asLong()).isPositive();
  }

  @Test
  void toolsAreCalledInParallelAndTheirResultsAnsweredWithText() {
    String tools = "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}},"
        + "{\"name\":\"get_time\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}}]";
    JsonNode calls = json(messages("{\"model\":\"c\",\"max_tokens\":100," + tools
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"weather and time?\"}]}"));
    assertThat(calls.path("stop_reason").asString()).isEqualTo("tool_use");
    assertThat(calls.path("content")).hasSize(2);
    String first = calls.path("content").get(0).path("id").asString();
    String second = calls.path("content").get(1).path("id").asString();
    assertThat(calls.path("content").get(0).path("input").path("city").isString()).isTrue();

    JsonNode answer = json(messages("{\"model\":\"c\",\"max_tokens\":100," + tools
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"weather and time?\"},{\"role\":\"assistant\",\"content\":"
        + calls.path("content") + "},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + first
        + "\",\"content\":\"sunny\"},{\"type\":\"tool_result\",\"tool_use_id\":\"" + second + "\",\"content\":\"noon\"}]}]}"));
    assertThat(answer.path("content").get(0).path("type").asString()).isEqualTo("text");
    assertThat(answer.path("stop_reason").asString()).isEqualTo("end_turn");
  }
}
