package dev.junction.server;

import static dev.junction.server.OfficialSdks.functionCalls;
import static dev.junction.server.OfficialSdks.text;
import static dev.junction.server.OfficialSdks.tool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import dev.junction.account.Limits;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.OpenAiSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official OpenAI Java SDK's Responses API, pointed at Junction's {@code /v1/responses}, served
 * by a provider of Chat Completions and by an Anthropic one: text, typed stream events in order,
 * function tools over two turns, JSON schema output, turns kept for {@code previous_response_id}
 * (and not, with {@code store: false}), a broken stream's error event, and what is emitted checked
 * against OpenAI's published schemas.
 */
class ResponsesApiTest {

  @RegisterExtension
  static final GatewayExtension junction = TwoFamilies.gateway();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);
  static final OpenAiSpec spec = OpenAiSpec.load();

  private static Simulator openAi() {
    return junction.simulator("sim-oa");
  }

  private static Simulator anthropic() {
    return junction.simulator("sim-an");
  }

  private static JsonNode lastSent(Simulator simulator) {
    return Json.MAPPER.readTree(simulator.received().getLast().body());
  }

  @Test
  void aResponseServedByAChatCompletionsProviderHasItsTextItsUsageExactlyAndOneLedgerRecord() {
    Simulator.Stats before = openAi().stats();
    var raw = sdk.openAi().responses().withRawResponse().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED)
        .instructions("You are a terse gateway test.")
        .input("Say hello to the gateway, please, in a few words of your own.")
        .maxOutputTokens(12)
        .temperature(0.5)
        .build());
    Response response = raw.parse();
    Simulator.Stats after = openAi().stats();

    assertThat(response.id()).startsWith("resp_");
    assertThat(text(response)).isNotBlank();
    // Cut short by max_output_tokens, as OpenAI reports it.
    assertThat(response.status()).contains(ResponseStatus.INCOMPLETE);
    assertThat(response.incompleteDetails().flatMap(d -> d.reason()).map(Object::toString)).contains("max_output_tokens");
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    var usage = response.usage().orElseThrow();
    assertThat(usage.inputTokens()).isEqualTo(prompt);
    assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(cached);
    assertThat(usage.outputTokens()).isEqualTo(12);
    assertThat(usage.totalTokens()).isEqualTo(prompt + 12);
    assertThat(response.instructions()).isPresent();

    JsonNode sent = lastSent(openAi());
    assertThat(openAi().received().getLast().path()).isEqualTo("/v1/chat/completions");
    assertThat(sent.path("model").asString()).isEqualTo("sim-gpt");
    assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
    assertThat(sent.path("messages").get(0).path("content").asString()).isEqualTo("You are a terse gateway test.");
    assertThat(sent.path("messages").get(1).path("content").asString()).startsWith("Say hello");
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(12);
    assertThat(sent.path("temperature").asDouble()).isEqualTo(0.5);

    String id = raw.headers().values("x-junction-request-id").getFirst();
    LedgerRecord record = junction.record(id);
    assertThat(record.endpoint()).isEqualTo("responses");
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(record.inputTokens()).isEqualTo(prompt);
    assertThat(record.outputTokens()).isEqualTo(12);
    assertThat(junction.records()).filteredOn(r -> r.requestId().equals(id)).hasSize(1);
  }

  @Test
  void aStreamArrivesAsTypedEventsInOrderEndingWithTheWholeResponse() {
    List<String> types = new ArrayList<>();
    List<Long> sequence = new ArrayList<>();
    StringBuilder deltas = new StringBuilder();
    Response completed = null;
    try (StreamResponse<ResponseStreamEvent> stream = sdk.openAi().responses()
        .createStreaming(ResponseCreateParams.builder()
            .model(TwoFamilies.OPENAI_SERVED).input("Stream a few words, please.").build())) {
      for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
        JsonNode json = Json.MAPPER.readTree(ObjectMappers.jsonMapper().writeValueAsString(event));
        types.add(json.path("type").asString());
        sequence.add(json.path("sequence_number").asLong());
        event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
        if (event.isCompleted()) {
          completed = event.asCompleted().response();
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }

    assertThat(types.subList(0, 4)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added");
    assertThat(types.get(4)).isEqualTo("response.output_text.delta");
    assertThat(types.subList(types.size() - 4, types.size())).containsExactly("response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
    assertThat(types.subList(4, types.size() - 4)).isNotEmpty().allMatch("response.output_text.delta"::equals);
    for (int i = 0; i < sequence.size(); i++) {
      assertThat(sequence.get(i)).isEqualTo(i);
    }
    assertThat(completed).isNotNull();
    assertThat(completed.status()).contains(ResponseStatus.COMPLETED);
    assertThat(text(completed)).isEqualTo(deltas.toString()).isNotBlank();
    assertThat(completed.usage().orElseThrow().outputTokens()).isPositive();

    // The streamed response is kept like a whole one.
    assertThat(sdk.openAi().responses().retrieve(completed.id()).id()).isEqualTo(completed.id());
  }

  @Test
  void functionCallsAndTheirOutputsMakeATwoTurnRoundTrip() {
    ResponseCreateParams.Builder first = ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED)
        .addTool(tool("get_weather", "city"))
        .addTool(tool("get_time", "zone"))
        .input("What is the weather and the time in Paris?");
    Response asked = sdk.openAi().responses().create(first.build());
    List<ResponseFunctionToolCall> calls = functionCalls(asked);
    assertThat(calls).extracting(ResponseFunctionToolCall::name).containsExactly("get_weather", "get_time");
    assertThat(calls.getFirst().arguments()).contains("city");

    List<ResponseInputItem> input = new ArrayList<>();
    input.add(ResponseInputItem.ofEasyInputMessage(com.openai.models.responses.EasyInputMessage.builder()
        .role(com.openai.models.responses.EasyInputMessage.Role.USER)
        .content("What is the weather and the time in Paris?").build()));
    calls.forEach(call -> input.add(ResponseInputItem.ofFunctionCall(call)));
    calls.forEach(call -> input.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
        .callId(call.callId()).output("Sunny, 21 degrees at " + call.name()).build())));
    Response answered = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED)
        .addTool(tool("get_weather", "city"))
        .addTool(tool("get_time", "zone"))
        .toolChoice(com.openai.models.responses.ToolChoiceOptions.NONE)
        .inputOfResponse(input)
        .build());
    assertThat(text(answered)).isNotBlank();

    // The provider saw the turns as Chat Completions states them: the calls, then one tool message per output.
    JsonNode sent = lastSent(openAi());
    JsonNode messages = sent.path("messages");
    JsonNode assistant = messages.get(1);
    assertThat(assistant.path("role").asString()).isEqualTo("assistant");
    assertThat(assistant.path("tool_calls")).hasSize(2);
    assertThat(assistant.path("tool_calls").get(0).path("id").asString()).isEqualTo(calls.get(0).callId());
    assertThat(messages.get(2).path("role").asString()).isEqualTo("tool");
    assertThat(messages.get(2).path("tool_call_id").asString()).isEqualTo(calls.get(0).callId());
    assertThat(messages.get(3).path("tool_call_id").asString()).isEqualTo(calls.get(1).callId());
    assertThat(messages.get(3).path("content").asString()).isEqualTo("Sunny, 21 degrees at get_time");
    assertThat(sent.path("tool_choice").asString()).isEqualTo("none");
  }

  @Test
  void aJsonSchemaFormatReachesTheProviderAndTheAnswerFollowsIt() {
    Response response = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED)
        .input("Name a city.")
        .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder()
            .name("city")
            .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("name", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("name")))
                .build())
            .strict(true)
            .build()).build())
        .build());
    assertThat(Json.MAPPER.readTree(text(response)).path("name").isString()).isTrue();
    JsonNode format = lastSent(openAi()).path("response_format");
    assertThat(format.path("type").asString()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("name").asString()).isEqualTo("city");
    assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
  }

  @Test
  void aResponseIdContinuesTheConversationForItsOwnerOnly() {
    Response first = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED).instructions("Be brief.").input("Tell me a colour.").build());
    Response second = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED).previousResponseId(first.id()).input("And another one?").build());

    JsonNode messages = lastSent(openAi()).path("messages");
    // The earlier instructions are not carried over, as OpenAI's API does not.
    assertThat(messages).hasSize(3);
    assertThat(messages.get(0).path("content").asString()).isEqualTo("Tell me a colour.");
    assertThat(messages.get(1).path("role").asString()).isEqualTo("assistant");
    assertThat(messages.get(1).path("content").asString()).isEqualTo(text(first));
    assertThat(messages.get(2).path("content").asString()).isEqualTo("And another one?");
    assertThat(second.previousResponseId()).contains(first.id());

    Response third = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED).previousResponseId(second.id()).input("One more.").build());
    assertThat(lastSent(openAi()).path("messages")).hasSize(5);
    assertThat(sdk.openAi().responses().retrieve(third.id()).output()).hasSize(third.output().size());

    // Another key sees none of it.
    String other = junction.key("responses-other", null, Limits.NONE, Limits.NONE);
    Map<String, String> otherKey = Map.of("authorization", "Bearer " + other);
    assertThat(junction.get("/responses/" + first.id(), otherKey).statusCode()).isEqualTo(404);
    var continued = junction.post("/responses", """
        {"model":"family/openai-served","previous_response_id":"%s","input":"hi"}""".formatted(first.id()), otherKey);
    assertThat(continued.statusCode()).isEqualTo(404);
    assertThat(Json.MAPPER.readTree(continued.body()).path("error").path("param").asString())
        .isEqualTo("previous_response_id");

    // Its owner deletes it; then it is gone for good.
    assertThat(sdk.openAi().responses().retrieve(first.id()).id()).isEqualTo(first.id());
    sdk.openAi().responses().delete(first.id());
    assertThatThrownBy(() -> sdk.openAi().responses().retrieve(first.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void aResponseNotStoredCannotBeContinuedNorRead() {
    Response kept = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OPENAI_SERVED).input("Remember nothing.").store(false).build());
    assertThat(kept._additionalProperties().get("store")).isEqualTo(JsonValue.from(false));
    assertThatThrownBy(() -> sdk.openAi().responses().retrieve(kept.id())).isInstanceOf(NotFoundException.class);
    var continued = junction.post("/responses", """
        {"model":"family/openai-served","previous_response_id":"%s","input":"hi"}""".formatted(kept.id()));
    assertThat(continued.statusCode()).isEqualTo(404);
    JsonNode error = Json.MAPPER.readTree(continued.body()).path("error");
    assertThat(error.path("param").asString()).isEqualTo("previous_response_id");
    assertThat(error.path("message").asString()).contains(kept.id());
    // Refused after it was accepted: one record, with its status.
    String id = continued.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(junction.record(id).httpStatus()).isEqualTo(404);
    assertThat(junction.records()).filteredOn(r -> r.requestId().equals(id)).singleElement()
        .satisfies(r -> assertThat(r.endpoint()).isEqualTo("responses"));
  }

  @Test
  void anAnthropicProviderServesTheResponsesApiWholeAndStreamed() {
    Response response = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.ANTHROPIC_SERVED).instructions("Be terse.").input("Hello there.").maxOutputTokens(10).build());
    assertThat(text(response)).isNotBlank();
    assertThat(anthropic().received().getLast().path()).isEqualTo("/v1/messages");
    JsonNode sent = lastSent(anthropic());
    assertThat(sent.path("system").toString()).contains("Be terse.");
    assertThat(sent.path("max_tokens").asInt()).isEqualTo(10);
    assertThat(response.usage().orElseThrow().outputTokens()).isPositive();

    List<String> types = new ArrayList<>();
    StringBuilder deltas = new StringBuilder();
    try (StreamResponse<ResponseStreamEvent> stream = sdk.openAi().responses()
        .createStreaming(ResponseCreateParams.builder()
            .model(TwoFamilies.ANTHROPIC_SERVED).input("Hello there.").previousResponseId(response.id()).build())) {
      stream.stream().forEach(event -> {
        types.add(event.isCreated() ? "created" : event.isOutputTextDelta() ? "delta"
            : event.isCompleted() || event.isIncomplete() ? "end" : "other");
        event.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
      });
    }
    assertThat(types.getFirst()).isEqualTo("created");
    assertThat(types.getLast()).isEqualTo("end");
    assertThat(deltas.toString()).isNotBlank();
    assertThat(lastSent(anthropic()).path("messages")).hasSize(3);
  }

  @Test
  void aStreamBrokenAfterItStartedEndsWithAnErrorEventNeverACompletion() {
    var response = junction.post("/responses", """
        {"model":"family/openai-cut","stream":true,"input":"hi"}""");
    assertThat(response.statusCode()).isEqualTo(200);
    String body = response.body();
    assertThat(body).startsWith("event: response.created").contains("event: response.output_text.delta")
        .doesNotContain("response.completed");
    List<String> events = List.of(body.strip().split("\n\n"));
    String error = events.get(events.size() - 2);
    String failed = events.getLast();
    assertThat(error).startsWith("event: error\ndata: ");
    spec.assertValid("ResponseErrorEvent", error.substring(error.indexOf("data: ") + 6));
    assertThat(failed).startsWith("event: response.failed\ndata: ");
    JsonNode failure = Json.MAPPER.readTree(failed.substring(failed.indexOf("data: ") + 6));
    assertThat(failure.path("response").path("status").asString()).isEqualTo("failed");
    assertThat(failure.path("sequence_number").asLong())
        .isEqualTo(Json.MAPPER.readTree(error.substring(error.indexOf("data: ") + 6)).path("sequence_number").asLong() + 1);
    spec.assertValid("ResponseFailedEvent", failed.substring(failed.indexOf("data: ") + 6));

    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.endpoint()).isEqualTo("responses");
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.PARTIAL);
  }

  @Test
  void whatTheGatewayEmitsFollowsOpenAisPublishedSchemas() {
    var text = junction.post("/responses", """
        {"model":"family/openai-served","input":"hi","max_output_tokens":5,"metadata":{"team":"a"}}""");
    assertThat(text.statusCode()).isEqualTo(200);
    spec.assertValid("Response", text.body());
    assertThat(Json.MAPPER.readTree(text.body()).path("metadata").path("team").asString()).isEqualTo("a");

    var calls = junction.post("/responses", """
        {"model":"family/anthropic-served","input":[{"role":"user","content":[{"type":"input_text","text":"weather?"}]}],
         "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}],
         "tool_choice":{"type":"function","name":"get_weather"}}""");
    assertThat(calls.statusCode()).isEqualTo(200);
    spec.assertValid("Response", calls.body());
    assertThat(Json.MAPPER.readTree(calls.body()).path("output").toString()).contains("\"type\":\"function_call\"");

    var stream = junction.post("/responses", """
        {"model":"family/openai-served","input":"hi","stream":true}""");
    for (String event : stream.body().strip().split("\n\n")) {
      String type = event.substring("event: ".length(), event.indexOf('\n'));
      String schema = switch (type) {
        case "response.created" -> "ResponseCreatedEvent";
        case "response.in_progress" -> "ResponseInProgressEvent";
        case "response.output_item.added" -> "ResponseOutputItemAddedEvent";
        case "response.content_part.added" -> "ResponseContentPartAddedEvent";
        case "response.output_text.delta" -> "ResponseTextDeltaEvent";
        case "response.output_text.done" -> "ResponseTextDoneEvent";
        case "response.content_part.done" -> "ResponseContentPartDoneEvent";
        case "response.output_item.done" -> "ResponseOutputItemDoneEvent";
        case "response.completed" -> "ResponseCompletedEvent";
        default -> throw new AssertionError("unexpected event " + type);
      };
      spec.assertValid(schema, event.substring(event.indexOf("data: ") + 6));
    }
  }

  @Test
  void signedThinkingFromAnAnthropicProviderComesBackOnTheTurnAfterItsToolCall() {
    com.openai.models.Reasoning low = com.openai.models.Reasoning.builder()
        .effort(com.openai.models.ReasoningEffort.LOW).build();
    Response asked = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.ANTHROPIC_SERVED).reasoning(low).addTool(tool("get_weather", "city"))
        .input("What is the weather in Paris?").build());
    assertThat(lastSent(anthropic()).path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
    String signature = asked.output().stream().flatMap(item -> item.reasoning().stream())
        .flatMap(r -> r.encryptedContent().stream()).findFirst().orElseThrow();
    List<ResponseFunctionToolCall> calls = functionCalls(asked);
    assertThat(calls).extracting(ResponseFunctionToolCall::name).containsExactly("get_weather");

    // Continued by id: the kept turn carries the signed thinking, which Anthropic (and the simulator) require.
    Response answered = sdk.openAi().responses().create(ResponseCreateParams.builder()
        .model(TwoFamilies.ANTHROPIC_SERVED).reasoning(low).addTool(tool("get_weather", "city"))
        .previousResponseId(asked.id())
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId(calls.getFirst().callId()).output("Sunny").build())))
        .build());
    assertThat(answered.output()).isNotEmpty();
    JsonNode assistant = lastSent(anthropic()).path("messages").get(1);
    assertThat(assistant.path("content").get(0).path("type").asString()).isEqualTo("thinking");
    assertThat(assistant.path("content").get(0).path("signature").asString()).isEqualTo(signature);
    assertThat(assistant.path("content").get(1).path("id").asString()).isEqualTo(calls.getFirst().callId());
  }

  @Test
  void anOverloadedAnthropicProviderFailsOverAndTheClientSeesOneCleanResponse() {
    var raw = sdk.openAi().responses().withRawResponse().create(ResponseCreateParams.builder()
        .model(TwoFamilies.OVERLOADED_FIRST).input("hello").build());
    assertThat(text(raw.parse())).isNotBlank();
    assertThat(raw.headers().values("x-junction-attempts")).containsExactly("2");
    assertThat(raw.headers().values("x-junction-provider")).containsExactly("oa");
  }

  @Test
  void imagesByUrlAndInlineReachTheProviderAsImageParts() {
    var response = junction.post("/responses", """
        {"model":"family/openai-served","max_output_tokens":4,"input":[{"role":"user","content":[
          {"type":"input_text","text":"What do these show?"},
          {"type":"input_image","image_url":"https://example.com/cat.png"},
          {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}]}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode content = lastSent(openAi()).path("messages").get(0).path("content");
    assertThat(content.get(0).path("text").asString()).isEqualTo("What do these show?");
    assertThat(content.get(1).path("image_url").path("url").asString()).isEqualTo("https://example.com/cat.png");
    assertThat(content.get(2).path("image_url").path("url").asString()).isEqualTo("data:image/png;base64,iVBORw0KGgo=");

    var toAnthropic = junction.post("/responses", """
        {"model":"family/anthropic-served","max_output_tokens":4,"input":[{"role":"user","content":[
          {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}]}""");
    assertThat(toAnthropic.statusCode()).as(toAnthropic.body()).isEqualTo(200);
    JsonNode source = lastSent(anthropic()).path("messages").get(0).path("content").get(0).path("source");
    assertThat(source.path("type").asString()).isEqualTo("base64");
    assertThat(source.path("media_type").asString()).isEqualTo("image/png");
  }

  @Test
  void anInvalidRequestIsRefusedInOpenAisFormatNamingTheField() {
    var missing = junction.post("/responses", """
        {"model":"family/openai-served","instructions":"hi"}""");
    assertThat(missing.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(missing.body()).path("error");
    assertThat(error.path("param").asString()).isEqualTo("input");
    assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");

    var badItem = junction.post("/responses", """
        {"model":"family/openai-served","input":[{"type":"function_call_output","output":"x"}]}""");
    assertThat(badItem.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(badItem.body()).path("error").path("param").asString()).isEqualTo("input[0].call_id");

    var untranslatable = junction.post("/responses", """
        {"model":"family/openai-served","input":"hi","tools":[{"type":"web_search"}]}""");
    assertThat(untranslatable.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(untranslatable.body()).path("error").path("param").asString()).isEqualTo("tools[0]");
  }
}
