package dev.junction.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BoundedTest {

  @Test
  void textThatFitsIsKeptAsItIs() {
    assertThat(Bounded.text("gpt-4o-mini", 11)).isEqualTo("gpt-4o-mini");
    assertThat(Bounded.text(null, 8)).isNull();
  }

  @Test
  void longerTextKeepsItsStartAndSaysHowMuchWasCutWithinTheBound() {
    String cut = Bounded.text("x".repeat(900_000), 256);
    assertThat(cut).hasSize(256).startsWith("xxxx").endsWith("…(+899760 chars)");
    assertThat(cut.indexOf('…') + 899_760).isEqualTo(900_000);
  }

  @Test
  void aCutNeverSplitsACharacterOutsideTheBasicPlane() {
    String emoji = "\uD83D\uDE00".repeat(100);
    String cut = Bounded.text(emoji, 50);
    assertThat(cut.length()).isLessThanOrEqualTo(50);
    String kept = cut.substring(0, cut.indexOf('…'));
    assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
  }

  @Test
  void aHeaderValueIsPrintableAsciiWithItsSeparatorsEncoded() {
    assertThat(Bounded.header("meta-llama/Llama-3.3-70B", 256)).isEqualTo("meta-llama/Llama-3.3-70B");
    assertThat(Bounded.header("a b,c;d%é\r\n", 256)).isEqualTo("a%20b%2Cc%3Bd%25%C3%A9%0D%0A");
  }

  @Test
  void aLongHeaderValueIsCutAtACharacterNeverInsideAnEscape() {
    String value = Bounded.header("é".repeat(1_000), 100);
    assertThat(value.length()).isLessThanOrEqualTo(100);
    assertThat(value).matches("(%C3%A9)+\\.\\.\\.\\(\\+\\d+ chars\\)").endsWith("...(+" + (1_000 - 14) + " chars)");
    assertThat(value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
  }
}
