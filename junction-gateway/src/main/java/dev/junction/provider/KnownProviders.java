package dev.junction.provider;

import dev.junction.api.Family;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The providers and servers Junction knows by name, with the quirks their own documentation states:
 * the OpenAI-compatible ones (Azure OpenAI among them), Anthropic's Messages API, Google's Gemini API, Amazon Bedrock's Converse API
 * and Cohere's Chat API v2. Adding a provider is one entry here (and, for a hosted one, its base URL and
 * key variable in {@code config.EnvironmentProviders}).
 *
 * <p>{@code streamUsage} is false where a provider refuses {@code stream_options} (Mistral's strict
 * schema answers 422) or ignores it; those report usage on the final chunk by themselves, which the
 * relay reads all the same.
 */
public final class KnownProviders {

  private static final String BEARER = "Bearer ";
  private static final String AUTH = "Authorization";

  /** The version of Anthropic's API whose shapes the anthropic codec writes and reads. */
  public static final String ANTHROPIC_VERSION = "2023-06-01";

  /** Anthropic's Messages API, and any server of that family (kind: anthropic) without a profile of its own. */
  public static final ProviderProfile ANTHROPIC = new ProviderProfile("anthropic", "x-api-key", "", Set.of(), true,
      false, Map.of("anthropic-version", ANTHROPIC_VERSION), "https://docs.anthropic.com/en/api/messages",
      Family.ANTHROPIC);

  /**
   * Google's Gemini API (kind: gemini): its key in {@code x-goog-api-key}; usage comes with every
   * stream by itself.
   */
  public static final ProviderProfile GEMINI = new ProviderProfile("gemini", "x-goog-api-key", "", Set.of(),
      false, false, Map.of(), "https://ai.google.dev/api/generate-content", Family.GEMINI);

  /**
   * Amazon Bedrock Runtime's Converse API (kind: bedrock): a Bedrock API key as a bearer token, or
   * AWS Signature Version 4 when the provider has AWS credentials ({@link SigV4}).
   */
  public static final ProviderProfile BEDROCK = new ProviderProfile("bedrock", AUTH, BEARER, Set.of(), true, false,
      Map.of(), "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html", Family.BEDROCK);

  /**
   * Cohere's Chat API v2 (kind: cohere): a bearer key; usage comes with every answer and stream by
   * itself, and embeddings ({@code /v2/embed}) are not served through it.
   */
  public static final ProviderProfile COHERE = new ProviderProfile("cohere", AUTH, BEARER, Set.of(), false, false,
      Map.of(), "https://docs.cohere.com/reference/chat", Family.COHERE);

  /**
   * Azure OpenAI (kind: azure): OpenAI's Chat Completions, Completions and Embeddings bodies, so a
   * client of OpenAI's family is passed through, but at the deployment's own path with an
   * {@code api-version} (or under {@code /openai/v1}), and its key in an {@code api-key} header.
   */
  public static final ProviderProfile AZURE = new ProviderProfile("azure", "api-key", "", Set.of(), true, true,
      Map.of(), "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference", Family.OPENAI);

  /** Azure OpenAI signed with a Microsoft Entra ID token ({@code auth: bearer}) instead of a key. */
  public static final ProviderProfile AZURE_ENTRA = new ProviderProfile("azure", AUTH, BEARER, Set.of(), true, true,
      Map.of(), "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference#authentication", Family.OPENAI);

  private static final List<ProviderProfile> ALL = List.of(
      hosted("openai", Set.of(), true, true,
          "https://platform.openai.com/docs/api-reference/chat"),
      // Mistral validates with extra=forbid: OpenAI-only fields are a 422, not ignored.
      hosted("mistral", Set.of("stream_options", "logit_bias", "logprobs", "top_logprobs", "user", "store",
              "metadata", "service_tier", "seed"),
          false, true, "https://docs.mistral.ai/api/#tag/chat"),
      hosted("groq", Set.of("logprobs", "logit_bias", "top_logprobs"), true, false,
          "https://console.groq.com/docs/openai"),
      hosted("together", Set.of(), true, true,
          "https://docs.together.ai/docs/openai-api-compatibility"),
      hosted("fireworks", Set.of(), true,
          true, "https://docs.fireworks.ai/tools-sdks/openai-compatibility"),
      hosted("cerebras", Set.of("frequency_penalty", "logit_bias", "presence_penalty", "parallel_tool_calls",
              "service_tier"),
          true, false, "https://inference-docs.cerebras.ai/resources/openai"),
      hosted("deepinfra", Set.of(), true,
          true, "https://deepinfra.com/docs/openai_api"),
      hosted("huggingface", Set.of(), true, false,
          "https://huggingface.co/docs/inference-providers/index"),
      hosted("openrouter", Set.of(), true, false,
          "https://openrouter.ai/docs/api-reference/overview"),
      // Anthropic's own Messages API (kind: anthropic): its key in x-api-key, the API version pinned.
      ANTHROPIC,
      GEMINI,
      BEDROCK,
      COHERE,
      AZURE,
      selfHosted("vllm", true, true, "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html"),
      selfHosted("tgi", true, false, "https://huggingface.co/docs/text-generation-inference/messages_api"),
      selfHosted("sglang", true, true, "https://docs.sglang.ai/basic_usage/openai_api.html"),
      selfHosted("llamacpp", true, true,
          "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md"),
      selfHosted("ollama", true, true, "https://github.com/ollama/ollama/blob/main/docs/openai.md"));

  private KnownProviders() {}

  /** Every known profile, hosted providers first. */
  public static List<ProviderProfile> all() {
    return ALL;
  }

  /** The profile with this name, if known. */
  public static Optional<ProviderProfile> byName(String name) {
    return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private static ProviderProfile hosted(
      String name, Set<String> rejected, boolean streamUsage, boolean embeddings, String source) {
    return new ProviderProfile(name, AUTH, BEARER, rejected, streamUsage, embeddings, Map.of(), source, Family.OPENAI);
  }

  /** Self-hosted servers: the user gives the URL; a key only if the server was started with one. */
  private static ProviderProfile selfHosted(String name, boolean streamUsage, boolean embeddings, String source) {
    return new ProviderProfile(name, AUTH, BEARER, Set.of(), streamUsage, embeddings, Map.of(), source, Family.OPENAI);
  }
}
