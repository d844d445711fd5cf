package dev.junction.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole validated configuration of one gateway process. Built by {@link ConfigLoader} from a
 * YAML file, the environment, or both; immutable once built.
 *
 * @param source the file it was read from, empty when built from defaults and the environment
 */
public record JunctionConfig(
    Optional<Path> source,
    ServerConfig server,
    DatabaseConfig database,
    Optional<String> redisUrl,
    LedgerConfig ledger,
    List<ProviderConfig> providers,
    List<ModelConfig> models) {

  public JunctionConfig {
    providers = List.copyOf(providers);
    models = List.copyOf(models);
  }

  private static final String HIDDEN = "<hidden>";

  private static String hidden(Optional<String> secret) {
    return secret.isPresent() ? HIDDEN : "none";
  }

  /** Secrets (the master key, API keys, passwords, a Redis URL's credentials) are never printed. */
  @Override
  public String toString() {
    return "JunctionConfig[source=" + source + ", server=" + server + ", database=" + database
        + ", redis=" + hidden(redisUrl) + ", ledger=" + ledger + ", providers=" + providers
        + ", models=" + models + "]";
  }

  /**
   * @param host bind address: 127.0.0.1 unless a master key protects the gateway
   * @param metricsPublic whether {@code GET /metrics} is served without the master key (scrapers
   *     often have none); the metrics carry no secrets either way
   */
  public record ServerConfig(
      String host, int port, Optional<String> masterKey, long maxBodyBytes, String defaultPolicy,
      boolean metricsPublic) {

    /** Metrics behind the master key, when there is one. */
    public ServerConfig(String host, int port, Optional<String> masterKey, long maxBodyBytes, String defaultPolicy) {
      this(host, port, masterKey, maxBodyBytes, defaultPolicy, false);
    }

    @Override
    public String toString() {
      return "ServerConfig[host=" + host + ", port=" + port + ", masterKey=" + hidden(masterKey)
          + ", maxBodyBytes=" + maxBodyBytes + ", defaultPolicy=" + defaultPolicy
          + ", metricsPublic=" + metricsPublic + "]";
    }
  }

  /** @param url a JDBC URL: {@code jdbc:sqlite:…} (default) or {@code jdbc:postgresql://…} */
  public record DatabaseConfig(String url, Optional<String> user, Optional<String> password) {
    /** The URL is printed without its query, where JDBC drivers accept credentials. */
    @Override
    public String toString() {
      int query = url.indexOf('?');
      return "DatabaseConfig[url=" + (query < 0 ? url : url.substring(0, query) + "?" + HIDDEN)
          + ", user=" + user.orElse("none") + ", password=" + hidden(password) + "]";
    }
  }

  /**
   * How usage records reach the database: batched by a single writer off the request path.
   *
   * @param flushIntervalMs the longest a record waits in memory; also the most a {@code kill -9} can lose
   * @param batchSize records written per transaction at most
   * @param capacity records held in memory at most (queued or reserved by in-flight requests)
   */
  public record LedgerConfig(long flushIntervalMs, int batchSize, int capacity) {}

  /**
   * One upstream account.
   *
   * @param kind the wire family, {@code openai} for every OpenAI-compatible server
   * @param profile a known provider profile name (openai, groq, mistral, vllm, …) whose quirks apply;
   *     defaults to {@code name}; the provider package applies {@code generic} to a name it doesn't know
   * @param apiKey never logged, never echoed in an error
   */
  public record ProviderConfig(
      String name,
      String kind,
      String profile,
      String baseUrl,
      Optional<String> apiKey,
      java.util.Map<String, String> headers,
      TimeoutConfig timeouts) {
    /** Header values may be credentials too, so only their names are printed. */
    @Override
    public String toString() {
      return "ProviderConfig[name=" + name + ", kind=" + kind + ", profile=" + profile + ", baseUrl=" + baseUrl
          + ", apiKey=" + hidden(apiKey) + ", headers=" + headers.keySet() + ", timeouts=" + timeouts + "]";
    }
  }

  /** Per-provider timeouts in milliseconds. */
  public record TimeoutConfig(long connectMs, long firstTokenMs, long idleMs, long totalMs) {
    public static final TimeoutConfig DEFAULT = new TimeoutConfig(5_000, 60_000, 60_000, 600_000);
  }

  /** A model as clients name it (a Hugging Face-style id), and the deployments that serve it. */
  public record ModelConfig(String id, List<String> aliases, List<DeploymentConfig> providers) {
    public ModelConfig {
      aliases = List.copyOf(aliases);
      providers = List.copyOf(providers);
    }
  }

  /**
   * One provider serving one model.
   *
   * @param model the provider's own id for it
   * @param inputPrice USD per million input tokens
   * @param outputPrice USD per million output tokens
   * @param cachedInputPrice USD per million cached input tokens; defaults to {@code inputPrice}
   */
  public record DeploymentConfig(
      String provider, String model, double inputPrice, double outputPrice, double cachedInputPrice) {}
}
