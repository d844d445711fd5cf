package dev.junction.server;

import static dev.junction.server.OfficialSdks.helloMessage;
import static dev.junction.server.OfficialSdks.toolUses;
import static dev.junction.server.OfficialSdks.weatherQuestion;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official Anthropic Java SDK against {@code /v1/messages}, served by a provider of kind gemini:
 * usage in Anthropic's classes (cache reads apart from the uncached input), and a tool-use loop whose
 * thought signature survives in the {@code tool_use} ids the client sends back.
 */
class AnthropicToGeminiTest {

  @RegisterExtension
  static final GatewayExtension junction = GeminiServed.gateway();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  @Test
  void aStreamedMessageSplitsGeminisPromptIntoUncachedInputAndCacheReads() {
    sdk.anthropic().messages().create(helloMessage(GeminiServed.SERVED).build()); // fills the prompt cache
    Simulator.Stats before = junction.simulator("sim-ge").stats();
    Message streamed = sdk.accumulated(helloMessage(GeminiServed.SERVED).build());
    Simulator.Stats after = junction.simulator("sim-ge").stats();

    assertThat(streamed.content().getFirst().asText().text()).isNotBlank();
    assertThat(streamed.stopReason()).contains(StopReason.MAX_TOKENS);
    long prompt = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(cached).isPositive();
    assertThat(streamed.usage().inputTokens()).isEqualTo(prompt - cached);
    assertThat(streamed.usage().cacheReadInputTokens()).contains(cached);
    assertThat(streamed.usage().outputTokens()).isEqualTo(12);
    assertThat(GeminiServed.lastSent(junction).path("systemInstruction").path("parts").get(0).path("text").asString())
        .isEqualTo("You are a terse gateway test.");
  }

  @Test
  void toolUseIdsCarryTheThoughtSignatureBackToGemini() {
    MessageCreateParams.Builder first = weatherQuestion(GeminiServed.SERVED);
    Message asked = sdk.anthropic().messages().create(first.build());
    List<ToolUseBlock> calls = toolUses(asked);
    assertThat(calls).extracting(ToolUseBlock::name).containsExactly("get_weather");
    assertThat(calls.getFirst().id()).as("an id Anthropic's own API would take back too").matches("[A-Za-z0-9_-]+");
    assertThat(asked.stopReason()).contains(StopReason.TOOL_USE);

    List<ContentBlockParam> results = List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
        .toolUseId(calls.getFirst().id()).content("Sunny").build()));
    Message answered =
        sdk.anthropic().messages().create(first.addMessage(asked).addUserMessageOfContentBlockParams(results).build());
    assertThat(answered.content().getFirst().asText().text()).isNotBlank();

    JsonNode contents = GeminiServed.lastSent(junction).path("contents");
    assertThat(contents.get(1).path("parts").get(0).path("thoughtSignature").asString()).isNotEmpty();
    assertThat(contents.get(2).path("parts").get(0).path("functionResponse").path("response").path("output").asString())
        .isEqualTo("Sunny");
  }
}
