package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  private static final List<String> KEYS = List.of("host", "port", "master_key", "max_body_bytes", "base_url");

  @Test
  void swappedLettersAreOneEdit() {
    assertThat(Suggestions.distance("prot", "port")).isEqualTo(1);
    assertThat(Suggestions.closest("prot", KEYS)).contains("port");
  }

  @Test
  void caseAndSeparatorsDoNotCount() {
    assertThat(Suggestions.closest("masterKey", KEYS)).contains("master_key");
    assertThat(Suggestions.closest("BASE-URL", KEYS)).contains("base_url");
  }

  @Test
  void farOffWordsGetNoSuggestion() {
    assertThat(Suggestions.closest("colour", KEYS)).isEmpty();
    assertThat(Suggestions.closest("q", List.of("p"))).isEmpty();
  }
}
