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
}
