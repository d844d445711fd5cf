package dev.junction.config;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.ServerConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Builds the one {@link JunctionConfig} of a gateway from a YAML file and the environment, or from
 * the environment alone. Every problem is collected and thrown together as a {@link ConfigException}
 * whose lines read {@code <file>:<line>: <key.path>: <message>}.
 *
 * <h2>File format</h2>
 *
 * <p>Every key is optional unless marked required. Unknown keys are errors (with a "did you mean").
 * Types are strict: quote strings YAML would read as numbers or booleans.
 *
 * <pre>{@code
 * server:
 *   host: 127.0.0.1          # bind address; forced to 127.0.0.1 without a master key,
 *                            # defaults to 0.0.0.0 with one
 *   port: 8080               # integer 0..65535 (0 = any free port)
 *   master_key: ${JUNCTION_MASTER_KEY:-}   # secret clients present as a Bearer token; empty = none
 *   max_body_bytes: 10485760 # largest request body accepted, integer >= 1 (default 10 MiB)
 *   default_policy: fastest  # fastest | cheapest | preferred
 *   cache_affinity: true     # keep a prompt prefix / prompt_cache_key / user on one deployment
 *   access_log: off          # off | stdout | a file path: one JSON line per request
 * database:
 *   url: jdbc:sqlite:junction.db   # or jdbc:postgresql://host:5432/db
 *   user: junction           # optional
 *   password: ${PGPASSWORD}  # optional, secret
 * redis:                     # optional section
 *   url: redis://127.0.0.1:6379    # required in the section; redis:// or rediss://
 * ledger:
 *   flush_interval_ms: 50    # integer >= 1
 *   batch_size: 5000         # integer >= 1
 *   capacity: 100000         # integer >= batch_size
 * tracing:                   # optional section; off when absent
 *   otlp_endpoint: http://localhost:4318/v1/traces   # required in the section; http(s) URL
 *   service_name: junction   # default junction
 *   sample_ratio: 1.0        # 0..1, share of new traces kept
 * catalog:
 *   bundled: true            # serve BundledCatalog's models on the providers configured
 * providers:                 # list
 *   - name: groq             # required; letters, digits, '.', '_', '-'; unique
 *     kind: openai           # wire family: openai (default), anthropic, gemini, bedrock, azure, or an engine
 *     profile: groq          # default: name
 *     base_url: https://api.groq.com/openai/v1   # http(s) URL; required unless the profile
 *                            # is in EnvironmentProviders.all(), whose URL is the default
 *     api_key: ${GROQ_API_KEY}   # optional, secret
 *     headers: { X-Custom: value }   # optional extra request headers; values are secrets
 *     timeouts: { connect_ms: 5000, first_token_ms: 60000, idle_ms: 60000, total_ms: 600000 }
 *                            # any subset, integers >= 1, defaults TimeoutConfig.DEFAULT
 * models:                    # list
 *   - id: meta-llama/Llama-3.3-70B-Instruct   # required; the name clients use
 *     aliases: [llama-70b]   # optional other names; ids and aliases are unique together
 *     context_length: 131072 # optional
 *     capabilities: [tools, vision, json_schema, json_object, streaming, logprobs, embeddings]
 *     providers:             # required, non-empty, unless the id is a bundled model
 *       - provider: groq     # required; a declared (or environment) provider
 *         model: llama-3.3-70b-versatile   # required; the provider's own id
 *         input_price: 0.59  # required; USD per 1M input tokens, >= 0
 *         output_price: 0.79 # required; USD per 1M output tokens, >= 0
 *         cached_input_price: 0.30   # optional; default input_price
 *         cache_write_price: 3.75    # optional, prompt tokens written to the cache; default input_price
 *         context_length: 65536      # optional; default the model's context_length
 *         max_output: 8192           # optional
 *         capabilities: [tools]      # optional; default the model's
 *         status: live               # live | offline
 *         source: https://…          # optional here, required in catalog files
 *         as_of: 2026-01-15          # optional here, required in catalog files
 * }</pre>
 *
 * <h2>Environment variables</h2>
 *
 * <p>String values may contain {@code ${VAR}} (an error when VAR is unset) and {@code ${VAR:-default}}
 * (default when VAR is unset or empty), several per value, mixed with text; {@code $${} is a literal
 * {@code ${}. References need no quoting, even inside {@code { }} or {@code [ ]}. Comments and keys
 * are never interpolated. A value that comes out empty counts as absent.
 * A numeric key accepts a value produced this way ({@code port: ${PORT:-8080}}).
 *
 * <p>Providers whose key is set in the environment ({@link EnvironmentProviders#all()}) are added
 * after the file's, unless the file declares a provider of the same name.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * Reads a configuration file.
   *
   * @param env supplies {@code ${VAR}} values and environment-declared providers
   * @throws ConfigException listing every problem, including a missing or unreadable file
   */
  public static JunctionConfig load(Path file, Map<String, String> env) throws ConfigException {
    Problems problems = new Problems(file.toString());
    String text = readText(file, problems);
    Optional<YamlNode> document = YamlReader.read(text, problems);
    return new ConfigReader(env, problems).read(document, file);
  }

  /**
   * A configuration without a file: defaults, providers from the environment,
   * {@code JUNCTION_MASTER_KEY} as the master key and {@code JUNCTION_DATABASE_URL} as the database.
   *
   * @throws ConfigException when {@code JUNCTION_DATABASE_URL} is not a supported JDBC URL
   */
  public static JunctionConfig fromEnvironment(Map<String, String> env) throws ConfigException {
    Problems problems = new Problems("environment");
    Optional<String> masterKey = nonEmpty(env.get("JUNCTION_MASTER_KEY"));
    String databaseUrl = nonEmpty(env.get("JUNCTION_DATABASE_URL")).orElse(ConfigReader.DEFAULT_DATABASE_URL);
    ConfigReader.databaseUrlProblem(databaseUrl)
        .ifPresent(message -> problems.add(0, "JUNCTION_DATABASE_URL", message));
    problems.throwIfAny();
    ServerConfig server = new ServerConfig(
        ConfigReader.bindHost(Optional.empty(), masterKey),
        ConfigReader.DEFAULT_PORT,
        masterKey,
        ConfigReader.DEFAULT_MAX_BODY_BYTES,
        ConfigReader.DEFAULT_POLICY);
    List<ProviderConfig> providers = EnvironmentProviders.fromEnvironment(env, List.of());
    List<ModelConfig> models = CatalogMerge.merge(
        BundledCatalog.models(), List.of(), providers.stream().map(ProviderConfig::name).toList());
    return new JunctionConfig(
        Optional.empty(),
        server,
        new DatabaseConfig(databaseUrl, Optional.empty(), Optional.empty()),
        Optional.empty(),
        ConfigReader.DEFAULT_LEDGER,
        providers,
        models);
  }

  static String readText(Path file, Problems problems) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw problems.fail(0, "", "no such file");
    } catch (CharacterCodingException e) {
      throw problems.fail(0, "", "not UTF-8 text");
    } catch (IOException e) {
      throw problems.fail(0, "", Files.isDirectory(file) ? "is a directory, not a file" : "cannot read: " + e);
    }
  }

  private static Optional<String> nonEmpty(@Nullable String value) {
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
