package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.testing.GatewayExtension;
import dev.junction.testing.OpenAiSpec;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every JSON document Junction emits on the OpenAI endpoints, stream chunks included, validates
 * against the official OpenAI OpenAPI schemas.
 */
class SpecConformanceTest {

  private static final String TOOLS = """
      "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
      "properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}}}]""";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();
  final OpenAiSpec spec = OpenAiSpec.load();

  private static String chat(String extra) {
    return "{\"model\":\"test/chat\",\"max_tokens\":6,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\"}]}]" + extra + "}";
  }

  private static HttpResponse<String> ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  /** The JSON payloads of a stream's events, without the closing {@code [DONE]}. */
  private static List<String> events(String body) {
    assertThat(body).endsWith("data: [DONE]\n\n");
    return Arrays.stream(body.split("\n\n"))
        .map(event -> event.substring("data: ".length()))
        .filter(data -> !data.equals("[DONE]"))
        .toList();
  }

  @Test
  void aChatCompletionMatchesCreateChatCompletionResponse() {
    spec.assertValid("CreateChatCompletionResponse", ok(junction.post("/chat/completions", chat(""))).body());
  }

  @Test
  void aToolCallCompletionMatchesCreateChatCompletionResponse() {
    String body = ok(junction.post("/chat/completions", chat("," + TOOLS))).body();
    assertThat(body).contains("\"tool_calls\"");
    spec.assertValid("CreateChatCompletionResponse", body);
  }

  @Test
  void everyStreamChunkMatchesCreateChatCompletionStreamResponse() {
    String body = ok(junction.post("/chat/completions",
        chat(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"))).body();
    List<String> events = events(body);
    assertThat(events).hasSizeGreaterThan(3);
    assertThat(events.getLast()).contains("\"usage\":{");
    events.forEach(chunk -> spec.assertValid("CreateChatCompletionStreamResponse", chunk));
  }

  @Test
  void everyStreamedToolCallChunkMatchesCreateChatCompletionStreamResponse() {
    String body = ok(junction.post("/chat/completions", chat(",\"stream\":true," + TOOLS))).body();
    assertThat(body).contains("\"tool_calls\"");
    events(body).forEach(chunk -> spec.assertValid("CreateChatCompletionStreamResponse", chunk));
  }

  @Test
  void aTextCompletionMatchesCreateCompletionResponse() {
    String body = ok(junction.post("/completions",
        "{\"model\":\"test/chat\",\"prompt\":\"Once upon a time\",\"max_tokens\":5}")).body();
    spec.assertValid("CreateCompletionResponse", body);
  }

  @Test
  void embeddingsMatchCreateEmbeddingResponse() {
    String body = ok(junction.post("/embeddings",
        "{\"model\":\"test/embed\",\"input\":[\"one\",\"two\"]}")).body();
    spec.assertValid("CreateEmbeddingResponse", body);
  }

  @Test
  void theModelListMatchesListModelsResponse() {
    spec.assertValid("ListModelsResponse", ok(junction.get("/models")).body());
  }

  @Test
  void oneModelMatchesModel() {
    spec.assertValid("Model", ok(junction.get("/models/test/chat")).body());
  }

  @Test
  void everyKindOfErrorMatchesErrorResponse() {
    List<HttpResponse<String>> errors = List.of(
        junction.post("/chat/completions", "{not json"),
        junction.post("/chat/completions", "{\"model\":\"test/chat\"}"),
        junction.post("/chat/completions", "{\"model\":\"nobody/serves-this\",\"messages\":[]}"),
        junction.post("/chat/completions", chat(""), Map.of()),
        junction.post("/chat/completions", chat("").replace("test/chat", "fault:status=429:sim-a")),
        junction.post("/chat/completions", chat("").replace("test/chat", "fault:status=500:sim-a")),
        junction.get("/models/nobody/serves-this"));
    for (HttpResponse<String> error : errors) {
      assertThat(error.statusCode()).as(error.body()).isGreaterThanOrEqualTo(400);
      spec.assertValid("ErrorResponse", error.body());
    }
  }

  @Test
  void theErrorEventThatEndsABrokenStreamMatchesErrorResponse() {
    String body = ok(junction.post("/chat/completions", chat(",\"stream\":true").replace("test/chat", "fault:cut=4:sim-a"))).body();
    String[] events = body.strip().split("\n\n");
    String last = events[events.length - 1].substring("data: ".length());
    assertThat(last).contains("\"error\"");
    spec.assertValid("ErrorResponse", last);
    for (int i = 0; i < events.length - 1; i++) {
      spec.assertValid("CreateChatCompletionStreamResponse", events[i].substring("data: ".length()));
    }
  }
}
