package dev.junction.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider-side prompt cache, as OpenAI, Anthropic and others run one: a prompt whose leading
 * blocks of tokens were seen recently is billed partly as cached input. It lets the gateway's cache
 * affinity be measured: requests sharing a prefix hit only when they land on the same provider.
 */
final class PromptCache {

  private static final int CAPACITY = 100_000;

  private final int minTokens;
  private final int blockTokens;
  private final Map<Long, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  PromptCache(int minTokens, int blockTokens) {
    this.minTokens = minTokens;
    this.blockTokens = blockTokens;
  }

  /**
   * Looks the prompt up and remembers it.
   *
   * @param tokens the prompt's tokens in order
   * @return how many leading tokens were cached: a multiple of the block size, or 0
   */
  synchronized int lookUp(List<String> tokens) {
    if (tokens.size() < minTokens) {
      return 0;
    }
    long hash = 1125899906842597L;
    int cached = 0;
    boolean hitting = true;
    for (int i = 0; i < tokens.size(); i++) {
      hash = 31 * hash + tokens.get(i).hashCode();
      int length = i + 1;
      if (length % blockTokens == 0) {
        boolean hit = seen.put(hash ^ length, Boolean.TRUE) != null;
        hitting &= hit;
        if (hitting) {
          cached = length;
        }
      }
    }
    return cached;
  }
}
