package dev.junction.config;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
    List<ModelConfig> models,
    LimitsConfig limits,
    Optional<TracingConfig> tracing) {

  public JunctionConfig {
    providers = List.copyOf(providers);
    models = List.copyOf(models);
  }

  /** Without tracing. */
  public JunctionConfig(Optional<Path> source, ServerConfig server, DatabaseConfig database, Optional<String> redisUrl,
      LedgerConfig ledger, List<ProviderConfig> providers, List<ModelConfig> models, LimitsConfig limits) {
    this(source, server, database, redisUrl, ledger, providers, models, limits, Optional.empty());
  }

  /** With the default limits settings. */
  public JunctionConfig(Optional<Path> source, ServerConfig server, DatabaseConfig database, Optional<String> redisUrl,
      LedgerConfig ledger, List<ProviderConfig> providers, List<ModelConfig> models) {
    this(source, server, database, redisUrl, ledger, providers, models, LimitsConfig.DEFAULT);
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
        + ", models=" + models + ", limits=" + limits + ", tracing=" + tracing + "]";
  }

  /**
   * OpenTelemetry traces of the requests served ({@code tracing}); absent when off.
   *
   * @param otlpEndpoint where spans are sent, OTLP over HTTP with protobuf (e.g. {@code http://collector:4318/v1/traces})
   * @param serviceName the {@code service.name} of the spans' resource
   * @param sampleRatio the share of traces started here that are kept, 0 to 1; a trace begun by the
   *     client follows the client's own sampling decision
   */
  public record TracingConfig(String otlpEndpoint, String serviceName, double sampleRatio) {

    public static final String DEFAULT_SERVICE_NAME = "junction";
  }

  /**
   * How the rate limits and budgets of keys and teams are counted.
   *
   * @param onFailure what happens to requests of limited keys while Redis cannot be reached
   *     ({@code redis.on_failure})
   * @param defaultMaxTokens the output tokens reserved for a request that sets no {@code max_tokens}
   *     ({@code limits.default_max_tokens}), until it settles with what it really used
   */
  public record LimitsConfig(OnFailure onFailure, long defaultMaxTokens) {

    public static final long DEFAULT_MAX_TOKENS = 1_024;
    public static final LimitsConfig DEFAULT = new LimitsConfig(OnFailure.OPEN, DEFAULT_MAX_TOKENS);
  }

  /** While Redis is unreachable: admit requests of limited keys unchecked, or refuse them (503). */
  public enum OnFailure {
    OPEN, CLOSED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * @param host bind address: 127.0.0.1 unless a master key protects the gateway
   * @param cacheAffinity whether requests sharing a prompt prefix, {@code prompt_cache_key} or
   *     {@code user} stick to one deployment, so that provider-side prompt caches keep hitting
   * @param maxAttempts upstream attempts one request may make, retries and failover together
   * @param requestTimeoutMs a request's whole deadline; {@code x-junction-timeout-ms} may only shorten it
   * @param drainTimeoutMs how long shutdown lets in-flight requests finish before cancelling them
   * @param metricsPublic whether {@code GET /metrics} is served without the master key (scrapers
   *     often have none); the metrics carry no secrets either way
   * @param accessLog where one JSON line per finished request goes: {@value #ACCESS_LOG_OFF},
   *     {@value #ACCESS_LOG_STDOUT}, or a file path (appended to)
   * @param connections what a client connection may hold and for how long
   */
  public record ServerConfig(
      String host, int port, Optional<String> masterKey, long maxBodyBytes, String defaultPolicy,
      boolean cacheAffinity, int maxAttempts, long requestTimeoutMs, long drainTimeoutMs, boolean metricsPublic,
      String accessLog, ConnectionConfig connections) {

    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 600_000;
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
    public static final String ACCESS_LOG_OFF = "off";
    public static final String ACCESS_LOG_STDOUT = "stdout";

    /** Defaults for everything but where to listen and what to accept. */
    public ServerConfig(String host, int port, Optional<String> masterKey, long maxBodyBytes, String defaultPolicy) {
      this(host, port, masterKey, maxBodyBytes, defaultPolicy, true, DEFAULT_MAX_ATTEMPTS,
          DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, false, ACCESS_LOG_OFF, ConnectionConfig.DEFAULT);
    }

    public ServerConfig withPort(int value) {
      return new ServerConfig(host, value, masterKey, maxBodyBytes, defaultPolicy, cacheAffinity, maxAttempts,
          requestTimeoutMs, drainTimeoutMs, metricsPublic, accessLog, connections);
    }

    @Override
    public String toString() {
      return "ServerConfig[host=" + host + ", port=" + port + ", masterKey=" + hidden(masterKey)
          + ", maxBodyBytes=" + maxBodyBytes + ", defaultPolicy=" + defaultPolicy
          + ", cacheAffinity=" + cacheAffinity + ", maxAttempts=" + maxAttempts
          + ", requestTimeoutMs=" + requestTimeoutMs + ", drainTimeoutMs=" + drainTimeoutMs
          + ", metricsPublic=" + metricsPublic + ", accessLog=" + accessLog
          + ", connections=" + connections + "]";
    }
  }

  /**
   * What one client connection may hold, and for how long: a client that sends slowly, or not at
   * all, must not keep a file descriptor for as long as it likes.
   *
   * @param headerTimeoutMs a request head must be complete within this long of the connection
   *     opening, or of the head's first byte on a kept-alive connection
   * @param bodyGraceMs how long a request body may take before {@code bodyMinRate} applies
   * @param bodyMinRate bytes a second a request body must have averaged since its head once the
   *     grace is over; 0 for no rate (the request's deadline still bounds it)
   * @param idleTimeoutMs how long a kept-alive connection may wait for its next request (on HTTP/2,
   *     with no stream open); a request in progress, however slow, is never idle
   * @param maxConnections connections open at once; past it a new one is answered 503 and closed
   */
  public record ConnectionConfig(
      long headerTimeoutMs, long bodyGraceMs, long bodyMinRate, long idleTimeoutMs, int maxConnections) {

    public static final ConnectionConfig DEFAULT =
        new ConnectionConfig(10_000, 10_000, 1_024, 60_000, defaultMaxConnections());

    /**
     * 10,000, or fewer where the open-files limit is lower: idle connections alone must never use
     * up the descriptors the ledger, the upstreams and the listening socket need (500 are kept).
     */
    public static int defaultMaxConnections() {
      long limit = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
          ? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
      return (int) Math.max(64, Math.min(10_000, limit - 500));
    }
  }

  /** @param url a JDBC URL: {@code jdbc:sqlite:…} (default) or {@code jdbc:postgresql://…} */
  public record DatabaseConfig(String url, Optional<String> user, Optional<String> password) {
    /**
     * The URL as it may be printed: without its query, where JDBC drivers accept credentials, and
     * without a {@code user:password@}.
     */
    public String printableUrl() {
      int query = url.indexOf('?');
      String shown = query < 0 ? url : url.substring(0, query) + "?" + HIDDEN;
      int scheme = shown.indexOf("://");
      int at = scheme < 0 ? -1 : shown.indexOf('@', scheme);
      int path = scheme < 0 ? -1 : shown.indexOf('/', scheme + 3);
      return at > 0 && (path < 0 || at < path) ? shown.substring(0, scheme + 3) + HIDDEN + shown.substring(at) : shown;
    }

    @Override
    public String toString() {
      return "DatabaseConfig[url=" + printableUrl() + ", user=" + user.orElse("none") + ", password="
          + hidden(password) + "]";
    }
  }

  /**
   * How usage records reach the database: batched by a single writer off the request path.
   *
   * @param flushIntervalMs the longest a record waits in memory; also the most a {@code kill -9} can lose
   * @param batchSize records written per transaction at most
   * @param capacity records held in memory at most (queued or reserved by in-flight requests)
   * @param spillDir where records go when the database cannot take them; empty: beside a SQLite file
   *     ({@code <file>-spill}), else {@code ./junction-spill}
   */
  public record LedgerConfig(long flushIntervalMs, int batchSize, int capacity, Optional<Path> spillDir) {

    public LedgerConfig(long flushIntervalMs, int batchSize, int capacity) {
      this(flushIntervalMs, batchSize, capacity, Optional.empty());
    }
  }

  /**
   * An AWS account's credentials for Signature Version 4: the access key id, its secret, and a
   * session token for temporary credentials; the region both signs and, without a {@code base_url},
   * names the endpoint.
   */
  public record AwsConfig(String region, Optional<String> accessKeyId, Optional<String> secretAccessKey,
      Optional<String> sessionToken) {

    /** The secrets are never printed. */
    @Override
    public String toString() {
      return "AwsConfig[region=" + region + ", credentials=" + (accessKeyId.isPresent() ? "hidden" : "none") + "]";
    }
  }

  /**
   * One upstream account.
   *
   * @param kind the wire family, {@code openai} for every OpenAI-compatible server
   * @param profile a known provider profile name (openai, groq, mistral, vllm, …) whose quirks apply;
   *     defaults to {@code name}; the provider package applies {@code generic} to a name it doesn't know
   * @param apiKeys its API keys ({@code api_key}, or several as {@code api_keys}), taken in turn;
   *     never logged, never echoed in an error
   * @param retries how often a deployment of this provider is tried again after a transient failure
   * @param aws AWS credentials that sign its requests (Signature Version 4), for {@code kind: bedrock}
   */
  public record ProviderConfig(
      String name,
      String kind,
      String profile,
      String baseUrl,
      List<String> apiKeys,
      java.util.Map<String, String> headers,
      TimeoutConfig timeouts,
      int retries,
      Optional<EngineConfig> engine,
      Optional<AwsConfig> aws,
      Optional<AzureConfig> azure) {

    public static final int DEFAULT_RETRIES = 1;

    public ProviderConfig {
      apiKeys = List.copyOf(apiKeys);
    }

    public ProviderConfig(String name, String kind, String profile, String baseUrl, List<String> apiKeys,
        java.util.Map<String, String> headers, TimeoutConfig timeouts, int retries, Optional<EngineConfig> engine,
        Optional<AwsConfig> aws) {
      this(name, kind, profile, baseUrl, apiKeys, headers, timeouts, retries, engine, aws, Optional.empty());
    }

    public ProviderConfig(String name, String kind, String profile, String baseUrl, List<String> apiKeys,
        java.util.Map<String, String> headers, TimeoutConfig timeouts, int retries, Optional<EngineConfig> engine) {
      this(name, kind, profile, baseUrl, apiKeys, headers, timeouts, retries, engine, Optional.empty());
    }

    public ProviderConfig(String name, String kind, String profile, String baseUrl, Optional<String> apiKey,
        java.util.Map<String, String> headers, TimeoutConfig timeouts, int retries, Optional<EngineConfig> engine) {
      this(name, kind, profile, baseUrl, apiKey.map(List::of).orElse(List.of()), headers, timeouts, retries, engine);
    }

    /** The first of its keys, if it has any. */
    public Optional<String> apiKey() {
      return apiKeys.stream().findFirst();
    }

    public ProviderConfig(String name, String kind, String profile, String baseUrl, Optional<String> apiKey,
        java.util.Map<String, String> headers, TimeoutConfig timeouts, int retries) {
      this(name, kind, profile, baseUrl, apiKey, headers, timeouts, retries, Optional.empty());
    }

    public ProviderConfig(String name, String kind, String profile, String baseUrl, Optional<String> apiKey,
        java.util.Map<String, String> headers, TimeoutConfig timeouts) {
      this(name, kind, profile, baseUrl, apiKey, headers, timeouts, DEFAULT_RETRIES);
    }

    /** Header values may be credentials too, so only their names are printed. */
    @Override
    public String toString() {
      return "ProviderConfig[name=" + name + ", kind=" + kind + ", profile=" + profile + ", baseUrl=" + baseUrl
          + ", apiKeys=" + (apiKeys.isEmpty() ? "none" : apiKeys.size() + " hidden") + ", headers=" + headers.keySet() + ", timeouts=" + timeouts
          + ", retries=" + retries + "]";
    }
  }

  /**
   * An Azure OpenAI provider's API version and how it authenticates: dated versions put the deployment
   * in the path with {@code ?api-version=}; {@code v1} is Azure's versionless API under
   * {@code /openai/v1}, with the deployment as the body's model.
   *
   * @param apiVersion a dated version such as {@code 2024-10-21}, or {@code v1}
   * @param bearer the key is a Microsoft Entra ID token sent as {@code Authorization: Bearer}, not an
   *     {@code api-key}
   */
  public record AzureConfig(String apiVersion, boolean bearer) {
    /** The latest generally available dated version of the inference API. */
    public static final String DEFAULT_API_VERSION = "2024-10-21";
    /** The versionless API. */
    public static final String V1 = "v1";
    /** A dated version, optionally a preview, or {@code v1}. */
    public static final java.util.regex.Pattern VERSION =
        java.util.regex.Pattern.compile("v1|\\d{4}-\\d{2}-\\d{2}(-preview)?");

    public static final AzureConfig DEFAULT = new AzureConfig(DEFAULT_API_VERSION, false);

    public boolean v1() {
      return apiVersion.equals(V1);
    }
  }

  /**
   * A self-hosted engine's polling and spill settings: providers of an engine kind ({@code vllm},
   * {@code sglang}, {@code tgi}, {@code llamacpp}, {@code ollama}) have them.
   *
   * @param pollMs how often its load and models are read
   * @param waitingAbove set it aside for new requests while more than this many wait; -1 for never
   * @param kvCacheAbove set it aside while more than this share of its KV cache is in use; NaN for never
   * @param gpuHourUsd what its hardware costs an hour, which prices its output tokens by measured
   *     throughput instead of token prices; 0 when its deployments carry token prices
   * @param replicas the base URLs of a pool of replicas of one engine ({@code base_urls}), each
   *     polled and sent requests on its own; empty for a single server ({@code base_url})
   */
  public record EngineConfig(long pollMs, long waitingAbove, double kvCacheAbove, double gpuHourUsd,
      List<String> replicas) {
    public static final long DEFAULT_POLL_MS = 1_000;

    public EngineConfig {
      replicas = List.copyOf(replicas);
    }

    public EngineConfig(long pollMs, long waitingAbove, double kvCacheAbove, double gpuHourUsd) {
      this(pollMs, waitingAbove, kvCacheAbove, gpuHourUsd, List.of());
    }

    public EngineConfig(long pollMs, long waitingAbove, double kvCacheAbove) {
      this(pollMs, waitingAbove, kvCacheAbove, 0);
    }
  }

  /** Per-provider timeouts in milliseconds. */
  public record TimeoutConfig(long connectMs, long firstTokenMs, long idleMs, long totalMs) {
    public static final TimeoutConfig DEFAULT = new TimeoutConfig(5_000, 60_000, 60_000, 600_000);
  }

  /**
   * A model as clients name it (a Hugging Face-style id), and the deployments that serve it.
   *
   * @param contextLength tokens of prompt and output together, 0 when unknown
   * @param capabilities what it can do ({@link #CAPABILITIES}), empty when not stated (then nothing
   *     is ruled out)
   * @param hedgeAfterMs how long an attempt may go without reaching its commit point before a second
   *     candidate starts alongside it; 0 when requests for this model are not hedged
   */
  public record ModelConfig(
      String id,
      List<String> aliases,
      long contextLength,
      Optional<List<String>> capabilities,
      long hedgeAfterMs,
      List<DeploymentConfig> providers,
      boolean preferSelfHosted) {

    public ModelConfig {
      aliases = List.copyOf(aliases);
      capabilities = capabilities.map(List::copyOf);
      providers = List.copyOf(providers);
    }

    public ModelConfig(String id, List<String> aliases, long contextLength, Optional<List<String>> capabilities,
        long hedgeAfterMs, List<DeploymentConfig> providers) {
      this(id, aliases, contextLength, capabilities, hedgeAfterMs, providers, false);
    }

    public ModelConfig(String id, List<String> aliases, List<DeploymentConfig> providers) {
      this(id, aliases, 0, Optional.empty(), 0, providers);
    }
  }

  /** The capability names models and deployments may list. */
  public static final List<String> CAPABILITIES =
      List.of("tools", "vision", "json_schema", "json_object", "streaming", "logprobs", "embeddings");

  /** Deployment states: {@code offline} ones are listed but never routed to. */
  public static final List<String> STATUSES = List.of("live", "offline");

  /**
   * One provider serving one model.
   *
   * @param model the provider's own id for it
   * @param inputPrice USD per million input tokens
   * @param outputPrice USD per million output tokens
   * @param cachedInputPrice USD per million cached input tokens; defaults to {@code inputPrice}
   * @param cacheWritePrice USD per million input tokens written to the provider's cache (Anthropic's
   *     cache writes); defaults to {@code inputPrice}
   * @param contextLength this deployment's context when smaller than the model's, else 0
   * @param maxOutput the most tokens it generates per response, 0 when unknown
   * @param capabilities overrides the model's when present
   * @param status {@code live} or {@code offline}
   * @param source where the prices come from (a URL), or null
   * @param asOf the date ({@code YYYY-MM-DD}) the prices were read, or null
   */
  public record DeploymentConfig(
      String provider,
      String model,
      double inputPrice,
      double outputPrice,
      double cachedInputPrice,
      double cacheWritePrice,
      long contextLength,
      long maxOutput,
      Optional<List<String>> capabilities,
      String status,
      @Nullable String source,
      @Nullable String asOf) {

    public DeploymentConfig {
      capabilities = capabilities.map(List::copyOf);
    }

    public DeploymentConfig(
        String provider, String model, double inputPrice, double outputPrice, double cachedInputPrice) {
      this(provider, model, inputPrice, outputPrice, cachedInputPrice, inputPrice, 0, 0, Optional.empty(), "live",
          null, null);
    }
  }
}
