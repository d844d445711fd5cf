package dev.junction.translate;

import static dev.junction.translate.Golden.anthropic;
import static dev.junction.translate.Golden.dataEvents;
import static dev.junction.translate.Golden.feed;
import static dev.junction.translate.Golden.openAi;
import static dev.junction.translate.Golden.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.api.AnswerStream;
import dev.junction.api.ApiError;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Payloads written from the providers' published API references (under {@code translate/} in the
 * test resources), translated and compared with what the other family's reference says they mean.
 */
class TranslationGoldenTest {

  @Test
  void anOpenAiConversationWithImagesAndParallelToolResultsBecomesAnthropicsEquivalent() {
    InspectedRequest request = openAi(resource("openai-request.json"));
    byte[] sent = Translation.request(request, Family.ANTHROPIC, "claude-test", true, "an");
    assertThat(Json.MAPPER.readTree(sent)).isEqualTo(Json.MAPPER.readTree(resource("anthropic-from-openai-request.json")));
  }

  @Test
  void anAnthropicAnswerBecomesAnOpenAiCompletionWithEveryCacheClassInsidePromptTokens() {
    InspectedRequest request = openAi("""
        {"model":"m","messages":[{"role":"user","content":"weather?"}]}""");
    Translation.Whole whole = Translation.whole(request, Family.ANTHROPIC, resource("anthropic-message.json"));
    ObjectNode actual = (ObjectNode) Json.MAPPER.readTree(whole.body());
    assertThat(actual.remove("created").isIntegralNumber()).isTrue();
    assertThat(actual).isEqualTo(Json.MAPPER.readTree(resource("openai-from-anthropic-message.json")));
    assertThat(whole.usage()).isEqualTo(new Usage(622, 89, 100, 50));
  }

  @Test
  void anAnthropicStreamBecomesOpenAiChunksAsItArrivesHoweverItIsCut() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
    byte[] upstream = resource("anthropic-stream.sse");
    String whole = feed(Translation.stream(request, Family.ANTHROPIC), upstream, upstream.length);
    String bytewise = feed(Translation.stream(request, Family.ANTHROPIC), upstream, 1);
    assertThat(bytewise.replaceAll("\"created\":\\d+", "")).isEqualTo(whole.replaceAll("\"created\":\\d+", ""));

    List<JsonNode> chunks = dataEvents(whole);
    assertThat(whole).endsWith("data: [DONE]\n\n");
    StringBuilder text = new StringBuilder();
    StringBuilder arguments = new StringBuilder();
    for (JsonNode chunk : chunks) {
      for (JsonNode choice : chunk.path("choices")) {
        text.append(choice.path("delta").path("content").asString(""));
        for (JsonNode call : choice.path("delta").path("tool_calls")) {
          arguments.append(call.path("function").path("arguments").asString(""));
        }
      }
    }
    assertThat(text.toString()).isEqualTo("Okay, let's check the weather.");
    assertThat(Json.MAPPER.readTree(arguments.toString()).path("city").asString()).isEqualTo("San Francisco");
    JsonNode finish = chunks.get(chunks.size() - 2);
    assertThat(finish.path("choices").get(0).path("finish_reason").asString()).isEqualTo("tool_calls");
    JsonNode usage = chunks.getLast().path("usage");
    assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(622);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(100);
    assertThat(usage.path("completion_tokens").asLong()).isEqualTo(89);
  }

  @Test
  void theStreamedUsageEqualsTheWholeAnswersForTheRecord() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    AnswerStream stream = Translation.stream(request, Family.ANTHROPIC);
    String out = feed(stream, resource("anthropic-stream.sse"), 64);
    assertThat(stream.done()).isTrue();
    assertThat(stream.usage()).isEqualTo(new Usage(622, 89, 100, 50));
    assertThat(out).as("the client did not ask for the usage chunk").doesNotContain("\"usage\"");
  }

  @Test
  void anOpenAiStreamBecomesAnthropicEventsWithTheUsageOfItsLastChunk() {
    InspectedRequest request = anthropic("""
        {"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    AnswerStream stream = Translation.stream(request, Family.OPENAI);
    String out = feed(stream, resource("openai-stream.sse"), 7);
    List<String> names = new ArrayList<>();
    for (String event : out.split("\n\n")) {
      names.add(event.substring("event: ".length(), event.indexOf('\n')));
    }
    assertThat(names).containsExactly("message_start", "content_block_start", "content_block_delta",
        "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop");
    List<JsonNode> events = dataEvents(out);
    assertThat(events.get(4).path("content_block").path("id").asString()).isEqualTo("call_abc");
    JsonNode delta = events.get(8);
    assertThat(delta.path("delta").path("stop_reason").asString()).isEqualTo("tool_use");
    assertThat(delta.path("usage").path("input_tokens").asLong()).isEqualTo(56);
    assertThat(delta.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(64);
    assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(17);
    assertThat(stream.usage()).isEqualTo(new Usage(120, 17, 64, 0));
  }

  @Test
  void anErrorEventFromTheProviderBreaksTheStreamRatherThanPassingForAnAnswer() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    AnswerStream stream = Translation.stream(request, Family.ANTHROPIC);
    String out = feed(stream, ("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
        + "\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
        + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
        .getBytes(StandardCharsets.UTF_8), 1000);
    assertThat(stream.error()).isNotNull();
    assertThat(stream.done()).isFalse();
    assertThat(out).doesNotContain("Overloaded");
  }

  @Test
  void whatAnthropicCannotHonourIsRefusedByNameAndWhatOpenAiCannotLikewise() {
    assertThatThrownBy(() -> Translation.request(openAi("""
        {"model":"m","logprobs":true,"messages":[{"role":"user","content":"hi"}]}"""), Family.ANTHROPIC, "c", true, "an"))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.param()).isEqualTo("logprobs");
          assertThat(e.getMessage()).contains("provider an (kind anthropic)");
        });
    assertThatThrownBy(() -> Translation.request(anthropic("""
        {"model":"m","max_tokens":5,"top_k":40,"messages":[{"role":"user","content":"hi"}]}"""), Family.OPENAI, "g", true, "oa"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("top_k"));
    // Defaults ask for nothing a family lacks: they go through.
    assertThat(Translation.request(openAi("""
        {"model":"m","logprobs":false,"n":1,"presence_penalty":0,"messages":[{"role":"user","content":"hi"}]}"""),
        Family.ANTHROPIC, "c", true, "an")).isNotEmpty();
  }
}
