package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.AzureConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Providers of kind azure: their resource endpoint, API version and authentication, and the mistakes refused. */
class AzureConfigTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void anAzureProviderTakesTheLatestGenerallyAvailableVersionUnlessItNamesOneAndItsKeyInApiKeyUnlessBearer() {
    JunctionConfig config = files.load("""
        providers:
          - { name: az, kind: azure, base_url: "https://my-resource.openai.azure.com", api_key: azure-key-of-the-test }
          - { name: preview, kind: azure, base_url: "https://my-resource.openai.azure.com", api_key: k,
              api_version: 2025-04-01-preview }
          - { name: entra, kind: azure, base_url: "https://other.openai.azure.com", api_key: t, api_version: v1,
              auth: bearer }
        models:
          - id: gpt-4o
            providers:
              - { provider: az, model: gpt-4o-prod, input_price: 2.5, output_price: 10 }
        """);
    ProviderConfig az = config.providers().getFirst();
    assertThat(az.kind()).isEqualTo("azure");
    assertThat(az.azure()).contains(new AzureConfig("2024-10-21", false));
    assertThat(config.providers().get(1).azure()).contains(new AzureConfig("2025-04-01-preview", false));
    assertThat(config.providers().get(2).azure()).hasValueSatisfying(a -> {
      assertThat(a.v1()).isTrue();
      assertThat(a.bearer()).isTrue();
    });
    assertThat(Secrets.of(config).redact("key azure-key-of-the-test")).doesNotContain("azure-key-of-the-test");
  }

  @Test
  void aBadApiVersionOrAuthAMissingOrPathedEndpointAndAzureFieldsOnAnotherKindAreProblemsNamingTheirKey() {
    assertThat(files.problems("""
        providers:
          - { name: az, kind: azure, base_url: "https://my-resource.openai.azure.com", api_key: k, api_version: latest,
              auth: token }
          - { name: noendpoint, kind: azure, api_key: k }
          - { name: pathed, kind: azure, base_url: "https://my-resource.openai.azure.com/openai/deployments/gpt-4o",
              api_key: k }
          - { name: openai, kind: openai, api_key: k, api_version: 2024-10-21 }
        models:
          - id: gpt-4o
            providers:
              - { provider: az, model: gpt-4o, input_price: 2.5, output_price: 10 }
        """)).containsExactly(
        "junction.yaml:2: providers[0].api_version: must be v1 or a dated Azure OpenAI API version such as 2024-10-21, "
            + "got \"latest\"",
        "junction.yaml:3: providers[0].auth: unknown auth \"token\"; valid values: api_key, bearer",
        "junction.yaml:4: providers[1].base_url: is required: the Azure OpenAI resource's endpoint, such as "
            + "https://my-resource.openai.azure.com",
        "junction.yaml:5: providers[2].base_url: is the Azure OpenAI resource's endpoint, such as "
            + "https://my-resource.openai.azure.com: the /openai/... path is added to it",
        "junction.yaml:7: providers[3].api_version: applies to providers of kind azure only");
  }
}
