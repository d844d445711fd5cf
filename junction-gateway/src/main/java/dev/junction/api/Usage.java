package dev.junction.api;

/**
 * Token counts of one response, as the provider reported them, in one convention whatever the
 * provider's family: {@code inputTokens} is the whole prompt, and the cache classes are parts of it.
 * (Anthropic reports input without its cache reads and writes; its codec adds them back once.)
 *
 * @param cachedTokens input tokens read from the provider's prompt cache, part of inputTokens
 * @param cacheWriteTokens input tokens written to the provider's prompt cache, part of inputTokens
 */
public record Usage(long inputTokens, long outputTokens, long cachedTokens, long cacheWriteTokens) {

  public static final Usage NONE = new Usage(0, 0, 0, 0);

  /** Usage without cache writes, as OpenAI-family providers report it. */
  public Usage(long inputTokens, long outputTokens, long cachedTokens) {
    this(inputTokens, outputTokens, cachedTokens, 0);
  }
}
