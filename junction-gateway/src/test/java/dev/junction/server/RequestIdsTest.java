package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.testing.GatewayExtension;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request ids grow with time, so the ledger's key index is appended to rather than rewritten. */
class RequestIdsTest {

  private static final String CHAT = "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  @Test
  void requestIdsSortInTheOrderTheRequestsArrivedAndCarryTheirMillisecond() throws InterruptedException {
    long before = System.currentTimeMillis();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(junction.post("/chat/completions", CHAT).headers().firstValue("x-junction-request-id").orElseThrow());
      Thread.sleep(2);
    }
    long after = System.currentTimeMillis();

    assertThat(ids).allMatch(id -> id.matches("req_[0-9a-f]{32}")).isSorted().doesNotHaveDuplicates();
    for (String id : ids) {
      assertThat(HexFormat.fromHexDigitsToLong(id.substring(4, 16))).isBetween(before, after);
    }
  }

  @Test
  void requestIdsNeverRepeat() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(junction.post("/chat/completions", "{").headers().firstValue("x-junction-request-id").orElseThrow());
    }
    assertThat(ids).doesNotHaveDuplicates();
  }
}
