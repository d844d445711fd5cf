package dev.junction.translate;

import static dev.junction.translate.Golden.anthropic;
import static dev.junction.translate.Golden.feed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.AnswerStream;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.Usage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** OpenAI's stream read for a client of another family, as OpenAI-family providers write it. */
class OpenAiCodecTest {

  private static final String ID = "chatcmpl-azure1";

  @Test
  void azuresOpeningChunkOfPromptFilterResultsDoesNotStartTheMessageWithItsEmptyIdAndModel() {
    InspectedRequest request = anthropic("""
        {"model":"gpt-4o","max_tokens":12,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
    String filter = "{\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
        + "[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}}]}";
    String head = "{\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024-08-06\","
        + "\"choices\":[";
    String upstream = "data: " + filter + "\n\n"
        + "data: " + head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null,"
        + "\"content_filter_results\":{}}]}\n\n"
        + "data: " + head + "{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null,"
        + "\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"}}}]}\n\n"
        + "data: " + head + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\",\"content_filter_results\":{}}]}\n\n"
        + "data: " + head + "],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}\n\n"
        + "data: [DONE]\n\n";
    AnswerStream stream = Translation.stream(request, Family.OPENAI);
    String out = feed(stream, upstream.getBytes(StandardCharsets.UTF_8), 7);

    List<JsonNode> events = out.lines().filter(l -> l.startsWith("data: "))
        .map(l -> Json.MAPPER.readTree(l.substring("data: ".length()))).toList();
    JsonNode start = events.getFirst();
    assertThat(start.path("type").asString()).isEqualTo("message_start");
    assertThat(start.path("message").path("model").asString()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(start.path("message").path("id").asString()).contains("azure1");
    assertThat(out).contains("\"text\":\"Hello\"").contains("event: message_stop");
    assertThat(stream.usage()).isEqualTo(new Usage(9, 1, 0));
    assertThat(stream.error()).isNull();
  }
}
