package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentProvidersTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void theTableCoversTheDocumentedOpenAiCompatibleProviders() {
    assertThat(EnvironmentProviders.all()).extracting(EnvironmentProvider::name).containsExactly(
        "openai", "mistral", "groq", "together", "fireworks", "cerebras", "deepinfra", "huggingface", "openrouter",
        "gemini",
        "anthropic",
        "cohere");
    assertThat(EnvironmentProviders.all()).allSatisfy(p -> {
      assertThat(p.baseUrl()).startsWith("https://").doesNotEndWith("/");
      assertThat(ConfigReader.baseUrlProblem(p.baseUrl())).isEmpty();
      assertThat(p.envVars()).isNotEmpty();
    });
  }

  @Test
  void aProviderIsAddedForEachKeyInTheEnvironment() {
    List<ProviderConfig> providers = EnvironmentProviders.fromEnvironment(
        Map.of("GROQ_API_KEY", "gsk-1", "OPENROUTER_API_KEY", "sk-or-2", "UNRELATED", "x"), List.of());

    assertThat(providers).containsExactly(
        new ProviderConfig("groq", "openai", "groq", "https://api.groq.com/openai/v1", Optional.of("gsk-1"),
            Map.of(), TimeoutConfig.DEFAULT),
        new ProviderConfig("openrouter", "openai", "openrouter", "https://openrouter.ai/api/v1",
            Optional.of("sk-or-2"), Map.of(), TimeoutConfig.DEFAULT));
  }

  @Test
  void aKeyWhoseEndpointVariableIsMissingIsNamedWithoutItsValue() {
    assertThat(EnvironmentProviders.incomplete(Map.of("AWS_BEARER_TOKEN_BEDROCK", "bedrock-secret"), List.of()))
        .singleElement().asString().contains("AWS_REGION", "no bedrock provider").doesNotContain("bedrock-secret");
    assertThat(EnvironmentProviders.incomplete(Map.of("AZURE_OPENAI_API_KEY", "azure-secret",
        "AZURE_OPENAI_ENDPOINT", "my-resource"), List.of()))
        .singleElement().asString().contains("AZURE_OPENAI_ENDPOINT", "no azure provider").doesNotContain("azure-secret");
    // Complete, or declared by the file: nothing to say.
    assertThat(EnvironmentProviders.incomplete(Map.of("AWS_BEARER_TOKEN_BEDROCK", "k", "AWS_REGION", "us-east-1",
        "AZURE_OPENAI_API_KEY", "k", "AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com"), List.of())).isEmpty();
    assertThat(EnvironmentProviders.incomplete(Map.of("AWS_BEARER_TOKEN_BEDROCK", "k"), List.of("bedrock"))).isEmpty();
  }

  @Test
  void aBedrockApiKeyWithARegionIsABedrockProviderAtThatRegionsEndpoint() {
    ProviderConfig bedrock = EnvironmentProviders.fromEnvironment(
        Map.of("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key", "AWS_DEFAULT_REGION", "eu-west-3"), List.of()).getFirst();

    assertThat(bedrock.name()).isEqualTo("bedrock");
    assertThat(bedrock.kind()).isEqualTo("bedrock");
    assertThat(bedrock.baseUrl()).isEqualTo("https://bedrock-runtime.eu-west-3.amazonaws.com");
    assertThat(bedrock.apiKeys()).containsExactly("bedrock-key");
    assertThat(bedrock.aws()).hasValueSatisfying(aws -> assertThat(aws.region()).isEqualTo("eu-west-3"));
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key",
        "AWS_REGION", "us-east-1", "AWS_DEFAULT_REGION", "eu-west-3"), List.of()).getFirst().baseUrl())
        .isEqualTo("https://bedrock-runtime.us-east-1.amazonaws.com");
    // No region, no endpoint; a provider the file declares under that name wins.
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key"), List.of()))
        .isEmpty();
    assertThat(EnvironmentProviders.fromEnvironment(
        Map.of("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key", "AWS_REGION", "us-east-1"), List.of("bedrock"))).isEmpty();
  }

  @Test
  void aCohereKeyIsACohereProviderAtItsV2BaseUrlUnderEitherOfTheSdksVariables() {
    ProviderConfig cohere = EnvironmentProviders.fromEnvironment(Map.of("COHERE_API_KEY", "co-key"), List.of())
        .getFirst();
    assertThat(cohere.name()).isEqualTo("cohere");
    assertThat(cohere.kind()).isEqualTo("cohere");
    assertThat(cohere.baseUrl()).isEqualTo("https://api.cohere.com/v2");
    assertThat(cohere.apiKey()).contains("co-key");
    // The SDKs prefer CO_API_KEY, as the gateway does.
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("COHERE_API_KEY", "b", "CO_API_KEY", "a"), List.of()))
        .singleElement().satisfies(p -> assertThat(p.apiKey()).contains("a"));
  }

  @Test
  void aFileProviderOfKindCohereWithoutABaseUrlTakesCoheresOwn() {
    JunctionConfig config = files.load("""
        providers:
          - { name: command, kind: cohere, api_key: co-key }
        """);
    assertThat(config.providers()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo("cohere");
      assertThat(p.baseUrl()).isEqualTo("https://api.cohere.com/v2");
    });
  }

  @Test
  void anAzureKeyWithAnEndpointIsAnAzureProviderAtThatResourceWithTheGivenOrDefaultApiVersion() {
    ProviderConfig azure = EnvironmentProviders.fromEnvironment(Map.of("AZURE_OPENAI_API_KEY", "azure-key",
        "AZURE_OPENAI_ENDPOINT", "https://my-resource.openai.azure.com/"), List.of()).getFirst();

    assertThat(azure.name()).isEqualTo("azure");
    assertThat(azure.kind()).isEqualTo("azure");
    assertThat(azure.baseUrl()).isEqualTo("https://my-resource.openai.azure.com/");
    assertThat(azure.apiKeys()).containsExactly("azure-key");
    assertThat(azure.azure()).hasValueSatisfying(a -> {
      assertThat(a.apiVersion()).isEqualTo("2024-10-21");
      assertThat(a.bearer()).isFalse();
    });
    assertThat(azure.toString()).doesNotContain("azure-key");
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AZURE_OPENAI_API_KEY", "azure-key",
        "AZURE_OPENAI_ENDPOINT", "https://my-resource.openai.azure.com", "OPENAI_API_VERSION", "2025-04-01-preview"),
        List.of()).getFirst().azure().orElseThrow().apiVersion()).isEqualTo("2025-04-01-preview");
    // A version that is not one is not sent: the default is.
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AZURE_OPENAI_API_KEY", "azure-key",
        "AZURE_OPENAI_ENDPOINT", "https://my-resource.openai.azure.com", "OPENAI_API_VERSION", "latest&x=1"),
        List.of()).getFirst().azure().orElseThrow().apiVersion()).isEqualTo("2024-10-21");
    // No endpoint (or one that is not a URL), no provider; a provider the file declares under that name wins.
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AZURE_OPENAI_API_KEY", "azure-key"), List.of())).isEmpty();
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AZURE_OPENAI_API_KEY", "azure-key",
        "AZURE_OPENAI_ENDPOINT", "my-resource"), List.of())).isEmpty();
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("AZURE_OPENAI_API_KEY", "azure-key",
        "AZURE_OPENAI_ENDPOINT", "https://my-resource.openai.azure.com"), List.of("azure"))).isEmpty();
  }

  @Test
  void blankKeysAreIgnored() {
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("GROQ_API_KEY", "", "MISTRAL_API_KEY", "  "), List.of()))
        .isEmpty();
  }

  @Test
  void theFirstSetVariableOfAnEntryWins() {
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("DEEPINFRA_TOKEN", "t", "DEEPINFRA_API_KEY", "k"), List.of()))
        .singleElement().satisfies(p -> assertThat(p.apiKey()).contains("k"));
    assertThat(EnvironmentProviders.fromEnvironment(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_x"), List.of()))
        .singleElement().satisfies(p -> {
          assertThat(p.name()).isEqualTo("huggingface");
          assertThat(p.baseUrl()).isEqualTo("https://router.huggingface.co/v1");
        });
  }

  @Test
  void environmentProvidersAreAddedAfterTheFilesAndTheFileWinsByName() {
    JunctionConfig config = files.load("""
        providers:
          - { name: groq, kind: openai, base_url: "http://groq-proxy:8080/v1" }
        """, Map.of("GROQ_API_KEY", "gsk-env", "TOGETHER_API_KEY", "tgp-env"));

    assertThat(config.providers()).extracting(ProviderConfig::name, ProviderConfig::baseUrl, ProviderConfig::apiKey)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("groq", "http://groq-proxy:8080/v1", Optional.empty()),
            org.assertj.core.groups.Tuple.tuple("together", "https://api.together.ai/v1", Optional.of("tgp-env")));
  }

  @Test
  void aModelMayBeServedByAnEnvironmentProvider() {
    JunctionConfig config = files.load(
        "models: [{ id: m, providers: [{ provider: mistral, model: mistral-small-latest, input_price: 0.1, output_price: 0.3 }] }]\n",
        Map.of("MISTRAL_API_KEY", "mk"));

    assertThat(config.models().getFirst().providers().getFirst().provider()).isEqualTo("mistral");
  }

  @Test
  void withoutAFileTheEnvironmentGivesDefaultsAndItsProviders() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of("CEREBRAS_API_KEY", "csk"));

    assertThat(config.source()).isEmpty();
    assertThat(config.server().host()).isEqualTo("127.0.0.1");
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.server().masterKey()).isEmpty();
    assertThat(config.database().url()).isEqualTo("jdbc:sqlite:junction.db");
    assertThat(config.providers()).extracting(ProviderConfig::name).containsExactly("cerebras");
    // The bundled catalog's models that cerebras serves, and nothing else.
    assertThat(config.models()).singleElement().satisfies(m -> {
      assertThat(m.id()).isEqualTo("openai/gpt-oss-120b");
      assertThat(m.providers()).extracting(d -> d.provider()).containsExactly("cerebras");
    });
  }

  @Test
  void withoutAFileTheMasterKeyAndDatabaseComeFromTheEnvironment() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of(
        "JUNCTION_MASTER_KEY", "jk-1", "JUNCTION_DATABASE_URL", "jdbc:postgresql://db/junction"));

    assertThat(config.server().masterKey()).contains("jk-1");
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.database().url()).isEqualTo("jdbc:postgresql://db/junction");
  }

  @Test
  void anEmptyMasterKeyInTheEnvironmentIsNone() {
    assertThat(ConfigLoader.fromEnvironment(Map.of("JUNCTION_MASTER_KEY", "")).server().masterKey()).isEmpty();
  }

  @Test
  void anUnsupportedDatabaseUrlInTheEnvironmentIsAProblem() {
    assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> ConfigLoader.fromEnvironment(Map.of("JUNCTION_DATABASE_URL", "jdbc:h2:mem:x")))
        .satisfies(e -> assertThat(e.problems()).containsExactly(
            "environment: JUNCTION_DATABASE_URL: must start with jdbc:sqlite: or jdbc:postgresql:, got \"jdbc:h2:…\""));
  }
}
