package dev.junction.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Models an engine lists are routable by their id with no catalog entry, and only to the engines that
 * list them: a LoRA adapter loaded on one replica never goes to the other.
 */
class ServedModelsTest {

  static final String BASE = "meta-llama/Llama-3.1-8B-Instruct";

  @RegisterExtension
  static final GatewayExtension gateway = GatewayExtension.builder()
      .simulators(
          SimulatorOptions.defaults().withName("gpu-1").withModels(List.of(BASE, "sql-lora")),
          SimulatorOptions.defaults().withName("gpu-2").withModels(List.of(BASE)),
          SimulatorOptions.defaults().withName("box").withModels(List.of("llama3.2:latest")))
      .providers("""
          providers:
            - { name: gpu-1, kind: vllm, base_url: "${GPU_1}", poll_ms: 100 }
            - { name: gpu-2, kind: vllm, base_url: "${GPU_2}", poll_ms: 100 }
            - { name: box, kind: ollama, base_url: "${BOX}", poll_ms: 100 }
          """)
      .models("""
            - id: catalogued/chat
              providers:
                - { provider: gpu-1, model: not-loaded-anywhere, input_price: 0, output_price: 0 }
                - { provider: gpu-2, model: %s, input_price: 0, output_price: 0 }
          """.formatted(BASE))
      .build();

  @BeforeAll
  static void theSimulatorsActAsEngines() {
    gateway.simulator("gpu-1").actAs("vllm", 4);
    gateway.simulator("gpu-2").actAs("vllm", 4);
    gateway.simulator("box").actAs("ollama", 1);
    await().untilAsserted(() -> assertThat(chat("sql-lora").statusCode()).isEqualTo(200));
  }

  @Test
  void anAdapterGoesOnlyToTheEngineThatListsIt() {
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> response = chat("sql-lora");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-junction-provider")).hasValue("gpu-1");
    }
    assertThat(gateway.simulator("gpu-2").received()).noneMatch(r -> r.body().contains("sql-lora"));
  }

  @Test
  void aModelBothEnginesListIsSharedBetweenThem() {
    await().untilAsserted(() -> assertThat(List.of(provider(BASE), provider(BASE), provider(BASE), provider(BASE)))
        .contains("gpu-1", "gpu-2"));
  }

  @Test
  void anOllamaTagWithItsColonIsAModelIdAndCanStillBePinned() {
    assertThat(provider("llama3.2:latest")).isEqualTo("box");
    assertThat(provider("llama3.2:latest:box")).isEqualTo("box");
  }

  @Test
  void pinningAModelToAnEngineThatDoesNotListItIsRefusedNamingBoth() {
    HttpResponse<String> response = chat("sql-lora:gpu-2");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"param\":\"model\"", "`sql-lora` is not served by `gpu-2`");
  }

  @Test
  void aCatalogDeploymentWhoseEngineDoesNotListItsModelIsNeverTried() {
    for (int i = 0; i < 4; i++) {
      assertThat(provider("catalogued/chat")).isEqualTo("gpu-2");
    }
    assertThat(gateway.simulator("gpu-1").received()).noneMatch(r -> r.body().contains("not-loaded-anywhere"));
  }

  private static String provider(String model) {
    HttpResponse<String> response = chat(model);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-junction-provider").orElseThrow();
  }

  private static HttpResponse<String> chat(String model) {
    return gateway.post("/chat/completions",
        "{\"model\":\"" + model + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }
}
