package dev.junction.translate;

import dev.junction.api.Family;

/** The codec of each wire family. */
public final class Codecs {

  private static final Codec OPENAI = new OpenAiCodec();
  private static final Codec ANTHROPIC = new AnthropicCodec();
  private static final Codec RESPONSES = new ResponsesCodec();
  private static final Codec GEMINI = new GeminiCodec();
  private static final Codec BEDROCK = new BedrockCodec();
  private static final Codec COHERE = new CohereCodec();

  private Codecs() {}

  public static Codec of(Family family) {
    return switch (family) {
      case OPENAI -> OPENAI;
      case ANTHROPIC -> ANTHROPIC;
      case RESPONSES -> RESPONSES;
      case GEMINI -> GEMINI;
      case BEDROCK -> BEDROCK;
      case COHERE -> COHERE;
    };
  }
}
