package dev.junction.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a key's {@code models} entries allow: ids as written, {@code *} for any run of characters. */
class ModelPatternsTest {

  private static Principal allowed(String... models) {
    return new Principal("k", "key_1", null, Limits.NONE, Limits.NONE, List.of(models));
  }

  @Test
  void anIdAllowsItselfOnly() {
    assertThat(allowed("openai/gpt-4o").allows("openai/gpt-4o")).isTrue();
    assertThat(allowed("openai/gpt-4o").allows("openai/gpt-4o-mini")).isFalse();
    assertThat(allowed("openai/gpt-4o").allows("OPENAI/gpt-4o")).isFalse();
  }

  @Test
  void aStarCoversAnyRunOfCharactersIncludingNone() {
    Principal p = allowed("openai/*", "*-mini", "meta-llama/*-70B-*");
    assertThat(p.allows("openai/")).isTrue();
    assertThat(p.allows("openai/gpt-4o")).isTrue();
    assertThat(p.allows("google/gemini-flash-mini")).isTrue();
    assertThat(p.allows("meta-llama/Llama-3.3-70B-Instruct")).isTrue();
    assertThat(p.allows("meta-llama/Llama-3.1-8B-Instruct")).isFalse();
    assertThat(p.allows("anthropic/claude")).isFalse();
  }

  @Test
  void noEntriesAllowEverythingAndManyStarsStayCheap() {
    assertThat(allowed().allows("anything/at-all")).isTrue();
    String pattern = "*a".repeat(50) + "b";
    assertThat(ModelPatterns.matches(pattern, "a".repeat(5_000))).isFalse();
    assertThat(ModelPatterns.matches("*", "")).isTrue();
    assertThat(ModelPatterns.matches("a*", "")).isFalse();
  }
}
