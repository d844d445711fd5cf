package dev.junction.translate;

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
import dev.junction.translate.Chat.ChoiceMode;
import dev.junction.translate.Chat.Image;
import dev.junction.translate.Chat.Request;
import dev.junction.translate.Chat.ToolUse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bedrock's Converse shapes, written from its API reference (under {@code translate/} in the test
 * resources), translated to and from the OpenAI family; and random requests that both can state
 * through Converse and back.
 */
class BedrockCodecTest {

  private static final Codec BEDROCK = Codecs.of(Family.BEDROCK);
  private static final Codec OPENAI = Codecs.of(Family.OPENAI);

  @Test
  void anOpenAiConversationWithAnImageAndToolResultsBecomesAConverseRequest() {
    ObjectNode asked = (ObjectNode) Json.MAPPER.readTree(resource("openai-request.json"));
    asked.remove("parallel_tool_calls"); // Converse cannot turn parallel calls off: refused below
    InspectedRequest request = openAi(Json.MAPPER.writeValueAsString(asked));
    byte[] sent = Translation.request(request, Family.BEDROCK, "anthropic.claude-test-v1:0", true, "br");
    assertThat(Json.MAPPER.readTree(sent)).isEqualTo(Json.MAPPER.readTree(resource("bedrock-from-openai-request.json")));
  }

  @Test
  void whatConverseCannotHonourIsRefusedNamingTheParameterAndTheProvider() {
    InspectedRequest parallel = openAi(resource("openai-request.json"));
    assertThatThrownBy(() -> Translation.request(parallel, Family.BEDROCK, "m", true, "br"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("parallel_tool_calls"))
        .hasMessageContaining("provider br (kind bedrock)");
    InspectedRequest url = openAi("""
        {"model":"m","messages":[{"role":"user","content":[
          {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""");
    assertThatThrownBy(() -> Translation.request(url, Family.BEDROCK, "m", true, "br"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("image_url"));
    InspectedRequest none = openAi("""
        {"model":"m","tool_choice":"none","messages":[{"role":"user","content":"hi"}],
         "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");
    assertThatThrownBy(() -> Translation.request(none, Family.BEDROCK, "m", true, "br"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("tool_choice"));
  }

  @Test
  void aConverseAnswerBecomesAnOpenAiCompletionWithEveryCacheClassInsidePromptTokens() {
    InspectedRequest request = openAi("""
        {"model":"m","messages":[{"role":"user","content":"weather?"}]}""");
    Translation.Whole whole = Translation.whole(request, Family.BEDROCK, resource("bedrock-converse-response.json"));
    JsonNode completion = Json.MAPPER.readTree(whole.body());
    JsonNode message = completion.path("choices").get(0).path("message");
    assertThat(message.path("content").asString()).isEqualTo("Let me check.");
    assertThat(message.path("reasoning_content").asString()).isEqualTo("The user wants the weather.");
    assertThat(message.path("reasoning_details").get(0).path("signature").asString()).isEqualTo("EqQBCgIYAhIM");
    JsonNode call = message.path("tool_calls").get(0);
    assertThat(call.path("id").asString()).isEqualTo("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
    assertThat(Json.MAPPER.readTree(call.path("function").path("arguments").asString()).path("city").asString())
        .isEqualTo("Paris");
    assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo("tool_calls");
    assertThat(completion.path("usage").path("prompt_tokens").asLong()).isEqualTo(622);
    assertThat(completion.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(100);
    assertThat(whole.usage()).isEqualTo(new Usage(622, 89, 100, 50));
  }

  @Test
  void aGuardrailThatIntervenedIsAContentFilterFinish() {
    InspectedRequest request = openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}]}""");
    byte[] answer = """
        {"output":{"message":{"role":"assistant","content":[{"text":"Sorry."}]}},"stopReason":"guardrail_intervened",
         "usage":{"inputTokens":3,"outputTokens":2,"totalTokens":5},"metrics":{"latencyMs":10}}"""
        .getBytes(StandardCharsets.UTF_8);
    JsonNode completion = Json.MAPPER.readTree(Translation.whole(request, Family.BEDROCK, answer).body());
    assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo("content_filter");
  }

  private static byte[] stream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String line : new String(resource("bedrock-stream.jsonl"), StandardCharsets.UTF_8).split("\n")) {
      String[] event = line.split("\t", 2);
      out.writeBytes(EventStreamFramesTest.event(event[0], event[1]));
    }
    return out.toByteArray();
  }

  @Test
  void aConverseStreamBecomesOpenAiChunksHoweverItIsCut() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
    byte[] upstream = stream();
    AnswerStream whole = Translation.stream(request, Family.BEDROCK);
    String all = feed(whole, upstream, upstream.length);
    String bytewise = feed(Translation.stream(request, Family.BEDROCK), upstream, 1);
    assertThat(bytewise.replaceAll("\"created\":\\d+", "").replaceAll("bedrock_[0-9a-f]+", ""))
        .isEqualTo(all.replaceAll("\"created\":\\d+", "").replaceAll("bedrock_[0-9a-f]+", ""));
    assertThat(all).endsWith("data: [DONE]\n\n");
    Golden.OpenAiStream read = Golden.OpenAiStream.of(all);
    assertThat(read.text()).isEqualTo("Okay, let's check the weather.");
    assertThat(read.reasoning()).isEqualTo("The user wants the weather.");
    assertThat(read.arguments()).hasSize(1);
    assertThat(Json.MAPPER.readTree(read.arguments().getFirst()).path("city").asString()).isEqualTo("San Francisco");
    assertThat(read.finish()).isEqualTo("tool_calls");
    JsonNode usage = read.usage();
    assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(622);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(100);
    assertThat(whole.done()).isTrue();
    assertThat(whole.usage()).isEqualTo(new Usage(622, 89, 100, 50));
  }

  @Provide
  Arbitrary<Request> requests() {
    // What Converse can state: no turning parallel calls off, no tool choice "none", images inline,
    // and tool calls in a history only beside declared tools (it declares the history's tools otherwise).
    return new CodecRoundTripTest().requests()
        .filter(r -> r.toolChoice() == null || r.toolChoice().mode() != ChoiceMode.NONE)
        .filter(r -> r.parallelToolCalls() == null)
        .filter(r -> r.messages().stream().flatMap(m -> m.parts().stream())
            .noneMatch(p -> p instanceof Image i && i.url() != null))
        .filter(r -> !r.tools().isEmpty() || r.messages().stream().flatMap(m -> m.parts().stream())
            .noneMatch(ToolUse.class::isInstance));
  }

  @Property(tries = 300)
  void aRequestThroughBedrockThenOpenAiComesBackEqual(@ForAll("requests") Request request) {
    Request bedrock = BEDROCK.decodeRequest(BEDROCK.encodeRequest(request));
    Request openai = OPENAI.decodeRequest(OPENAI.encodeRequest(bedrock));
    Request back = BEDROCK.decodeRequest(BEDROCK.encodeRequest(openai));
    assertThat(bedrock.untranslatable()).isEmpty();
    assertThat(new BedrockCodec().unsupported(request, Family.OPENAI)).isEmpty();
    // The model travels in the path and streaming in the operation's name: neither is in a Converse body.
    for (Request r : new Request[] {bedrock, back}) {
      assertThat(r.system()).isEqualTo(request.system());
      assertThat(r.messages()).isEqualTo(request.messages());
      assertThat(r.tools()).isEqualTo(request.tools());
      assertThat(r.toolChoice()).isEqualTo(request.toolChoice());
      assertThat(r.maxTokens()).isEqualTo(request.maxTokens());
      assertThat(r.temperature()).isEqualTo(request.temperature());
      assertThat(r.stop()).isEqualTo(request.stop());
      assertThat(r.thinkingBudget()).isEqualTo(request.thinkingBudget());
      assertThat(r.user()).isEqualTo(request.user());
    }
  }
}
