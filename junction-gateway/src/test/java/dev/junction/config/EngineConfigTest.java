package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.EngineConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Providers of an engine kind: their profile, polling and spill settings, and the mistakes refused. */
class EngineConfigTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void anEngineKindTakesItsKindsProfileAndPollsEverySecondByDefault() {
    JunctionConfig config = files.load("""
        providers:
          - { name: gpu-1, kind: vllm, base_url: "http://gpu-1:8000/v1" }
          - { name: box, kind: llamacpp, base_url: "http://box:8080/v1", poll_ms: 250,
              spill: { waiting_above: 4, kv_cache_above: 0.9 } }
          - { name: groq, kind: openai, api_key: k }
        models:
          - id: own/model
            prefer: self_hosted
            providers:
              - { provider: gpu-1, model: m, input_price: 0, output_price: 0 }
        """);

    ProviderConfig gpu = config.providers().get(0);
    assertThat(gpu.profile()).isEqualTo("vllm");
    assertThat(gpu.engine()).contains(new EngineConfig(1_000, -1, Double.NaN));
    assertThat(config.providers().get(1).engine()).contains(new EngineConfig(250, 4, 0.9));
    assertThat(config.providers().get(2).engine()).isEqualTo(Optional.empty());
    assertThat(config.models().stream().filter(m -> m.id().equals("own/model")).findFirst().orElseThrow()
        .preferSelfHosted()).isTrue();
  }

  @Test
  void engineSettingsElsewhereAndOutOfRangeNameTheirLineAndKey() {
    assertThat(files.problems("""
        providers:
          - { name: groq, kind: openai, api_key: k, poll_ms: 500 }
          - { name: gpu, kind: sglang, base_url: "http://gpu:30000/v1", poll_ms: 10,
              spill: { kv_cache_above: 1.5, queue: 3 } }
        models:
          - id: own/model
            prefer: gpu
            providers:
              - { provider: gpu, model: m, input_price: 0, output_price: 0 }
        """)).containsExactly(
        "junction.yaml:2: providers[0].poll_ms: applies to self-hosted engines only (kind: vllm, sglang, tgi, llamacpp, ollama)",
        "junction.yaml:3: providers[1].poll_ms: must be between 100 and 3600000, got 10",
        "junction.yaml:4: providers[1].spill.queue: unknown key; valid keys: waiting_above, kv_cache_above",
        "junction.yaml:4: providers[1].spill.kv_cache_above: must be a share of the cache between 0 and 1, got 1.5",
        "junction.yaml:7: models[0].prefer: unknown prefer \"gpu\"; valid preferences: self_hosted");
  }

  @Test
  void anEnginePricedByTheHourTakesNoTokenPricesAndOnlyEnginesMayBe() {
    JunctionConfig config = files.load("""
        providers:
          - { name: gpu, kind: vllm, base_url: "http://gpu:8000/v1", gpu_hour_usd: 2.5 }
        models:
          - id: own/model
            providers:
              - { provider: gpu, model: m }
        """);
    assertThat(config.providers().getFirst().engine().orElseThrow().gpuHourUsd()).isEqualTo(2.5);
    assertThat(files.problems("""
        providers:
          - { name: groq, kind: openai, api_key: k, gpu_hour_usd: 1 }
          - { name: gpu, kind: vllm, base_url: "http://gpu:8000/v1", gpu_hour_usd: 2.5 }
          - { name: free, kind: vllm, base_url: "http://free:8000/v1", gpu_hour_usd: 0 }
        models:
          - id: own/model
            providers:
              - { provider: gpu, model: m, output_price: 1 }
        """)).containsExactly(
        "junction.yaml:2: providers[0].gpu_hour_usd: applies to self-hosted engines only (kind: vllm, sglang, tgi, llamacpp, ollama)",
        "junction.yaml:4: providers[2].gpu_hour_usd: must be more than 0: leave it out to price the deployments by tokens",
        "junction.yaml:8: models[0].providers[0].output_price: its provider is priced by gpu_hour_usd: leave token prices out");
  }

  @Test
  void aPoolListsItsReplicasInBaseUrlsAndTheFirstIsTheProvidersBaseUrl() {
    JunctionConfig config = files.load("""
        providers:
          - { name: pool, kind: vllm, base_urls: ["http://gpu-1:8000/v1", "http://gpu-2:8000/v1"] }
        models:
          - id: own/model
            providers:
              - { provider: pool, model: m, input_price: 0, output_price: 0 }
        """);
    ProviderConfig pool = config.providers().getFirst();
    assertThat(pool.baseUrl()).isEqualTo("http://gpu-1:8000/v1");
    assertThat(pool.engine().orElseThrow().replicas()).containsExactly("http://gpu-1:8000/v1", "http://gpu-2:8000/v1");
  }

  @Test
  void baseUrlsBesideBaseUrlOnAHostedProviderOrRepeatedIsRefusedNamingTheField() {
    assertThat(files.problems("""
        providers:
          - { name: both, kind: vllm, base_url: "http://a:8000/v1", base_urls: ["http://b:8000/v1"] }
          - { name: groq, kind: openai, api_key: k, base_urls: ["http://c:8000/v1"] }
          - { name: twice, kind: sglang, base_urls: ["http://d:30000/v1", "http://d:30000/v1"] }
          - { name: none, kind: tgi, base_urls: [] }
        models:
          - id: own/model
            providers:
              - { provider: both, model: m, input_price: 0, output_price: 0 }
        """)).containsExactly(
        "junction.yaml:2: providers[0].base_urls: give either base_url or base_urls, not both",
        "junction.yaml:3: providers[1].base_urls: applies to self-hosted engines only (kind: vllm, sglang, tgi, llamacpp, ollama)",
        "junction.yaml:4: providers[2].base_urls: entry 1 repeats an earlier one",
        "junction.yaml:5: providers[3].base_urls: must list at least one base URL");
  }
}
