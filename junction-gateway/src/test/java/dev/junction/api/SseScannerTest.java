package dev.junction.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseScannerTest {

  private static final String ROLE = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n";
  private static final String TEXT = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"usage\":null}\n\n";
  private static final String USAGE = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\n";
  private static final String DONE = "data: [DONE]\n\n";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void forwardsEventsUnchangedAndReadsUsage() {
    SseScanner scanner = new SseScanner(false);
    String all = ROLE + TEXT + USAGE + DONE;
    assertThat(text(scanner.feed(bytes(all)))).isEqualTo(all);
    assertThat(scanner.done()).isTrue();
    assertThat(scanner.usage()).isEqualTo(new Usage(7, 2, 3));
  }

  @Test
  void withholdsTheUsageChunkTheClientDidNotAskFor() {
    SseScanner scanner = new SseScanner(true);
    assertThat(text(scanner.feed(bytes(ROLE + TEXT + USAGE + DONE)))).isEqualTo(ROLE + TEXT + DONE);
    assertThat(scanner.usage()).isEqualTo(new Usage(7, 2, 3));
  }

  @Test
  void holdsBackAnEventSplitAcrossReads() {
    SseScanner scanner = new SseScanner(false);
    String all = TEXT + DONE;
    int cut = 17;
    assertThat(scanner.feed(bytes(all.substring(0, cut)))).isEmpty();
    assertThat(scanner.hasPartialEvent()).isTrue();
    assertThat(text(scanner.feed(bytes(all.substring(cut))))).isEqualTo(all);
    assertThat(scanner.hasPartialEvent()).isFalse();
  }

  @Test
  void aRoleOnlyChunkIsNotContentButTextIs() {
    SseScanner scanner = new SseScanner(false);
    scanner.feed(bytes(ROLE));
    assertThat(scanner.sawContent()).isFalse();
    scanner.feed(bytes(TEXT));
    assertThat(scanner.sawContent()).isTrue();
    assertThat(scanner.contentEvents()).isEqualTo(1);
  }

  @Test
  void toolCallDeltasCountAsContent() {
    SseScanner scanner = new SseScanner(false);
    scanner.feed(bytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\"}}]}}]}\n\n"));
    assertThat(scanner.sawContent()).isTrue();
  }

  @Test
  void reportsAMalformedChunkAndDoesNotForwardIt() {
    SseScanner scanner = new SseScanner(false);
    assertThat(scanner.feed(bytes("data: {\"choices\":[{\"delta\n\n"))).isEmpty();
    assertThat(scanner.error()).contains("malformed");
  }

  @Test
  void reportsAnErrorEvent() {
    SseScanner scanner = new SseScanner(false);
    scanner.feed(bytes("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"));
    assertThat(scanner.error()).contains("error");
  }

  @Test
  void acceptsCrlfFramingAndComments() {
    SseScanner scanner = new SseScanner(false);
    String all = ": keep-alive\r\n\r\n" + TEXT.replace("\n\n", "\r\n\r\n") + "data: [DONE]\r\n\r\n";
    assertThat(text(scanner.feed(bytes(all)))).isEqualTo(all);
    assertThat(scanner.done()).isTrue();
    assertThat(scanner.sawContent()).isTrue();
  }
}
