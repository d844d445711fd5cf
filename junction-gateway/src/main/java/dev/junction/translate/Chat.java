package dev.junction.translate;

import dev.junction.api.Usage;
import java.util.List;
import tools.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * The neutral model of a chat exchange that every wire family's codec decodes into and encodes from:
 * a request (system prompt, turns of typed parts, tools, output format, sampling), a whole answer, and
 * the events of a streamed one. It holds what more than one family can express; what only one can is
 * either carried in a part's own field (a cache mark, a thinking signature) or refused by name when a
 * request is translated ({@link Request#untranslatable}).
 */
public final class Chat {

  private Chat() {}

  /** Who speaks a turn. Tool results are parts of a user turn, as in Anthropic's model. */
  public enum Role { USER, ASSISTANT }

  /** One typed piece of a turn or of an answer. */
  public sealed interface Part permits Text, Image, ToolUse, ToolResult, Thinking, RedactedThinking {}

  /** @param cacheControl Anthropic's cache mark on this block, or null */
  public record Text(String text, @Nullable JsonNode cacheControl) implements Part {
    public Text(String text) {
      this(text, null);
    }
  }

  /** An image by URL ({@code url} set) or inline ({@code mediaType} and base64 {@code data}). */
  public record Image(@Nullable String url, @Nullable String mediaType, @Nullable String data) implements Part {}

  /** @param arguments the call's arguments as JSON text (an object) */
  public record ToolUse(String id, String name, String arguments) implements Part {}

  /** @param content text parts (and images, where the family allows) */
  public record ToolResult(String toolUseId, List<Part> content, boolean isError) implements Part {}

  /** @param signature Anthropic's signature, which must come back unchanged on the next turn; null when none */
  public record Thinking(String text, @Nullable String signature) implements Part {}

  public record RedactedThinking(String data) implements Part {}

  public record Message(Role role, List<Part> parts) {}

  /** @param schema the parameters' JSON schema (an object), or null */
  public record Tool(String name, @Nullable String description, @Nullable JsonNode schema) {}

  public enum ChoiceMode { AUTO, NONE, ANY, TOOL }

  /** @param name the tool, for {@link ChoiceMode#TOOL} */
  public record ToolChoice(ChoiceMode mode, @Nullable String name) {}

  public enum FormatKind { JSON_OBJECT, JSON_SCHEMA }

  /** A structured output: any JSON object, or one that follows {@code schema}. */
  public record ResponseFormat(FormatKind kind, @Nullable String name, @Nullable JsonNode schema, @Nullable Boolean strict) {}

  /**
   * A request, as any family can state it.
   *
   * @param maxTokens null when not given (Anthropic requires one; its encoder supplies a default)
   * @param parallelToolCalls null when not given
   * @param thinkingBudget tokens of extended thinking asked for, null for none
   * @param untranslatable fields of the source request the model cannot carry, by their path: a
   *     translation into another family refuses the request naming the first
   * @param echo what the client's format repeats in its answer and no provider is sent (the Responses
   *     API's {@code metadata}, {@code store}, its settings as asked); null for a family without
   */
  /**
   * A request as a codec reads it, field by field: what its body does not give keeps the neutral
   * default. Every codec fills one and builds the {@link Request}.
   */
  static final class Draft {
    final List<String> untranslatable = new java.util.ArrayList<>();
    final List<Part> system = new java.util.ArrayList<>();
    final List<Message> messages = new java.util.ArrayList<>();
    final List<Tool> tools = new java.util.ArrayList<>();
    @Nullable ToolChoice choice;
    @Nullable Boolean parallel;
    @Nullable ResponseFormat format;
    @Nullable Integer maxTokens;
    @Nullable Double temperature;
    @Nullable Double topP;
    List<String> stop = List.of();
    boolean stream;
    boolean includeUsage;
    @Nullable Integer budget;
    @Nullable String user;
    @Nullable JsonNode echo;

    Request build(String model) {
      return new Request(model, system, messages, tools, choice, parallel, format, maxTokens, temperature, topP, stop,
          stream, includeUsage, budget, user, untranslatable, echo);
    }
  }

  public record Request(
      String model,
      List<Part> system,
      List<Message> messages,
      List<Tool> tools,
      @Nullable ToolChoice toolChoice,
      @Nullable Boolean parallelToolCalls,
      @Nullable ResponseFormat format,
      @Nullable Integer maxTokens,
      @Nullable Double temperature,
      @Nullable Double topP,
      List<String> stop,
      boolean stream,
      boolean includeUsage,
      @Nullable Integer thinkingBudget,
      @Nullable String user,
      List<String> untranslatable,
      @Nullable JsonNode echo) {

    public Request(String model, List<Part> system, List<Message> messages, List<Tool> tools,
        @Nullable ToolChoice toolChoice, @Nullable Boolean parallelToolCalls, @Nullable ResponseFormat format,
        @Nullable Integer maxTokens, @Nullable Double temperature, @Nullable Double topP, List<String> stop,
        boolean stream, boolean includeUsage, @Nullable Integer thinkingBudget, @Nullable String user,
        List<String> untranslatable) {
      this(model, system, messages, tools, toolChoice, parallelToolCalls, format, maxTokens, temperature, topP, stop,
          stream, includeUsage, thinkingBudget, user, untranslatable, null);
    }

    public Request withModel(String id) {
      return new Request(id, system, messages, tools, toolChoice, parallelToolCalls, format, maxTokens, temperature,
          topP, stop, stream, includeUsage, thinkingBudget, user, untranslatable, echo);
    }
  }

  /** Why an answer ended. */
  public enum Stop { END_TURN, MAX_TOKENS, STOP_SEQUENCE, TOOL_USE, REFUSAL }

  /**
   * Tokens by class, each counted once: {@code input} is the prompt read neither from nor into the
   * cache (Anthropic's {@code input_tokens}); the whole prompt is their sum.
   */
  public record Tokens(long input, long cacheRead, long cacheWrite, long output, long reasoning) {

    public static final Tokens NONE = new Tokens(0, 0, 0, 0, 0);

    public long prompt() {
      return input + cacheRead + cacheWrite;
    }

    /** The gateway's usage, whole prompt first. */
    public Usage usage() {
      return new Usage(prompt(), output, cacheRead, cacheWrite);
    }
  }

  /** A whole answer. */
  public record Response(@Nullable String id, @Nullable String model, List<Part> content, @Nullable Stop stop,
      @Nullable String stopSequence, @Nullable Tokens tokens) {}

  /** One step of a streamed answer. */
  public sealed interface Event permits Start, BlockStart, BlockDelta, BlockStop, Finish, End, Failure {}

  /** The answer begins; its usage so far (the prompt, when the family reports it first). */
  public record Start(@Nullable String id, @Nullable String model, Tokens tokens) implements Event {}

  /** A content block opens: an empty {@link Text}, {@link Thinking}, or a {@link ToolUse} with its id and name. */
  public record BlockStart(int index, Part block) implements Event {}

  public enum DeltaKind { TEXT, JSON, THINKING, SIGNATURE }

  public record BlockDelta(int index, DeltaKind kind, String value) implements Event {}

  public record BlockStop(int index) implements Event {}

  /** The answer is complete: why it stopped and its whole usage. */
  public record Finish(@Nullable Stop stop, @Nullable String stopSequence, Tokens tokens) implements Event {}

  /** The stream's end marker. */
  public record End() implements Event {}

  /** The provider reported an error inside the stream. */
  public record Failure(@Nullable String type, @Nullable String message) implements Event {}
}
