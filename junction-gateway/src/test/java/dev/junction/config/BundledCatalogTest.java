package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped catalog, and how a config and the environment decide what of it is served. */
class BundledCatalogTest {

  @TempDir Path dir;

  @Test
  void theBundledCatalogReadsWithASourceAndDateForEveryPrice() {
    List<ModelConfig> models = BundledCatalog.models();
    assertThat(models).hasSize(30);
    List<DeploymentConfig> deployments = models.stream().flatMap(m -> m.providers().stream()).toList();
    assertThat(deployments).hasSize(48).allSatisfy(d -> {
      assertThat(d.source()).startsWith("http");
      assertThat(d.asOf()).matches("\\d{4}-\\d{2}-\\d{2}");
      assertThat(d.inputPrice()).isNotNegative();
    });
    ModelConfig llama = models.stream().filter(m -> m.id().equals("meta-llama/Llama-3.3-70B-Instruct")).findFirst().orElseThrow();
    assertThat(llama.contextLength()).isEqualTo(131072);
    assertThat(llama.capabilities()).hasValue(List.of("tools", "json_object", "streaming"));
  }

  @Test
  void bedrockAndAzureSellModelsOfTheCatalogAtTheirOwnDatedPrices() {
    List<DeploymentConfig> deployments = BundledCatalog.models().stream().flatMap(m -> m.providers().stream()).toList();
    DeploymentConfig sonnet = deployments.stream()
        .filter(d -> d.provider().equals("bedrock") && d.model().equals("us.anthropic.claude-sonnet-4-5-20250929-v1:0"))
        .findFirst().orElseThrow();
    assertThat(sonnet.inputPrice()).isEqualTo(3.0);
    assertThat(sonnet.outputPrice()).isEqualTo(15.0);
    assertThat(sonnet.cacheWritePrice()).isEqualTo(3.75);
    assertThat(sonnet.source()).contains("amazon-bedrock");
    assertThat(deployments).filteredOn(d -> d.provider().equals("bedrock")).extracting(DeploymentConfig::model)
        .contains("us.meta.llama3-3-70b-instruct-v1:0", "amazon.nova-pro-v1:0");
    assertThat(deployments).filteredOn(d -> d.provider().equals("azure")).extracting(DeploymentConfig::model)
        .containsExactly("gpt-4o-mini", "gpt-4o");
  }

  @Test
  void anAwsKeyAndRegionServeTheBundledBedrockModels() {
    JunctionConfig config = ConfigLoader.fromEnvironment(
        Map.of("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key", "AWS_REGION", "us-east-1"));
    assertThat(config.models()).extracting(ModelConfig::id)
        .contains("anthropic/claude-sonnet-4-5", "amazon/nova-pro", "meta-llama/Llama-3.3-70B-Instruct");
    assertThat(config.models()).flatExtracting(ModelConfig::providers)
        .extracting(DeploymentConfig::provider).containsOnly("bedrock");
  }

  @Test
  void aBrokenCatalogFileIsRefusedWithEveryProblemAndItsLine() throws Exception {
    Path file = Files.writeString(dir.resolve("catalog.yaml"), """
        models:
          - id: a/model
            aliases: [same]
            capabilities: [tools, telepathy]
            providers:
              - { provider: groq, model: m, input_price: -1, output_price: 1, as_of: 2025-01-01 }
              - { provider: grok, model: m2, input_price: 1, output_price: 1, source: "https://x", as_of: "May 2025" }
          - id: b/model
            aliases: [same]
            providers:
              - { provider: groq, model: m, input_price: 1, output_price: 1, source: "https://x", as_of: 2025-01-01 }
        """);
    ConfigException e = assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> BundledCatalog.load(file)).actual();
    assertThat(String.join("\n", e.problems()).replace(file.toString(), "catalog.yaml")).contains(
        "catalog.yaml:4: models[0].capabilities[1]: unknown capability \"telepathy\"",
        "catalog.yaml:6: models[0].providers[0].input_price: must not be negative, got -1",
        "catalog.yaml:6: models[0].providers[0].source: is required",
        "catalog.yaml:7: models[0].providers[1].provider: unknown provider \"grok\" (did you mean \"groq\"?)",
        "catalog.yaml:7: models[0].providers[1].as_of: must be a date written YYYY-MM-DD, got \"May 2025\"",
        "catalog.yaml:9: models[1].aliases[0]: \"same\" is already used by models[0].aliases[0] (line 3)");
  }

  @Test
  void withoutAnyProviderNothingBundledIsServed() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of());
    assertThat(config.models()).isEmpty();
  }

  @Test
  void anEnvironmentKeyServesTheBundledModelsOfThatProviderOnly() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of("GROQ_API_KEY", "gsk-test"));
    assertThat(config.models()).extracting(ModelConfig::id).contains(
        "meta-llama/Llama-3.3-70B-Instruct", "openai/gpt-oss-120b").doesNotContain("openai/gpt-4o-mini");
    assertThat(config.models()).flatExtracting(ModelConfig::providers)
        .extracting(DeploymentConfig::provider).containsOnly("groq");
  }

  @Test
  void aConfigModelOverridesTheBundledOneByIdAndAddsItsDeploymentsFirst() {
    JunctionConfig config = new ConfigFiles(dir).load("""
        providers:
          - { name: local, kind: openai, profile: vllm, base_url: "http://127.0.0.1:8000/v1" }
        models:
          - id: meta-llama/Llama-3.3-70B-Instruct
            aliases: [llama]
            context_length: 65536
            providers:
              - { provider: local, model: llama, input_price: 0, output_price: 0, max_output: 4096 }
              - { provider: groq, model: llama-3.3-70b-versatile, input_price: 0.5, output_price: 0.7 }
        """, Map.of("GROQ_API_KEY", "gsk-test", "TOGETHER_API_KEY", "tg-test"));
    ModelConfig llama = config.models().getFirst();
    assertThat(llama.id()).isEqualTo("meta-llama/Llama-3.3-70B-Instruct");
    assertThat(llama.aliases()).containsExactly("llama", "llama-3.3-70b");
    assertThat(llama.contextLength()).isEqualTo(65536);
    assertThat(llama.capabilities()).hasValue(List.of("tools", "json_object", "streaming"));
    assertThat(llama.providers()).extracting(d -> d.provider() + "/" + d.model() + "@" + d.inputPrice())
        .containsExactly("local/llama@0.0", "groq/llama-3.3-70b-versatile@0.5",
            "together/meta-llama/Llama-3.3-70B-Instruct-Turbo@0.88");
  }

  @Test
  void aBundledModelCanBeOverriddenWithoutDeploymentsOfItsOwn() {
    JunctionConfig config = new ConfigFiles(dir).load("""
        models:
          - { id: openai/gpt-oss-120b, aliases: [oss], capabilities: [tools] }
        """, Map.of("GROQ_API_KEY", "gsk-test"));
    ModelConfig oss = config.models().getFirst();
    assertThat(oss.aliases()).containsExactly("oss", "gpt-oss-120b");
    assertThat(oss.capabilities()).hasValue(List.of("tools"));
    assertThat(oss.providers()).extracting(DeploymentConfig::provider).containsExactly("groq");
  }

  @Test
  void theBundledCatalogCanBeSwitchedOff() {
    JunctionConfig config = new ConfigFiles(dir).load("catalog: { bundled: false }\n", Map.of("GROQ_API_KEY", "gsk"));
    assertThat(config.models()).isEmpty();
    assertThat(new ConfigFiles(dir).problems("catalog: { bundled: \"no\" }\n"))
        .containsExactly("junction.yaml:1: catalog.bundled: expected true or false, got the string \"no\"");
  }

  @Test
  void configDeploymentsTakeTheNewKeys() {
    JunctionConfig config = new ConfigFiles(dir).load("""
        catalog: { bundled: false }
        providers:
          - { name: local, kind: openai, profile: vllm, base_url: "http://127.0.0.1:8000/v1" }
        models:
          - id: my/model
            context_length: 8192
            capabilities: [tools, streaming]
            providers:
              - { provider: local, model: m, input_price: 0, output_price: 0, context_length: 4096,
                  max_output: 1024, capabilities: [streaming], status: offline }
        """);
    DeploymentConfig d = config.models().getFirst().providers().getFirst();
    assertThat(d.contextLength()).isEqualTo(4096);
    assertThat(d.maxOutput()).isEqualTo(1024);
    assertThat(d.capabilities()).hasValue(List.of("streaming"));
    assertThat(d.status()).isEqualTo("offline");
    assertThat(d.source()).isNull();
    assertThat(config.models().getFirst().capabilities()).isEqualTo(Optional.of(List.of("tools", "streaming")));
  }
}
