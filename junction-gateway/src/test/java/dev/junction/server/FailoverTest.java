package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Before the first byte reaches the client a failing provider is replaced; after it, never hidden. */
class FailoverTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  private static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":8,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  @Test
  void aProviderAnswering503IsReplacedInvisibly() {
    var response = junction.post("/chat/completions", chat("test/flaky", false));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("sim-b");
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("2");
    assertThat(Json.MAPPER.readTree(response.body()).get("choices").get(0).get("message").get("content").asString()).isNotBlank();
    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(record.provider()).isEqualTo("sim-b");
    assertThat(record.attempts()).isEqualTo(2);
  }

  @Test
  void aStreamCutBeforeItsFirstContentIsReplacedInvisibly() {
    var response = junction.post("/chat/completions", chat("test/cut-early", true));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue("sim-b");
    assertThat(response.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
    assertThat(response.body().split("\"role\":\"assistant\"", -1)).as("one role chunk: nothing of the cut attempt leaked").hasSize(2);
  }

  @Test
  void aStreamCutAfterContentEndsWithAnErrorEventAndAPartialRecord() {
    var response = junction.post("/chat/completions", chat("fault:cut=4:sim-a", true));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain("[DONE]");
    String lastEvent = response.body().strip().substring(response.body().strip().lastIndexOf("data: ") + 6);
    assertThat(Json.MAPPER.readTree(lastEvent).get("error").get("message").asString()).contains("sim-a");
    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.PARTIAL);
    assertThat(record.outputTokens()).isPositive();
  }

  @Test
  void aStreamWithoutDoneIsNeverPassedOffAsComplete() {
    var response = junction.post("/chat/completions", chat("fault:no-done:sim-a", true));
    assertThat(response.body()).doesNotContain("[DONE]").contains("\"error\"");
    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.PARTIAL);
  }
}
