package dev.junction.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

  static InspectedRequest chat(String model, String messages) {
    return RequestInspector.inspect(Endpoint.CHAT,
        ("{\"model\":\"" + model + "\",\"messages\":" + messages + ",\"max_tokens\":5}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aChatPromptCountsItsTextWithTheTokenizerAndOpenAisFramingPerMessage() {
    // "user" is 1 token and "Hello world" 2 in cl100k_base; 3 per message and 3 for the reply.
    assertThat(chat("meta-llama/Llama-3.3-70B-Instruct", "[{\"role\":\"user\",\"content\":\"Hello world\"}]")
        .estimatedPromptTokens()).isEqualTo(9);
  }

  @BeforeAll
  static void loadVocabularies() {
    TokenEstimator.preload();
    await().atMost(Duration.ofSeconds(30)).until(() -> TokenEstimator.ready("gpt-4o"));
  }

  @Test
  void openAisNewerModelsAreCountedWithO200kAndTheRestWithCl100k() {
    assertThat(TokenEstimator.encoding("openai/gpt-4o-mini").getName()).isEqualTo("o200k_base");
    assertThat(TokenEstimator.encoding("gpt-5")).isSameAs(TokenEstimator.encoding("o3-mini"));
    assertThat(TokenEstimator.encoding("o1")).isSameAs(TokenEstimator.encoding("gpt-4.1"));
    assertThat(TokenEstimator.encoding("omni-moderation").getName()).isEqualTo("cl100k_base");
    assertThat(TokenEstimator.encoding("gpt-4-turbo").getName()).isEqualTo("cl100k_base");
    assertThat(TokenEstimator.encoding("mistralai/Mistral-Small-3.2-24B-Instruct-2506").getName()).isEqualTo("cl100k_base");
  }

  @Test
  void anImageCountsAFlatRateNeverItsBase64Text() {
    String image = "data:image/png;base64," + Base64.getEncoder().encodeToString(new byte[60_000]);
    InspectedRequest request = chat("gpt-4o", "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is it?\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + image + "\"}}]}]");

    assertThat(request.estimatedPromptTokens()).isBetween((long) TokenEstimator.ATTACHMENT_TOKENS, 800L);
  }

  @Test
  void aPromptOfTokenIdsCountsOnePerId() {
    InspectedRequest request = RequestInspector.inspect(Endpoint.COMPLETIONS,
        "{\"model\":\"m\",\"prompt\":[101,102,103,104],\"max_tokens\":5}".getBytes(StandardCharsets.UTF_8));
    assertThat(request.estimatedPromptTokens()).isEqualTo(4);
  }

  @Test
  void theBoundFromTheBodysSizeIsNeverBelowTheCount() {
    for (String content : new String[] {"", "a", "Hello world", "数据库连接池", "🙂🙂🙂", "x".repeat(5_000),
        "{\\\"quoted\\\": [1, 2, 3]}"}) {
      InspectedRequest request = chat("gpt-4o", "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":\"" + content + "\"}]");
      assertThat(request.promptTokensAtMost()).as(content).isGreaterThanOrEqualTo(request.estimatedPromptTokens());
    }
  }

  @Test
  void aStringCountedOnceIsRememberedByTheDigestOfItsBytesAndCountsTheSameAgain() {
    String system = "You are a careful assistant for the platform team. Answer in one short paragraph.";
    String turn = "[{\"role\":\"system\",\"content\":\"" + system + "\"},{\"role\":\"user\",\"content\":\"%s\"}]";
    byte[] inBody = system.getBytes(StandardCharsets.UTF_8);
    assertThat(TokenEstimator.remembered("gpt-4o", inBody)).isNull();

    long first = chat("gpt-4o", turn.formatted("What is a gateway?")).estimatedPromptTokens();

    assertThat(TokenEstimator.remembered("gpt-4o", inBody)).isEqualTo(TokenEstimator.count("gpt-4o", system));
    assertThat(TokenEstimator.remembered("llama-3", inBody)).as("each vocabulary its own").isNull();
    assertThat(chat("gpt-4o", turn.formatted("What is a gateway?")).estimatedPromptTokens()).isEqualTo(first);
    assertThat(chat("gpt-4o", turn.formatted("And what is a load balancer, then?")).estimatedPromptTokens())
        .isEqualTo(TokenEstimator.count("gpt-4o", system) + TokenEstimator.count("gpt-4o", "system")
            + TokenEstimator.count("gpt-4o", "And what is a load balancer, then?")
            + TokenEstimator.count("gpt-4o", "user") + 2 * 3 + 3);
  }

  @Test
  void rememberedCountsAreThoseOfTheTextItsEscapesStandFor() {
    String[] spellings = {"Line one\\nline two, \\\"quoted\\\" and a tab\\t here, then caf\\u00e9 and more",
        "Line one\\nline two, \\\"quoted\\\" and a tab\\t here, then café and more"};
    String text = "Line one\nline two, \"quoted\" and a tab\t here, then café and more";
    long expected = TokenEstimator.count("gpt-4o", text) + 1 + 3 + 3; // "user" is one token
    for (int round = 0; round < 2; round++) {
      for (String spelling : spellings) {
        assertThat(chat("gpt-4o", "[{\"role\":\"user\",\"content\":\"" + spelling + "\"}]").estimatedPromptTokens())
            .as("round %d: %s", round, spelling).isEqualTo(expected);
      }
    }
    assertThat(TokenEstimator.remembered("gpt-4o", spellings[0].getBytes(StandardCharsets.UTF_8)))
        .as("known by the bytes in the body").isEqualTo(TokenEstimator.count("gpt-4o", text));
  }
}
