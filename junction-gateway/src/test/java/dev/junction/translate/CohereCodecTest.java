package dev.junction.translate;

import static dev.junction.translate.Golden.anthropic;
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
import dev.junction.translate.Chat.Request;
import dev.junction.translate.Chat.ToolChoice;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cohere's Chat API v2 shapes, written from its API reference (docs.cohere.com/reference/chat and
 * chat-stream; under {@code translate/} in the test resources), translated to and from the OpenAI and
 * Anthropic families; and random requests that both can state through Cohere's codec and back.
 */
class CohereCodecTest {

  private static final Codec COHERE = Codecs.of(Family.COHERE);
  private static final Codec OPENAI = Codecs.of(Family.OPENAI);

  private static String refused(InspectedRequest request) {
    try {
      Translation.request(request, Family.COHERE, "command-a-03-2025", false, "co");
    } catch (ApiError e) {
      assertThat(e.getMessage()).contains("provider co (kind cohere)");
      return e.param();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void anOpenAiConversationWithAnImageAndToolResultsBecomesACohereChatRequest() {
    ObjectNode asked = (ObjectNode) Json.MAPPER.readTree(resource("openai-request.json"));
    asked.remove("parallel_tool_calls"); // Cohere cannot turn parallel calls off: refused below
    asked.remove("user");
    byte[] sent = Translation.request(openAi(Json.MAPPER.writeValueAsString(asked)), Family.COHERE,
        "command-a-03-2025", true, "co");
    assertThat(Json.MAPPER.readTree(sent)).isEqualTo(Json.MAPPER.readTree(resource("cohere-from-openai-request.json")));
  }

  @Test
  void whatCohereCannotTakeIsRefusedNamingTheParameterAsTheClientWroteIt() {
    assertThat(refused(openAi(resource("openai-request.json"))))
        .isEqualTo("parallel_tool_calls");
    String two = """
        "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}},
                 {"type":"function","function":{"name":"g","parameters":{"type":"object"}}}]""";
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"user":"u-1"}"""))).isEqualTo("user");
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"function","function":{"name":"g"}},%s}"""
        .formatted(two)))).isEqualTo("tool_choice");
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"},%s}"""
        .formatted(two)))).isEqualTo("response_format");
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1.5}"""))).isEqualTo("temperature");
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"top_p":1.0}"""))).isEqualTo("top_p");
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e","f"]}"""))).isEqualTo("stop");
    assertThat(refused(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"logprobs":true}"""))).isEqualTo("logprobs");
    assertThat(refused(anthropic("""
        {"model":"m","max_tokens":10,"metadata":{"user_id":"u-1"},"messages":[{"role":"user","content":"hi"}]}""")))
        .isEqualTo("metadata.user_id");
    assertThat(refused(anthropic("""
        {"model":"m","max_tokens":10,"messages":[
          {"role":"user","content":"weather?"},
          {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,"content":"boom"}]}]}""")))
        .isEqualTo("tool_result.is_error");
  }

  @Test
  void aToolForcedByNameGoesAsRequiredWhenItIsTheOnlyToolOffered() {
    byte[] sent = Translation.request(openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"function","function":{"name":"f"}},
         "tools":[{"type":"function","function":{"name":"f"}}]}"""), Family.COHERE, "command-r7b-12-2024", false, "co");
    JsonNode body = Json.MAPPER.readTree(sent);
    assertThat(body.path("tool_choice").asString()).isEqualTo("REQUIRED");
    assertThat(body.path("tools").get(0).path("function").path("parameters").path("type").asString())
        .as("Cohere requires parameters").isEqualTo("object");
  }

  @Test
  void aJsonSchemaAndThinkingGoAsCoheresOwnFields() {
    byte[] sent = Translation.request(openAi("""
        {"model":"m","messages":[{"role":"user","content":"A city?"}],"reasoning_effort":"low","top_p":0.5,
         "response_format":{"type":"json_schema","json_schema":{"name":"city","strict":true,
           "schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}}"""),
        Family.COHERE, "command-a-03-2025", false, "co");
    JsonNode body = Json.MAPPER.readTree(sent);
    assertThat(body.path("response_format").path("type").asString()).isEqualTo("json_object");
    assertThat(body.path("response_format").path("json_schema").path("required").get(0).asString()).isEqualTo("name");
    assertThat(body.path("thinking").path("type").asString()).isEqualTo("enabled");
    assertThat(body.path("thinking").path("token_budget").asInt()).isEqualTo(1024);
    assertThat(body.path("p").asDouble()).isEqualTo(0.5);
    assertThat(body.has("top_p")).isFalse();
    assertThat(body.has("stream")).isFalse();
  }

  @Test
  void aCohereAnswerBecomesAnOpenAiCompletionWithItsToolPlanAsContentAndItsBilledUnitsAsUsage() {
    InspectedRequest request = openAi("""
        {"model":"command-a-03-2025","messages":[{"role":"user","content":"weather?"}]}""");
    Translation.Whole whole = Translation.whole(request, Family.COHERE, resource("cohere-chat-response.json"));
    JsonNode completion = Json.MAPPER.readTree(whole.body());
    JsonNode message = completion.path("choices").get(0).path("message");
    assertThat(completion.path("id").asString()).isEqualTo("c14c80c3-18eb-4519-9460-6c92edd8cfb4");
    assertThat(completion.path("model").asString()).isEqualTo("command-a-03-2025");
    assertThat(message.path("content").asString()).isEqualTo("I will look up the weather in Toronto and in Rome.");
    JsonNode calls = message.path("tool_calls");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1).path("id").asString()).isEqualTo("get_weather_e8v2yyzo4dnj");
    assertThat(Json.MAPPER.readTree(calls.get(1).path("function").path("arguments").asString()).path("location")
        .asString()).isEqualTo("Rome");
    assertThat(completion.path("choices").get(0).path("finish_reason").asString()).isEqualTo("tool_calls");
    // Billed units, not the processed tokens (1089 in, 61 out), which count Cohere's own preamble.
    assertThat(completion.path("usage").path("prompt_tokens").asLong()).isEqualTo(37);
    assertThat(completion.path("usage").path("completion_tokens").asLong()).isEqualTo(28);
    assertThat(completion.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(12);
    assertThat(whole.usage()).isEqualTo(new Usage(37, 28, 12, 0));
  }

  @Test
  void anAnthropicClientReadsTheToolPlanAsTextBeforeItsToolUseBlocks() {
    InspectedRequest request = anthropic("""
        {"model":"command-a-03-2025","max_tokens":100,"messages":[{"role":"user","content":"weather?"}]}""");
    JsonNode message = Json.MAPPER.readTree(
        Translation.whole(request, Family.COHERE, resource("cohere-chat-response.json")).body());
    assertThat(message.path("content").get(0).path("type").asString()).isEqualTo("text");
    assertThat(message.path("content").get(1).path("type").asString()).isEqualTo("tool_use");
    assertThat(message.path("content").get(1).path("input").path("location").asString()).isEqualTo("Toronto");
    assertThat(message.path("stop_reason").asString()).isEqualTo("tool_use");
    assertThat(message.path("usage").path("input_tokens").asLong()).as("uncached").isEqualTo(25);
    assertThat(message.path("usage").path("cache_read_input_tokens").asLong()).isEqualTo(12);
  }

  @Test
  void aGenerationCohereReportsAsFailedIsNotAnAnswer() {
    InspectedRequest request = openAi("""
        {"model":"m","messages":[{"role":"user","content":"hi"}]}""");
    byte[] failed = """
        {"id":"x","finish_reason":"ERROR","message":{"role":"assistant","content":[{"type":"text","text":"Hal"}]}}"""
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Translation.whole(request, Family.COHERE, failed)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCohereStreamBecomesOpenAiChunksHoweverItIsCutWithOrWithoutItsEventLines() {
    InspectedRequest request = openAi("""
        {"model":"command-a-03-2025","stream":true,"stream_options":{"include_usage":true},
         "messages":[{"role":"user","content":"hi"}]}""");
    byte[] upstream = resource("cohere-stream.sse");
    AnswerStream whole = Translation.stream(request, Family.COHERE);
    String all = feed(whole, upstream, upstream.length);
    String bytewise = feed(Translation.stream(request, Family.COHERE), upstream, 3);
    byte[] dataOnly = new String(upstream, StandardCharsets.UTF_8).replaceAll("(?m)^event: .*\n", "")
        .getBytes(StandardCharsets.UTF_8);
    String withoutNames = feed(Translation.stream(request, Family.COHERE), dataOnly, 7);
    String stable = all.replaceAll("\"created\":\\d+", "");
    assertThat(bytewise.replaceAll("\"created\":\\d+", "")).isEqualTo(stable);
    assertThat(withoutNames.replaceAll("\"created\":\\d+", "")).isEqualTo(stable);
    assertThat(all).endsWith("data: [DONE]\n\n");

    Golden.OpenAiStream read = Golden.OpenAiStream.of(all);
    assertThat(read.reasoning()).isEqualTo("The user wants the weather.");
    assertThat(read.text()).isEqualTo("I will look up the weather.");
    assertThat(read.arguments()).hasSize(2);
    assertThat(Json.MAPPER.readTree(read.arguments().get(0)).path("location").asString()).isEqualTo("Toronto");
    assertThat(Json.MAPPER.readTree(read.arguments().get(1)).path("location").asString()).isEqualTo("Rome");
    assertThat(read.finish()).isEqualTo("tool_calls");
    JsonNode usage = read.usage();
    assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(37);
    assertThat(usage.path("completion_tokens").asLong()).isEqualTo(28);
    assertThat(whole.done()).isTrue();
    assertThat(whole.usage()).isEqualTo(new Usage(37, 28, 12, 0));
  }

  @Test
  void aMessageEndWithAnErrorBreaksTheStreamRatherThanEndingIt() {
    InspectedRequest request = openAi("""
        {"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
    AnswerStream stream = Translation.stream(request, Family.COHERE);
    String out = feed(stream, """
        event: message-start
        data: {"id":"x","type":"message-start","delta":{"message":{"role":"assistant"}}}

        event: content-start
        data: {"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}

        event: content-delta
        data: {"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hal"}}}}

        event: message-end
        data: {"type":"message-end","delta":{"error":"internal server error","finish_reason":"ERROR"}}

        """.getBytes(StandardCharsets.UTF_8), 11);
    assertThat(out).contains("\"content\":\"Hal\"").doesNotContain("[DONE]");
    assertThat(stream.error()).isNotNull();
    assertThat(stream.done()).isFalse();
  }

  @Provide
  Arbitrary<Request> requests() {
    // What Cohere can state: no promise of one call at a time, no end user, and no tool forced by name.
    return new CodecRoundTripTest().requests()
        .filter(r -> r.parallelToolCalls() == null && r.user() == null)
        .filter(r -> r.toolChoice() == null || r.toolChoice().mode() != ChoiceMode.TOOL);
  }

  @Property(tries = 300)
  void aRequestThroughCohereThenOpenAiComesBackEqual(@ForAll("requests") Request request) {
    assertThat(COHERE.unsupported(request, Family.OPENAI)).isEmpty();
    Request cohere = COHERE.decodeRequest(COHERE.encodeRequest(request));
    assertThat(cohere.untranslatable()).isEmpty();
    Request openai = OPENAI.decodeRequest(OPENAI.encodeRequest(cohere));
    Request back = COHERE.decodeRequest(COHERE.encodeRequest(openai));
    // Choosing freely is Cohere's default, stated by leaving tool_choice out.
    ToolChoice choice = request.toolChoice() != null && request.toolChoice().mode() == ChoiceMode.AUTO ? null
        : request.toolChoice();
    for (Request r : new Request[] {cohere, back}) {
      assertThat(r.model()).isEqualTo(request.model());
      assertThat(r.system()).isEqualTo(request.system());
      assertThat(r.messages()).isEqualTo(request.messages());
      assertThat(r.tools()).isEqualTo(request.tools());
      assertThat(r.toolChoice()).isEqualTo(choice);
      assertThat(r.maxTokens()).isEqualTo(request.maxTokens());
      assertThat(r.temperature()).isEqualTo(request.temperature());
      assertThat(r.topP()).isEqualTo(request.topP());
      assertThat(r.stop()).isEqualTo(request.stop());
      assertThat(r.stream()).isEqualTo(request.stream());
      assertThat(r.thinkingBudget()).isEqualTo(request.thinkingBudget());
    }
  }
}
