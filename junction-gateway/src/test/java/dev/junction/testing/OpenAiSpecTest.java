package dev.junction.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenAiSpecTest {

  private final OpenAiSpec spec = OpenAiSpec.load();

  @Test
  void acceptsAnErrorResponseInOpenAisShape() {
    spec.assertValid("ErrorResponse",
        "{\"error\":{\"message\":\"m\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
  }

  @Test
  void rejectsAChatCompletionWithoutChoices() {
    assertThat(spec.violations("CreateChatCompletionResponse",
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\"}"))
        .anySatisfy(v -> assertThat(v).contains("choices"));
  }

  @Test
  void rejectsAStreamChunkWithAWrongObjectType() {
    assertThat(spec.violations("CreateChatCompletionStreamResponse",
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}"))
        .isNotEmpty();
  }

  @Test
  void acceptsNullWhereTheSpecSaysNullableButNotAWrongType() {
    String chunk = "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"logprobs\":null,\"finish_reason\":%s}]}";
    spec.assertValid("CreateChatCompletionStreamResponse", chunk.formatted("null"));
    assertThat(spec.violations("CreateChatCompletionStreamResponse", chunk.formatted("\"bored\"")))
        .anySatisfy(v -> assertThat(v).contains("finish_reason"));
    assertThat(spec.violations("CreateChatCompletionStreamResponse", chunk.formatted("7"))).isNotEmpty();
  }
}
