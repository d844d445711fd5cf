package dev.junction.server;

import static dev.junction.server.OfficialSdks.helloMessage;
import static dev.junction.server.OfficialSdks.toolUses;
import static dev.junction.server.OfficialSdks.weatherQuestion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.errors.BadRequestException;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The official Anthropic Java SDK against {@code /v1/messages}, served by a provider of kind cohere:
 * Cohere's billed input split into uncached input and cache reads, its tool plan as the text block
 * before the {@code tool_use} blocks, and a tool-use loop whose results go back as tool messages.
 */
class AnthropicToCohereTest {

  @RegisterExtension
  static final GatewayExtension junction = CohereServed.gateway();
  @RegisterExtension
  static final OfficialSdks sdk = new OfficialSdks(junction);

  @Test
  void aStreamedMessageSplitsCoheresBilledInputIntoUncachedInputAndCacheReads() {
    sdk.anthropic().messages().create(helloMessage(CohereServed.SERVED).build()); // fills the prompt cache
    Simulator.Stats before = junction.simulator("sim-co").stats();
    Message streamed = sdk.accumulated(helloMessage(CohereServed.SERVED).build());
    Simulator.Stats after = junction.simulator("sim-co").stats();

    assertThat(streamed.content().getFirst().asText().text()).isNotBlank();
    assertThat(streamed.stopReason()).contains(StopReason.MAX_TOKENS);
    long billed = after.promptTokens() - before.promptTokens();
    long cached = after.cachedTokens() - before.cachedTokens();
    assertThat(cached).isPositive();
    assertThat(streamed.usage().inputTokens()).isEqualTo(billed - cached);
    assertThat(streamed.usage().cacheReadInputTokens()).contains(cached);
    assertThat(streamed.usage().outputTokens()).isEqualTo(12);
    JsonNode system = CohereServed.lastSent(junction).path("messages").get(0);
    assertThat(system.path("role").asString()).isEqualTo("system");
    assertThat(system.path("content").asString()).isEqualTo("You are a terse gateway test.");
  }

  @Test
  void aToolUseLoopReadsTheToolPlanAsTextAndSendsResultsBackAsToolMessages() {
    MessageCreateParams.Builder first = weatherQuestion(CohereServed.SERVED);
    Message asked = sdk.anthropic().messages().create(first.build());
    assertThat(asked.content().getFirst().asText().text()).isEqualTo("I will use the tools.");
    List<ToolUseBlock> calls = toolUses(asked);
    assertThat(calls).extracting(ToolUseBlock::name).containsExactly("get_weather");
    assertThat(asked.stopReason()).contains(StopReason.TOOL_USE);

    List<ContentBlockParam> results = new ArrayList<>();
    results.add(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
        .toolUseId(calls.getFirst().id()).content("Sunny").build()));
    Message answered =
        sdk.anthropic().messages().create(first.addMessage(asked).addUserMessageOfContentBlockParams(results).build());
    assertThat(answered.content().getFirst().asText().text()).isNotBlank();

    JsonNode messages = CohereServed.lastSent(junction).path("messages");
    assertThat(messages.get(1).path("tool_plan").asString()).isEqualTo("I will use the tools.");
    assertThat(messages.get(1).path("tool_calls").get(0).path("id").asString()).isEqualTo(calls.getFirst().id());
    assertThat(messages.get(2).path("role").asString()).isEqualTo("tool");
    assertThat(messages.get(2).path("content").get(0).path("text").asString()).isEqualTo("Sunny");
  }

  @Test
  void aToolResultMarkedAsAnErrorIsRefusedByNameForCohereHasNoSuchFlag() {
    MessageCreateParams.Builder first = weatherQuestion(CohereServed.SERVED);
    Message asked = sdk.anthropic().messages().create(first.build());
    ToolUseBlock call = toolUses(asked).getFirst();
    List<ContentBlockParam> failed = List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
        .toolUseId(call.id()).content("The weather service is down.").isError(true).build()));
    assertThatThrownBy(() -> sdk.anthropic().messages()
        .create(first.addMessage(asked).addUserMessageOfContentBlockParams(failed).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.getMessage())
            .contains("tool_result.is_error").contains("provider co"));
  }
}
