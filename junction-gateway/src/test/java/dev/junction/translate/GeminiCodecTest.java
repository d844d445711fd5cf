package dev.junction.translate;

import static dev.junction.translate.Golden.feed;
import static dev.junction.translate.Golden.openAi;
import static dev.junction.translate.Golden.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.AnswerStream;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Gemini payloads written from Google's API reference (generateContent, its SSE stream, usageMetadata)
 * under {@code translate/} in the test resources, read and written by the Gemini codec.
 */
class GeminiCodecTest {

  @Test
  void anOpenAiConversationWithImagesSignedCallsAndASchemaBecomesGeminisEquivalent() {
    InspectedRequest request = openAi(resource("openai-to-gemini-request.json"));
    byte[] sent = Translation.request(request, Family.GEMINI, "gemini-2.5-flash", false, "ge");
    assertThat(Json.MAPPER.readTree(sent)).isEqualTo(Json.MAPPER.readTree(resource("gemini-from-openai-request.json")));
  }

  @Test
  void aGeminiAnswerBecomesAnOpenAiCompletionWithThoughtsAsReasoningAndTheSignatureInTheCallId() {
    InspectedRequest request = openAi("""
        {"model":"m","messages":[{"role":"user","content":"weather?"}]}""");
    Translation.Whole whole = Translation.whole(request, Family.GEMINI, resource("gemini-generate-content-response.json"));
    JsonNode completion = Json.MAPPER.readTree(whole.body());
    JsonNode message = completion.path("choices").get(0).path("message");
    assertThat(completion.path("id").asString()).isEqualTo("mAitaLmkHPPlz7IPvtfUqQ4");
    assertThat(completion.path("model").asString()).isEqualTo("gemini-2.5-flash");
    assertThat(message.path("content").asString()).isEqualTo("Let me check both.");
    assertThat(message.path("reasoning_content").asString()).isEqualTo("The user wants the weather in two cities.");
    assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo("tool_calls");
    JsonNode calls = message.path("tool_calls");
    assertThat(calls).hasSize(2);
    String signed = calls.get(0).path("id").asString();
    assertThat(signed).matches("call_[0-9a-f]{8}__ts_CiQBcsjafE-5Lw_Q3mN0Zg");
    assertThat(GeminiCodec.CallId.of(signed).signature()).isEqualTo("CiQBcsjafE+5Lw/Q3mN0Zg==");
    assertThat(GeminiCodec.CallId.of(signed).id()).as("a generated id is not Gemini's").isNull();
    assertThat(calls.get(1).path("id").asString()).matches("call_[0-9a-f]{8}").isNotEqualTo(signed.substring(0, 13));
    assertThat(Json.MAPPER.readTree(calls.get(1).path("function").path("arguments").asString()).path("city").asString())
        .isEqualTo("Rome");

    JsonNode usage = completion.path("usage");
    assertThat(usage.path("prompt_tokens").asLong()).as("cached tokens are inside promptTokenCount").isEqualTo(622);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(100);
    assertThat(usage.path("completion_tokens").asLong()).as("candidates and thoughts").isEqualTo(89);
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asLong()).isEqualTo(48);
    assertThat(whole.usage()).isEqualTo(new Usage(622, 89, 100, 0));
  }

  @Test
  void theSameAnswerGivesTheSameCallIds() {
    InspectedRequest request = openAi("""
        {"model":"m","messages":[{"role":"user","content":"weather?"}]}""");
    byte[] first = Translation.whole(request, Family.GEMINI, resource("gemini-generate-content-response.json")).body();
    byte[] second = Translation.whole(request, Family.GEMINI, resource("gemini-generate-content-response.json")).body();
    assertThat(Json.MAPPER.readTree(first).path("choices").get(0).path("message").path("tool_calls"))
        .isEqualTo(Json.MAPPER.readTree(second).path("choices").get(0).path("message").path("tool_calls"));
  }

  @Test
  void aGeminiStreamEndsAtItsFinishReasonWithTheWholeUsageHoweverItIsCut() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
    byte[] upstream = resource("gemini-stream.sse");
    AnswerStream whole = Translation.stream(request, Family.GEMINI);
    String all = feed(whole, upstream, upstream.length);
    AnswerStream cut = Translation.stream(request, Family.GEMINI);
    String bytewise = feed(cut, upstream, 3);
    assertThat(bytewise.replaceAll("\"created\":\\d+", "")).isEqualTo(all.replaceAll("\"created\":\\d+", ""));
    assertThat(whole.done()).as("Gemini has no end marker: the finish reason ends the stream").isTrue();
    assertThat(whole.usage()).isEqualTo(new Usage(622, 89, 100, 0));
    assertThat(all).contains("\"reasoning_content\":\"Thinking about Paris.\"").contains("\"content\":\"Let me \"")
        .contains("__ts_CiQBcsjafE-5Lw_Q3mN0Zg").contains("\"finish_reason\":\"tool_calls\"").endsWith("data: [DONE]\n\n");
  }

  @Test
  void anErrorInsideAGeminiStreamBreaksIt() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    AnswerStream stream = Translation.stream(request, Family.GEMINI);
    feed(stream, ("data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}"
        + "\r\n\r\n").getBytes(StandardCharsets.UTF_8), 10);
    assertThat(stream.error()).isNotNull();
    assertThat(stream.done()).isFalse();
  }
}
