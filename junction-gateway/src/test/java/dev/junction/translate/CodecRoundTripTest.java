package dev.junction.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Family;
import dev.junction.api.Json;
import dev.junction.translate.Chat.ChoiceMode;
import dev.junction.translate.Chat.Image;
import dev.junction.translate.Chat.Message;
import dev.junction.translate.Chat.Part;
import dev.junction.translate.Chat.Request;
import dev.junction.translate.Chat.Role;
import dev.junction.translate.Chat.Text;
import dev.junction.translate.Chat.Tool;
import dev.junction.translate.Chat.ToolChoice;
import dev.junction.translate.Chat.ToolResult;
import dev.junction.translate.Chat.ToolUse;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random requests made only of what both OpenAI Chat Completions and Anthropic Messages can state
 * come back equal, field by field, after a trip through both codecs in either order; and the same
 * requests, without what Gemini refuses, through Gemini's codec.
 */
class CodecRoundTripTest {

  private static final Codec OPENAI = Codecs.of(Family.OPENAI);
  private static final Codec ANTHROPIC = Codecs.of(Family.ANTHROPIC);
  private static final Codec GEMINI = Codecs.of(Family.GEMINI);

  @Property(tries = 300)
  void aRequestThroughAnthropicThenOpenAiComesBackEqual(@ForAll("requests") Request request) {
    Request anthropic = ANTHROPIC.decodeRequest(ANTHROPIC.encodeRequest(request));
    Request openai = OPENAI.decodeRequest(OPENAI.encodeRequest(anthropic));
    Request back = ANTHROPIC.decodeRequest(ANTHROPIC.encodeRequest(openai));
    assertSame(back, request);
    assertThat(anthropic.untranslatable()).isEmpty();
    assertThat(openai.untranslatable()).isEmpty();
  }

  @Property(tries = 300)
  void aRequestThroughOpenAiThenAnthropicComesBackEqual(@ForAll("requests") Request request) {
    Request openai = OPENAI.decodeRequest(OPENAI.encodeRequest(request));
    Request anthropic = ANTHROPIC.decodeRequest(ANTHROPIC.encodeRequest(openai));
    Request back = OPENAI.decodeRequest(OPENAI.encodeRequest(anthropic));
    assertSame(back, request);
  }

  @Property(tries = 300)
  void aRequestThroughGeminiThenOpenAiComesBackEqual(@ForAll("requests") Request asked) {
    Request request = geminiCan(asked);
    assertThat(GEMINI.unsupported(request, Family.OPENAI)).isEmpty();
    Request gemini = GEMINI.decodeRequest(GEMINI.encodeRequest(request));
    assertThat(gemini.untranslatable()).isEmpty();
    Request openai = OPENAI.decodeRequest(OPENAI.encodeRequest(gemini.withModel(request.model())));
    Request back = GEMINI.decodeRequest(GEMINI.encodeRequest(openai));
    assertSameInBody(back, request);
  }

  @Property(tries = 300)
  void aRequestThroughAnthropicThenGeminiComesBackEqual(@ForAll("requests") Request asked) {
    Request request = geminiCan(asked);
    Request anthropic = ANTHROPIC.decodeRequest(ANTHROPIC.encodeRequest(request));
    Request gemini = GEMINI.decodeRequest(GEMINI.encodeRequest(anthropic));
    Request back = ANTHROPIC.decodeRequest(ANTHROPIC.encodeRequest(gemini.withModel(request.model())));
    assertSameInBody(back, request);
  }

  /** Without an end user's id and a promise of one call at a time, which Gemini refuses by name. */
  private static Request geminiCan(Request r) {
    return new Request(r.model(), r.system(), r.messages(), r.tools(), r.toolChoice(), null, r.format(), r.maxTokens(),
        r.temperature(), r.topP(), r.stop(), r.stream(), r.includeUsage(), r.thinkingBudget(), null, r.untranslatable());
  }

  /** Gemini states the model and streaming in the URL, not the body: every other field. */
  private static void assertSameInBody(Request actual, Request expected) {
    Request asStated = new Request(expected.model(), actual.system(), actual.messages(), actual.tools(),
        actual.toolChoice(), actual.parallelToolCalls(), actual.format(), actual.maxTokens(), actual.temperature(),
        actual.topP(), actual.stop(), expected.stream(), actual.includeUsage(), actual.thinkingBudget(), actual.user(),
        actual.untranslatable());
    assertSame(asStated, expected);
  }

  /** Every field both families express; how usage is asked for on a stream is each family's own. */
  private static void assertSame(Request actual, Request expected) {
    assertThat(actual.model()).isEqualTo(expected.model());
    assertThat(actual.system()).isEqualTo(expected.system());
    assertThat(actual.messages()).isEqualTo(expected.messages());
    assertThat(actual.tools()).isEqualTo(expected.tools());
    assertThat(actual.toolChoice()).isEqualTo(expected.toolChoice());
    assertThat(actual.parallelToolCalls()).isEqualTo(expected.parallelToolCalls());
    assertThat(actual.maxTokens()).isEqualTo(expected.maxTokens());
    assertThat(actual.temperature()).isEqualTo(expected.temperature());
    assertThat(actual.topP()).isEqualTo(expected.topP());
    assertThat(actual.stop()).isEqualTo(expected.stop());
    assertThat(actual.stream()).isEqualTo(expected.stream());
    assertThat(actual.thinkingBudget()).isEqualTo(expected.thinkingBudget());
    assertThat(actual.user()).isEqualTo(expected.user());
  }

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<String> words = Arbitraries.strings().withCharRange('a', 'z').withChars(' ', 'é', '"', '\n', '☃')
        .ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10);
    Arbitrary<List<Tool>> tools = names.map(n -> new Tool(n, "Looks up " + n + ".", schema(n))).list().ofMaxSize(3)
        .uniqueElements(Tool::name);
    Arbitrary<List<Message>> conversation = Arbitraries.integers().between(1, 4)
        .flatMap(turns -> turn(words, names).list().ofSize(turns))
        .map(CodecRoundTripTest::conversation);
    return Combinators.combine(
            names, words.optional(), conversation, tools,
            Arbitraries.integers().between(1, 8192),
            Arbitraries.of(0.0, 0.25, 0.5, 1.0).optional(),
            words.list().ofMaxSize(2),
            Arbitraries.of(1024, 4096, 16384).optional())
        .flatAs((model, system, messages, toolList, max, temperature, stop, budget) ->
            Combinators.combine(choice(toolList), Arbitraries.of(true, false), names.optional())
                .as((choice, stream, user) -> new Request(model,
                    system.<List<Part>>map(s -> List.of(new Text(s))).orElse(List.of()), messages, toolList,
                    choice, choice != null && !toolList.isEmpty() && stream ? Boolean.FALSE : null, null, max,
                    temperature.orElse(null), null, stop, stream, false, budget.orElse(null), user.orElse(null),
                    List.of())));
  }

  private static Arbitrary<ToolChoice> choice(List<Tool> tools) {
    if (tools.isEmpty()) {
      return Arbitraries.just(null);
    }
    return Arbitraries.of(ChoiceMode.values()).injectNull(0.3)
        .map(mode -> mode == null ? null : new ToolChoice(mode, mode == ChoiceMode.TOOL ? tools.getFirst().name() : null));
  }

  private static ObjectNode schema(String property) {
    ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
    schema.putObject("properties").putObject(property).put("type", "string");
    return schema;
  }

  /** One exchange: a user's words (and images), and an assistant's answer or tool calls. */
  private record Turn(List<Part> user, String said, List<String> calls) {}

  private static Arbitrary<Turn> turn(Arbitrary<String> words, Arbitrary<String> names) {
    Arbitrary<Part> userPart = Arbitraries.oneOf(
        words.map(Text::new),
        names.map(n -> new Image("https://example.com/" + n + ".png", null, null)),
        names.map(n -> new Image(null, "image/png", "aGVsbG8" + n)));
    return Combinators.combine(userPart.list().ofMinSize(1).ofMaxSize(3), words.optional(),
            names.list().ofMaxSize(3))
        .as((user, said, calls) -> new Turn(user, said.orElse(calls.isEmpty() ? "ok" : null), calls));
  }

  /**
   * Turns into messages: the tool calls of one assistant turn are answered, results first, in the
   * user turn after it, as both families require.
   */
  private static List<Message> conversation(List<Turn> turns) {
    List<Message> messages = new ArrayList<>();
    List<String> pending = List.of();
    int call = 0;
    for (Turn turn : turns) {
      List<Part> user = new ArrayList<>();
      for (String id : pending) {
        user.add(new ToolResult(id, List.of(new Text("result of " + id)), false));
      }
      user.addAll(turn.user());
      messages.add(new Message(Role.USER, user));
      List<Part> assistant = new ArrayList<>();
      if (turn.said() != null) {
        assistant.add(new Text(turn.said()));
      }
      List<String> ids = new ArrayList<>();
      for (String name : turn.calls()) {
        String id = "call_" + call++;
        ids.add(id);
        ObjectNode arguments = Json.MAPPER.createObjectNode().put(name, "value " + id);
        assistant.add(new ToolUse(id, name, Json.MAPPER.writeValueAsString(arguments)));
      }
      messages.add(new Message(Role.ASSISTANT, assistant));
      pending = ids;
    }
    return messages;
  }
}
