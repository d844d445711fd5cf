package dev.junction.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestInspectorTest {

  private static InspectedRequest chat(String json) {
    return RequestInspector.inspect(Endpoint.CHAT, json.getBytes(StandardCharsets.UTF_8));
  }

  private static ApiError chatError(String json) {
    try {
      chat(json);
    } catch (ApiError e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void readsModelStreamAndUsageRequest() {
    InspectedRequest r = chat("""
        {"model":"m:cheapest","stream":true,"stream_options":{"include_usage":true},
         "messages":[{"role":"user","content":"hi"}],"max_tokens":12}""");
    assertThat(r.model()).isEqualTo("m:cheapest");
    assertThat(r.stream()).isTrue();
    assertThat(r.clientWantsUsage()).isTrue();
    assertThat(r.maxTokens()).isEqualTo(12);
  }

  @Test
  void notesTheFeaturesCapabilityFilteringNeeds() {
    InspectedRequest r = chat("""
        {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x"},
          {"type":"image_url","image_url":{"url":"data:,"}}]}],
         "tools":[{"type":"function","function":{"name":"f","parameters":{}}}],
         "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{}}},"logprobs":true}""");
    assertThat(r.uses(InspectedRequest.IMAGES)).isTrue();
    assertThat(r.uses(InspectedRequest.TOOLS)).isTrue();
    assertThat(r.uses(InspectedRequest.JSON_SCHEMA)).isTrue();
    assertThat(r.uses(InspectedRequest.LOGPROBS)).isTrue();
  }

  @Test
  void acceptsEveryRoleAndAnAssistantTurnWithOnlyToolCalls() {
    InspectedRequest r = chat("""
        {"model":"m","messages":[{"role":"system","content":"s"},{"role":"developer","content":"d"},
         {"role":"user","content":"u"},
         {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
         {"role":"tool","tool_call_id":"c","content":"42"}],"unknown_field":{"kept":[1,2]}}""");
    assertThat(r.model()).isEqualTo("m");
  }

  @Test
  void rejectsABodyThatIsNotJson() {
    ApiError e = chatError("{\"model\": ");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("invalid_json");
  }

  @Test
  void rejectsAJsonValueThatIsNotAnObject() {
    assertThat(chatError("[1,2]").getMessage()).contains("must be a JSON object");
  }

  @Test
  void namesAMissingModel() {
    ApiError e = chatError("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(e.param()).isEqualTo("model");
    assertThat(e.getMessage()).isEqualTo("Missing required parameter: 'model'.");
  }

  @Test
  void namesAMissingMessagesArray() {
    assertThat(chatError("{\"model\":\"m\"}").param()).isEqualTo("messages");
  }

  @Test
  void namesTheWrongTypedFieldAndWhatWasExpected() {
    ApiError e = chatError("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}");
    assertThat(e.param()).isEqualTo("temperature");
    assertThat(e.getMessage()).isEqualTo("Invalid type for 'temperature': expected a number, but got a string instead.");
  }

  @Test
  void namesTheMessageWhoseRoleIsUnknown() {
    ApiError e = chatError("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"robot\",\"content\":\"y\"}]}");
    assertThat(e.param()).isEqualTo("messages[1].role");
  }

  @Test
  void requiresContentOutsideAssistantTurnsAndAToolCallIdOnToolTurns() {
    assertThat(chatError("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}").param())
        .isEqualTo("messages[0].content");
    assertThat(chatError("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"1\"}]}").param())
        .isEqualTo("messages[0].tool_call_id");
  }

  @Test
  void rejectsOutOfRangeValues() {
    assertThat(chatError("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}").param())
        .isEqualTo("n");
  }

  @Test
  void refusesStreamOptionsWithoutStreaming() {
    assertThat(chatError("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":true}}").param())
        .isEqualTo("stream_options");
  }

  @Test
  void checksTheEmbeddingInputAndEncoding() {
    assertThatThrownBy(() -> RequestInspector.inspect(Endpoint.EMBEDDINGS, "{\"model\":\"e\"}".getBytes()))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("input"));
    assertThatThrownBy(() -> RequestInspector.inspect(Endpoint.EMBEDDINGS,
            "{\"model\":\"e\",\"input\":\"x\",\"encoding_format\":\"hex\"}".getBytes()))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("encoding_format"));
  }

  @Test
  void requiresAPromptForCompletions() {
    assertThatThrownBy(() -> RequestInspector.inspect(Endpoint.COMPLETIONS, "{\"model\":\"e\"}".getBytes()))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("prompt"));
  }

  @Test
  void acceptsEveryShapeOfEmbeddingInputAndReadsTheFieldsAfterIt() {
    for (String input : new String[] {"\"one\"", "[\"one\",\"two\"]", "[1,2,3]", "[[1,2],[3]]"}) {
      InspectedRequest r = RequestInspector.inspect(Endpoint.EMBEDDINGS,
          ("{\"input\":" + input + ",\"model\":\"e\",\"dimensions\":8}").getBytes(StandardCharsets.UTF_8));
      assertThat(r.model()).as(input).isEqualTo("e");
    }
    assertThatThrownBy(() -> RequestInspector.inspect(Endpoint.EMBEDDINGS,
        "{\"model\":\"e\",\"input\":[]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("input"));
  }
}
