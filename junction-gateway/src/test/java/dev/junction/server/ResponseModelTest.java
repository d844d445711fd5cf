package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code model} of an answer names the deployment's model that produced it, streamed or not: the
 * bytes are the provider's, passed through; the name the client asked for is in the ledger and in
 * {@code x-junction-route}.
 */
class ResponseModelTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  @Test
  void streamedAndWholeAnswersNameTheSameServingModel() {
    String body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    HttpResponse<String> whole = junction.post("/chat/completions", body + "}");
    HttpResponse<String> streamed = junction.post("/chat/completions", body + ",\"stream\":true}");

    assertThat(Json.MAPPER.readTree(whole.body()).get("model").asString()).isEqualTo("sim-chat-a");
    List<String> streamedModels = streamed.body().lines()
        .filter(line -> line.startsWith("data: {"))
        .map(line -> Json.MAPPER.readTree(line.substring(6)).get("model").asString())
        .distinct().toList();
    assertThat(streamedModels).containsExactly("sim-chat-a");
    String id = whole.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(junction.record(id).model()).isEqualTo("chat");
    assertThat(whole.headers().firstValue("x-junction-route")).hasValueSatisfying(r -> assertThat(r).contains("sim-a"));
  }
}
