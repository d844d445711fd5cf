package dev.junction.api;

/**
 * Token counts of one response, as the provider reported them.
 *
 * @param cachedTokens input tokens served from the provider's prompt cache, part of inputTokens
 */
public record Usage(long inputTokens, long outputTokens, long cachedTokens) {

  public static final Usage NONE = new Usage(0, 0, 0);
}
