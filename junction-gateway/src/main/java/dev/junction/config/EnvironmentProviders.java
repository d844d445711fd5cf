package dev.junction.config;

import dev.junction.config.JunctionConfig.AwsConfig;
import dev.junction.config.JunctionConfig.AzureConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Providers declared by setting an API key in the environment, so that {@code GROQ_API_KEY=… junction}
 * works with no file at all. Each becomes a provider of its kind ({@code openai} but for Anthropic) whose name and profile
 * are the table's name, with default timeouts and no catalog models (clients reach them as
 * {@code model:provider}). Amazon Bedrock and Azure OpenAI take their endpoint from a second variable
 * (a region, a resource's endpoint), so they are set up apart from the table.
 *
 * <p>A provider with the same name in the configuration file wins over the environment.
 *
 * <p>Kept here rather than derived from the provider package's profiles: the config has to know
 * names and URLs to validate a file, and must not depend on the code it configures.
 */
public final class EnvironmentProviders {

  // Base URLs as each provider documents them for OpenAI clients (checked against their docs):
  // platform.openai.com/docs/api-reference, docs.mistral.ai/api, console.groq.com/docs/openai,
  // docs.together.ai/docs/inference/openai-compatibility, docs.fireworks.ai, inference-docs.cerebras.ai,
  // deepinfra.com/docs/advanced/openai_api, huggingface.co/docs/inference-providers,
  // openrouter.ai/docs/quickstart, ai.google.dev/gemini-api/docs/openai,
  // docs.anthropic.com/en/api/openai-sdk.
  private static final List<EnvironmentProvider> ALL = List.of(
      new EnvironmentProvider("openai", List.of("OPENAI_API_KEY"), "https://api.openai.com/v1"),
      new EnvironmentProvider("mistral", List.of("MISTRAL_API_KEY"), "https://api.mistral.ai/v1"),
      new EnvironmentProvider("groq", List.of("GROQ_API_KEY"), "https://api.groq.com/openai/v1"),
      new EnvironmentProvider("together", List.of("TOGETHER_API_KEY"), "https://api.together.ai/v1"),
      new EnvironmentProvider("fireworks", List.of("FIREWORKS_API_KEY"), "https://api.fireworks.ai/inference/v1"),
      new EnvironmentProvider("cerebras", List.of("CEREBRAS_API_KEY"), "https://api.cerebras.ai/v1"),
      new EnvironmentProvider(
          "deepinfra", List.of("DEEPINFRA_API_KEY", "DEEPINFRA_TOKEN"), "https://api.deepinfra.com/v1/openai"),
      new EnvironmentProvider(
          "huggingface", List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"), "https://router.huggingface.co/v1"),
      new EnvironmentProvider("openrouter", List.of("OPENROUTER_API_KEY"), "https://openrouter.ai/api/v1"),
      // Gemini's own API (ai.google.dev/api/generate-content), not its OpenAI compatibility layer.
      new EnvironmentProvider(
          "gemini", "gemini", List.of("GEMINI_API_KEY"), "https://generativelanguage.googleapis.com/v1beta"),
      // Anthropic's own Messages API (docs.anthropic.com/en/api/messages), not its OpenAI compatibility layer.
      new EnvironmentProvider("anthropic", "anthropic", List.of("ANTHROPIC_API_KEY"), "https://api.anthropic.com/v1"),
      // Cohere's Chat API v2 (docs.cohere.com/reference/chat); its SDKs read CO_API_KEY, then COHERE_API_KEY.
      new EnvironmentProvider("cohere", "cohere", List.of("CO_API_KEY", "COHERE_API_KEY"), "https://api.cohere.com/v2"));

  private static final String BEDROCK = "bedrock";
  private static final String AZURE = "azure";

  private EnvironmentProviders() {}

  /** The whole table, in the order providers are added. */
  public static List<EnvironmentProvider> all() {
    return ALL;
  }

  /** The entry with this name, if any. */
  public static Optional<EnvironmentProvider> byName(String name) {
    return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /**
   * Every provider name the environment can set up: the table's, then Amazon Bedrock and Azure OpenAI,
   * whose endpoints come from a second variable. The bundled catalog's deployments name these.
   */
  public static List<String> names() {
    List<String> names = new ArrayList<>(ALL.stream().map(EnvironmentProvider::name).toList());
    names.add(BEDROCK);
    names.add(AZURE);
    return List.copyOf(names);
  }

  /** The documented base URL of a profile name, used when a file's provider omits {@code base_url}. */
  public static Optional<String> defaultBaseUrl(String profile) {
    return byName(profile).map(EnvironmentProvider::baseUrl);
  }

  /**
   * The providers whose key is set (non-blank) in env, skipping names the file already declares.
   *
   * @param declared provider names taken by the configuration file
   */
  public static List<ProviderConfig> fromEnvironment(Map<String, String> env, Collection<String> declared) {
    List<ProviderConfig> providers = new ArrayList<>(ALL.stream()
        .filter(p -> !declared.contains(p.name()))
        .flatMap(p -> key(p, env).map(key -> provider(p, key)).stream())
        .toList());
    if (!declared.contains(BEDROCK)) {
      bedrock(env).ifPresent(providers::add);
    }
    if (!declared.contains(AZURE)) {
      azure(env).ifPresent(providers::add);
    }
    return providers;
  }

  /**
   * Amazon Bedrock from a Bedrock API key, as AWS's own tools take it: the key in
   * {@code AWS_BEARER_TOKEN_BEDROCK}, the region in {@code AWS_REGION} (else {@code AWS_DEFAULT_REGION}),
   * which names the endpoint (docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html). Without
   * a region there is no endpoint to call, so no provider.
   */
  private static Optional<ProviderConfig> bedrock(Map<String, String> env) {
    Optional<String> key = first(env, List.of("AWS_BEARER_TOKEN_BEDROCK"));
    Optional<String> region = first(env, List.of("AWS_REGION", "AWS_DEFAULT_REGION"))
        .filter(r -> r.matches("[a-z0-9-]+"));
    if (key.isEmpty() || region.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ProviderConfig(BEDROCK, BEDROCK, BEDROCK,
        "https://bedrock-runtime." + region.get() + ".amazonaws.com", List.of(key.get()), Map.of(),
        TimeoutConfig.DEFAULT, ProviderConfig.DEFAULT_RETRIES, Optional.empty(),
        Optional.of(new AwsConfig(region.get(), Optional.empty(), Optional.empty(), Optional.empty()))));
  }

  /**
   * Azure OpenAI as OpenAI's and Azure's own SDKs take it: the key in {@code AZURE_OPENAI_API_KEY}, the
   * resource's endpoint in {@code AZURE_OPENAI_ENDPOINT}, and the API version in
   * {@code OPENAI_API_VERSION} when it is set and well-formed, else the latest generally available one
   * (learn.microsoft.com/en-us/azure/ai-foundry/openai/reference). Without a usable endpoint there is
   * nothing to call, so no provider.
   */
  private static Optional<ProviderConfig> azure(Map<String, String> env) {
    Optional<String> key = first(env, List.of("AZURE_OPENAI_API_KEY"));
    Optional<String> endpoint = first(env, List.of("AZURE_OPENAI_ENDPOINT"))
        .filter(url -> ConfigReader.baseUrlProblem(url).isEmpty());
    if (key.isEmpty() || endpoint.isEmpty()) {
      return Optional.empty();
    }
    String version = first(env, List.of("OPENAI_API_VERSION"))
        .filter(v -> AzureConfig.VERSION.matcher(v).matches())
        .orElse(AzureConfig.DEFAULT_API_VERSION);
    return Optional.of(new ProviderConfig(AZURE, AZURE, AZURE, endpoint.get(), List.of(key.get()), Map.of(),
        TimeoutConfig.DEFAULT, ProviderConfig.DEFAULT_RETRIES, Optional.empty(), Optional.empty(),
        Optional.of(new AzureConfig(version, false))));
  }

  /**
   * Why a provider whose key the environment sets was not added, for Bedrock and Azure OpenAI, whose
   * endpoint comes from a second variable: a line each, naming the variables, never their values.
   */
  public static List<String> incomplete(Map<String, String> env, Collection<String> declared) {
    List<String> notes = new ArrayList<>();
    if (!declared.contains(BEDROCK) && first(env, List.of("AWS_BEARER_TOKEN_BEDROCK")).isPresent()
        && bedrock(env).isEmpty()) {
      notes.add("AWS_BEARER_TOKEN_BEDROCK is set, but neither AWS_REGION nor AWS_DEFAULT_REGION names a region"
          + " (such as us-east-1): no bedrock provider");
    }
    if (!declared.contains(AZURE) && first(env, List.of("AZURE_OPENAI_API_KEY")).isPresent() && azure(env).isEmpty()) {
      notes.add("AZURE_OPENAI_API_KEY is set, but AZURE_OPENAI_ENDPOINT is not an http(s) URL such as"
          + " https://my-resource.openai.azure.com: no azure provider");
    }
    return List.copyOf(notes);
  }

  /** The first non-blank key among the entry's variables. */
  static Optional<String> key(EnvironmentProvider p, Map<String, String> env) {
    return first(env, p.envVars());
  }

  private static Optional<String> first(Map<String, String> env, List<String> names) {
    return names.stream()
        .map(env::get)
        .filter(v -> v != null && !v.isBlank())
        .map(String::strip)
        .findFirst();
  }

  private static ProviderConfig provider(EnvironmentProvider p, String key) {
    return new ProviderConfig(
        p.name(), p.kind(), p.name(), p.baseUrl(), Optional.of(key), Map.of(), TimeoutConfig.DEFAULT);
  }
}
