package dev.junction.config;

import dev.junction.config.JunctionConfig.AwsConfig;
import dev.junction.config.JunctionConfig.AzureConfig;
import dev.junction.config.JunctionConfig.ConnectionConfig;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.config.JunctionConfig.LimitsConfig;
import dev.junction.config.JunctionConfig.OnFailure;
import dev.junction.config.JunctionConfig.ModelConfig;
import dev.junction.config.JunctionConfig.EngineConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.ServerConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.config.JunctionConfig.TracingConfig;
import dev.junction.config.YamlNode.Entry;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The schema of {@code junction.yaml}: reads each section into its record, applies defaults, and
 * checks what one value alone cannot tell (duplicate names, references to undeclared providers).
 * Everything is reported to one {@link Problems}; the caller throws them together.
 */
final class ConfigReader {

  static final List<String> ROOT_KEYS =
      List.of("server", "database", "redis", "ledger", "limits", "catalog", "providers", "models", "tracing");
  static final List<String> TRACING_KEYS = List.of("otlp_endpoint", "service_name", "sample_ratio");
  static final List<String> SERVER_KEYS = List.of("host", "port", "master_key", "max_body_bytes", "default_policy",
      "cache_affinity", "max_attempts", "request_timeout_ms", "drain_timeout_ms", "metrics_public", "access_log",
      "header_timeout_ms", "body_grace_ms", "body_min_rate", "idle_timeout_ms", "max_connections");
  static final List<String> CATALOG_KEYS = List.of("bundled");
  static final List<String> CATALOG_FILE_KEYS = List.of("models");
  static final List<String> DATABASE_KEYS = List.of("url", "user", "password");
  static final List<String> REDIS_KEYS = List.of("url", "on_failure");
  static final List<String> LIMITS_KEYS = List.of("default_max_tokens");
  static final List<String> ON_FAILURE = List.of("open", "closed");
  static final List<String> LEDGER_KEYS = List.of("flush_interval_ms", "batch_size", "capacity", "spill_dir");
  static final List<String> PROVIDER_KEYS =
      List.of("name", "kind", "profile", "base_url", "base_urls", "api_key", "api_keys", "headers", "timeouts", "retries",
          "poll_ms", "spill", "gpu_hour_usd", "region", "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
          "api_version", "auth");
  /** A bedrock provider's fields beyond every provider's. */
  static final List<String> AWS_KEYS = List.of("region", "aws_access_key_id", "aws_secret_access_key", "aws_session_token");
  /** An azure provider's fields beyond every provider's. */
  static final List<String> AZURE_KEYS = List.of("api_version", "auth");
  /** How an azure provider's key is sent: an {@code api-key} header, or a Microsoft Entra ID bearer token. */
  static final List<String> AZURE_AUTH = List.of("api_key", "bearer");
  static final String AZURE_ENDPOINT = "https://my-resource.openai.azure.com";
  static final List<String> SPILL_KEYS = List.of("waiting_above", "kv_cache_above");
  static final List<String> TIMEOUT_KEYS = List.of("connect_ms", "first_token_ms", "idle_ms", "total_ms");
  static final List<String> MODEL_KEYS =
      List.of("id", "aliases", "context_length", "capabilities", "hedge_after_ms", "providers", "prefer");
  static final List<String> DEPLOYMENT_KEYS = List.of("provider", "model", "input_price", "output_price",
      "cached_input_price", "cache_write_price", "context_length", "max_output", "capabilities", "status", "source", "as_of");

  /** Wire families of providers, and the self-hosted engines (OpenAI's family, their load polled); {@code openai} when a provider names none. */
  static final List<String> KINDS = List.of("openai", "anthropic", "gemini", "bedrock", "cohere", "azure", "vllm", "sglang", "tgi",
      "llamacpp", "ollama");
  /** Kinds that are self-hosted engines: OpenAI's wire family, plus their load and models polled. */
  /** A request's failed replicas are one bit each of a long. */
  static final int MAX_REPLICAS = 64;
  static final List<String> ENGINE_KINDS = List.of("vllm", "sglang", "tgi", "llamacpp", "ollama");
  static final String DEFAULT_KIND = "openai";
  static final List<String> POLICIES = List.of("fastest", "cheapest", "preferred");

  static final String LOOPBACK = "127.0.0.1";
  static final String ANY_ADDRESS = "0.0.0.0";
  static final int DEFAULT_PORT = 8080;
  static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
  static final String DEFAULT_POLICY = "fastest";
  static final String DEFAULT_DATABASE_URL = "jdbc:sqlite:junction.db";
  /**
   * Records wait at most 50 ms for their batch: at 200 ms and 20,000 records a second, those waiting
   * outlived the young collections that came every quarter second, were promoted, and kept G1's
   * concurrent cycles running (48 in 12 s against none), for a writer 8% cheaper per record.
   */
  static final LedgerConfig DEFAULT_LEDGER = new LedgerConfig(50, 5_000, 100_000);

  private static final Pattern PROVIDER_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  // RFC 9110 token characters.
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Where a name was first declared, to point at both ends of a clash. */
  private record Declared(String path, int line) {}

  private final Fields fields;
  private final Problems problems;
  private final Map<String, String> env;
  private final Map<String, Declared> providerNames = new LinkedHashMap<>();
  /** Engines priced by their hardware's hour: their deployments carry no token prices. */
  private final java.util.Set<String> gpuPriced = new java.util.HashSet<>();
  private final Map<String, Declared> modelNames = new HashMap<>();
  /** Reading a catalog file (the bundled one): providers are names, not declarations, and prices need sources. */
  private final boolean catalogFile;
  private Set<String> bundledIds = Set.of();

  ConfigReader(Map<String, String> env, Problems problems) {
    this(env, problems, false);
  }

  private ConfigReader(Map<String, String> env, Problems problems, boolean catalogFile) {
    this.env = env;
    this.problems = problems;
    this.fields = new Fields(env, problems);
    this.catalogFile = catalogFile;
    // ${GROQ_API_KEY} written under a key that is not secret (kind, provider) must not print it either.
    env.forEach((name, value) -> {
      if (Secrets.isSecretName(name)) problems.secret(value);
    });
  }

  /**
   * The models of a catalog file: a {@code models:} list as in a config, where every deployment
   * names a known hosted provider and carries the {@code source} and {@code as_of} of its prices.
   */
  static List<ModelConfig> readCatalog(Optional<YamlNode> document, Problems problems) {
    ConfigReader reader = new ConfigReader(Map.of(), problems, true);
    Section root = document.flatMap(node -> reader.fields.section(node, "", CATALOG_FILE_KEYS).optional())
        .orElseGet(() -> Section.missing("", reader.fields, 1));
    List<ModelConfig> models = reader.models(root);
    problems.throwIfAny();
    return models;
  }

  /** The configuration of a parsed file; throws {@link ConfigException} with every problem found. */
  JunctionConfig read(Optional<YamlNode> document, Path source) {
    Section root = document.flatMap(node -> fields.section(node, "", ROOT_KEYS).optional())
        .orElseGet(() -> Section.missing("", fields, 1));
    ServerConfig server = server(subsection(root, "server", SERVER_KEYS));
    DatabaseConfig database = database(subsection(root, "database", DATABASE_KEYS));
    RedisSection redis = redis(root);
    LimitsConfig limits = limits(redis.onFailure(), subsection(root, "limits", LIMITS_KEYS));
    LedgerConfig ledger = ledger(subsection(root, "ledger", LEDGER_KEYS));
    Optional<TracingConfig> tracing = root.section("tracing", TRACING_KEYS).optional().flatMap(ConfigReader::tracing);
    List<ProviderConfig> providers = new ArrayList<>(providers(root));
    providers.addAll(EnvironmentProviders.fromEnvironment(env, providerNames.keySet()));
    providers.forEach(p -> providerNames.putIfAbsent(p.name(), new Declared("environment", 0)));
    List<ModelConfig> bundled = bundled(subsection(root, "catalog", CATALOG_KEYS))
        ? BundledCatalog.models() : List.of();
    bundledIds = bundled.stream().map(ModelConfig::id).collect(Collectors.toSet());
    List<ModelConfig> models = models(root);
    problems.throwIfAny();
    List<ModelConfig> served = CatalogMerge.merge(bundled, models, providerNames.keySet());
    return new JunctionConfig(Optional.of(source), server, database, redis.url(), ledger, providers, served, limits,
        tracing);
  }

  private static boolean bundled(Section s) {
    return s.bool("bundled").orElse(true);
  }

  // ---- server, database, redis, ledger

  private ServerConfig server(Section s) {
    Optional<String> masterKey = s.secret("master_key").optional();
    Optional<String> host = s.string("host").optional();
    long port = s.integer("port", 0, 65_535).orElse((long) DEFAULT_PORT);
    long maxBody = s.integer("max_body_bytes", 1, Long.MAX_VALUE).orElse(DEFAULT_MAX_BODY_BYTES);
    String policy = choice(s, "default_policy", POLICIES, "policies").orElse(DEFAULT_POLICY);
    boolean affinity = s.bool("cache_affinity").orElse(true);
    long attempts = s.integer("max_attempts", 1, 100).orElse((long) ServerConfig.DEFAULT_MAX_ATTEMPTS);
    long timeout = s.integer("request_timeout_ms", 1, Long.MAX_VALUE).orElse(ServerConfig.DEFAULT_REQUEST_TIMEOUT_MS);
    long drain = s.integer("drain_timeout_ms", 0, Long.MAX_VALUE).orElse(ServerConfig.DEFAULT_DRAIN_TIMEOUT_MS);
    boolean metricsPublic = s.bool("metrics_public").orElse(false);
    return new ServerConfig(bindHost(host, masterKey), (int) port, masterKey, maxBody, policy, affinity,
        (int) attempts, timeout, drain, metricsPublic, accessLog(s), connections(s));
  }

  /** off, stdout, or a file whose directory exists (relative paths from the working directory). */
  private static String accessLog(Section s) {
    Value<String> target = s.string("access_log");
    if (!target.present()) {
      return ServerConfig.ACCESS_LOG_OFF;
    }
    String value = target.value();
    if (value.equals(ServerConfig.ACCESS_LOG_OFF) || value.equals(ServerConfig.ACCESS_LOG_STDOUT)) {
      return value;
    }
    Path file;
    try {
      file = Path.of(value).toAbsolutePath();
    } catch (InvalidPathException e) {
      s.problem("access_log", "expected off, stdout or a file path, got \"" + value + "\"");
      return ServerConfig.ACCESS_LOG_OFF;
    }
    if (Files.isDirectory(file)) {
      s.problem("access_log", "\"" + value + "\" is a directory; name a file in it, e.g. " + file.resolve("access.log"));
    } else if (file.getParent() == null || !Files.isDirectory(file.getParent())) {
      s.problem("access_log", "the directory of \"" + value + "\" does not exist");
    }
    return value;
  }

  /** The {@code tracing} section: on when present, and then it names where spans go. */
  private static Optional<TracingConfig> tracing(Section s) {
    Value<String> endpoint = s.string("otlp_endpoint");
    if (endpoint.absent()) {
      s.problem("otlp_endpoint", "is required to turn tracing on, e.g. http://localhost:4318/v1/traces;"
          + " remove the tracing section to leave it off");
    } else if (endpoint.present()) {
      baseUrlProblem(endpoint.value()).ifPresent(message -> s.problem("otlp_endpoint", message));
    }
    Value<String> service = s.string("service_name");
    if (service.present() && service.value().isBlank()) {
      s.problem("service_name", "must not be empty");
    }
    Value<Double> ratio = s.nonNegative("sample_ratio");
    if (ratio.present() && ratio.value() > 1) {
      s.problem("sample_ratio", "must be from 0 to 1 (the share of traces kept), got " + ratio.value());
    }
    if (!endpoint.present()) {
      return Optional.empty();
    }
    return Optional.of(new TracingConfig(endpoint.value(), service.orElse(TracingConfig.DEFAULT_SERVICE_NAME),
        ratio.present() && ratio.value() <= 1 ? ratio.value() : 1.0));
  }

  private static ConnectionConfig connections(Section s) {
    ConnectionConfig d = ConnectionConfig.DEFAULT;
    return new ConnectionConfig(
        s.integer("header_timeout_ms", 1, Long.MAX_VALUE).orElse(d.headerTimeoutMs()),
        s.integer("body_grace_ms", 1, Long.MAX_VALUE).orElse(d.bodyGraceMs()),
        s.integer("body_min_rate", 0, Long.MAX_VALUE).orElse(d.bodyMinRate()),
        s.integer("idle_timeout_ms", 1, Long.MAX_VALUE).orElse(d.idleTimeoutMs()),
        s.integer("max_connections", 1, Integer.MAX_VALUE).orElse((long) d.maxConnections()).intValue());
  }

  /**
   * Without a master key anyone who reaches the port spends the provider keys, so such a gateway
   * only ever listens on loopback, whatever host says. With one it listens everywhere by default,
   * since it normally runs in a container.
   */
  static String bindHost(Optional<String> host, Optional<String> masterKey) {
    return masterKey.isEmpty() ? LOOPBACK : host.orElse(ANY_ADDRESS);
  }

  private DatabaseConfig database(Section s) {
    Value<String> url = s.string("url");
    url.optional().flatMap(ConfigReader::databaseUrlProblem).ifPresent(message -> s.problem("url", message));
    return new DatabaseConfig(
        url.orElse(DEFAULT_DATABASE_URL), s.string("user").optional(), s.secret("password").optional());
  }

  /** Why a JDBC URL is not one Junction ships a driver for, if it is not. */
  static Optional<String> databaseUrlProblem(String url) {
    if (url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:")) {
      return Optional.empty();
    }
    // Shows the scheme only: the rest of a JDBC URL may carry a password.
    int colon = url.indexOf(':');
    int second = colon < 0 ? -1 : url.indexOf(':', colon + 1);
    String shown = second > 0 ? url.substring(0, second + 1) : colon > 0 ? url.substring(0, colon + 1) : "";
    return Optional.of("must start with jdbc:sqlite: or jdbc:postgresql:"
        + (shown.isEmpty() ? "" : ", got \"" + shown + "…\""));
  }

  /** The {@code redis} section: where it is, and what limits do while it cannot be reached. */
  private record RedisSection(Optional<String> url, OnFailure onFailure) {}

  private RedisSection redis(Section root) {
    Value<Section> section = root.section("redis", REDIS_KEYS);
    if (!section.present()) {
      return new RedisSection(Optional.empty(), OnFailure.OPEN);
    }
    Section s = section.value();
    OnFailure onFailure = choice(s, "on_failure", ON_FAILURE, "values").optional()
        .map(value -> OnFailure.valueOf(value.toUpperCase(Locale.ROOT))).orElse(OnFailure.OPEN);
    // A redis URL may carry a password (redis://:secret@host), so it is never echoed.
    Value<String> url = s.required("url", s.secret("url"));
    if (url.present() && !url.value().startsWith("redis://") && !url.value().startsWith("rediss://")) {
      s.problem("url", "must start with redis:// or rediss://");
    }
    return new RedisSection(url.optional(), onFailure);
  }

  /** The {@code limits} section, with {@code redis.on_failure}. */
  private static LimitsConfig limits(OnFailure onFailure, Section s) {
    long maxTokens = s.integer("default_max_tokens", 1, Integer.MAX_VALUE).orElse(LimitsConfig.DEFAULT_MAX_TOKENS);
    return new LimitsConfig(onFailure, maxTokens);
  }

  private LedgerConfig ledger(Section s) {
    LedgerConfig d = DEFAULT_LEDGER;
    long flush = s.integer("flush_interval_ms", 1, Long.MAX_VALUE).orElse(d.flushIntervalMs());
    Value<Long> batch = s.integer("batch_size", 1, Integer.MAX_VALUE);
    Value<Long> capacity = s.integer("capacity", 1, Integer.MAX_VALUE);
    int batchSize = batch.orElse((long) d.batchSize()).intValue();
    int capacityValue = capacity.orElse((long) d.capacity()).intValue();
    if (!batch.invalid() && !capacity.invalid() && capacityValue < batchSize) {
      s.problem(capacity.present() ? "capacity" : "batch_size",
          "capacity (" + capacityValue + ") must be at least batch_size (" + batchSize + ")");
    }
    return new LedgerConfig(flush, batchSize, capacityValue, spillDir(s));
  }

  private static Optional<Path> spillDir(Section s) {
    Value<String> dir = s.string("spill_dir");
    if (!dir.present()) {
      return Optional.empty();
    }
    if (dir.value().isBlank()) {
      s.problem("spill_dir", "must name a directory");
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(dir.value()));
    } catch (java.nio.file.InvalidPathException e) {
      s.problem("spill_dir", "is not a valid path: " + e.getReason());
      return Optional.empty();
    }
  }

  // ---- providers

  private List<ProviderConfig> providers(Section root) {
    List<ProviderConfig> providers = new ArrayList<>();
    for (Section s : items(root, "providers", root.list("providers"), PROVIDER_KEYS)) {
      providers.add(provider(s));
    }
    return providers;
  }

  private ProviderConfig provider(Section s) {
    Value<String> name = s.required("name", s.string("name"));
    name.optional().ifPresent(n -> declareProvider(s, n));
    String kind = choice(s, "kind", KINDS, "kinds").orElse(DEFAULT_KIND);
    boolean engine = ENGINE_KINDS.contains(kind);
    // An engine's profile is its kind's (vLLM's quirks for kind: vllm) unless one is named.
    String profile = s.string("profile").orElse(engine ? kind : name.value());
    List<String> pool = baseUrls(s, engine);
    Optional<AwsConfig> aws = aws(s, kind);
    Optional<AzureConfig> azure = azure(s, kind);
    return new ProviderConfig(
        name.value(),
        kind,
        profile,
        // Empty only after a reported problem with base_urls: the config is then refused.
        s.has("base_urls") ? (pool.isEmpty() ? "" : pool.getFirst())
            : aws.isPresent() && !s.has("base_url") ? "https://bedrock-runtime." + aws.get().region() + ".amazonaws.com"
            : baseUrl(s, profile, kind),
        apiKeys(s),
        headers(s),
        timeouts(s),
        s.integer("retries", 0, 10).orElse((long) ProviderConfig.DEFAULT_RETRIES).intValue(),
        engine ? Optional.of(engine(s, name.value(), pool)) : notAnEngine(s),
        aws,
        azure);
  }

  /**
   * An azure provider's API version ({@code v1}, or a dated one, by default the latest generally
   * available) and how its key is sent.
   */
  private static Optional<AzureConfig> azure(Section s, String kind) {
    if (!kind.equals("azure")) {
      for (String key : AZURE_KEYS) {
        if (s.has(key)) {
          s.problem(key, "applies to providers of kind azure only");
        }
      }
      return Optional.empty();
    }
    Value<String> version = s.string("api_version");
    if (version.present() && !AzureConfig.VERSION.matcher(version.value()).matches()) {
      s.problem("api_version", "must be v1 or a dated Azure OpenAI API version such as "
          + AzureConfig.DEFAULT_API_VERSION + ", got \"" + version.value() + "\"");
    }
    boolean bearer = choice(s, "auth", AZURE_AUTH, "values").orElse("api_key").equals("bearer");
    return Optional.of(new AzureConfig(version.present() ? version.value() : AzureConfig.DEFAULT_API_VERSION, bearer));
  }

  /**
   * A bedrock provider's region and its AWS credentials (signed with Signature Version 4), given
   * whole or not at all; its Bedrock API key, if it uses one instead, is its {@code api_key}.
   */
  private static Optional<AwsConfig> aws(Section s, String kind) {
    if (!kind.equals("bedrock")) {
      for (String key : AWS_KEYS) {
        if (s.has(key)) {
          s.problem(key, "applies to providers of kind bedrock only");
        }
      }
      return Optional.empty();
    }
    Value<String> region = s.required("region", s.string("region"));
    if (region.present() && !region.value().matches("[a-z0-9-]+")) {
      s.problem("region", "must be an AWS region such as us-east-1, got \"" + region.value() + "\"");
    }
    Optional<String> id = s.secret("aws_access_key_id").optional();
    Optional<String> secret = s.secret("aws_secret_access_key").optional();
    if (id.isPresent() != secret.isPresent()) {
      s.problem(id.isPresent() ? "aws_secret_access_key" : "aws_access_key_id",
          "is required with " + (id.isPresent() ? "aws_access_key_id" : "aws_secret_access_key"));
    }
    Optional<String> token = s.secret("aws_session_token").optional();
    if (token.isPresent() && id.isEmpty()) {
      s.problem("aws_session_token", "goes with aws_access_key_id and aws_secret_access_key");
    }
    return Optional.of(new AwsConfig(region.present() ? region.value() : "", id, secret, token));
  }

  /** {@code api_key}, or several as {@code api_keys}: not both, since which would win is a guess. */
  private List<String> apiKeys(Section s) {
    Optional<String> one = s.secret("api_key").optional();
    Value<List<YamlNode>> many = s.list("api_keys");
    if (!many.present()) {
      return one.map(List::of).orElse(List.of());
    }
    if (one.isPresent()) {
      s.problem("api_keys", "give either api_key or api_keys, not both");
    }
    List<String> keys = new ArrayList<>();
    List<YamlNode> items = many.value();
    for (int i = 0; i < items.size(); i++) {
      fields.string(items.get(i), s.path("api_keys") + "[" + i + "]", true).optional().ifPresent(keys::add);
    }
    if (items.isEmpty()) {
      s.problem("api_keys", "must list at least one key");
    }
    return keys;
  }

  /**
   * An engine's pool of replicas, {@code base_urls}: not beside {@code base_url}, since which would
   * be served is a guess, and for engines only, whose load tells the replicas apart.
   */
  private List<String> baseUrls(Section s, boolean engine) {
    Value<List<YamlNode>> many = s.list("base_urls");
    if (!many.present()) {
      return List.of();
    }
    if (!engine) {
      s.problem("base_urls", "applies to self-hosted engines only (kind: " + String.join(", ", ENGINE_KINDS) + ")");
      return List.of();
    }
    if (s.has("base_url")) {
      s.problem("base_urls", "give either base_url or base_urls, not both");
    }
    List<String> urls = new ArrayList<>();
    List<YamlNode> items = many.value();
    for (int i = 0; i < items.size(); i++) {
      int index = i;
      fields.string(items.get(i), s.path("base_urls") + "[" + i + "]", true).optional().ifPresent(url -> {
        baseUrlProblem(url).ifPresent(message -> s.problem("base_urls", "entry " + index + " " + message));
        if (urls.contains(url)) {
          s.problem("base_urls", "entry " + index + " repeats an earlier one");
        }
        urls.add(url);
      });
    }
    if (items.isEmpty()) {
      s.problem("base_urls", "must list at least one base URL");
    } else if (items.size() > MAX_REPLICAS) {
      s.problem("base_urls", "lists " + items.size() + " replicas; at most " + MAX_REPLICAS + " are supported");
    }
    return urls;
  }

  private EngineConfig engine(Section s, String name, List<String> pool) {
    long pollMs = s.integer("poll_ms", 100, 3_600_000).orElse(EngineConfig.DEFAULT_POLL_MS);
    double gpuHourUsd = s.nonNegative("gpu_hour_usd").orElse(0.0);
    if (gpuHourUsd > 0) {
      gpuPriced.add(name);
    } else if (s.has("gpu_hour_usd")) {
      s.problem("gpu_hour_usd", "must be more than 0: leave it out to price the deployments by tokens");
    }
    Value<Section> spill = s.section("spill", SPILL_KEYS);
    if (!spill.present()) {
      return new EngineConfig(pollMs, -1, Double.NaN, gpuHourUsd, pool);
    }
    Section t = spill.value();
    long waiting = t.integer("waiting_above", 0, Long.MAX_VALUE).orElse(-1L);
    Value<Double> kv = t.nonNegative("kv_cache_above");
    if (kv.present() && kv.value() > 1) {
      t.problem("kv_cache_above", "must be a share of the cache between 0 and 1, got " + kv.value());
    }
    return new EngineConfig(pollMs, waiting, kv.present() ? kv.value() : Double.NaN, gpuHourUsd, pool);
  }

  /** {@code poll_ms} and {@code spill} mean something for engines only: elsewhere they are a mistake. */
  private static Optional<EngineConfig> notAnEngine(Section s) {
    for (String key : List.of("poll_ms", "spill", "gpu_hour_usd")) {
      if (s.has(key)) {
        s.problem(key, "applies to self-hosted engines only (kind: " + String.join(", ", ENGINE_KINDS) + ")");
      }
    }
    return Optional.empty();
  }

  private void declareProvider(Section s, String name) {
    if (!PROVIDER_NAME.matcher(name).matches()) {
      s.problem("name", "must contain only letters, digits, '.', '_' and '-', got \"" + name + "\"");
    }
    Declared first = providerNames.putIfAbsent(name, new Declared(s.path(), s.line("name")));
    if (first != null) {
      s.problem("name", "duplicate provider name \"" + name + "\" (first declared at " + first.path()
          + ", line " + first.line() + ")");
    }
  }

  /** The base URL given, else the profile's documented one, else (kind anthropic) Anthropic's own. */
  private String baseUrl(Section s, String profile, String kind) {
    Value<String> url = s.string("base_url");
    if (url.present()) {
      baseUrlProblem(url.value()).ifPresent(message -> s.problem("base_url", message));
      if (kind.equals("azure") && url.value().matches("(?i)[^?#]*/openai(/.*)?")) {
        s.problem("base_url", "is the Azure OpenAI resource's endpoint, such as " + AZURE_ENDPOINT
            + ": the /openai/... path is added to it");
      }
      return url.value();
    }
    if (kind.equals("azure")) {
      // Every Azure resource has its own endpoint: no name or profile stands for one.
      s.problem("base_url", "is required: the Azure OpenAI resource's endpoint, such as " + AZURE_ENDPOINT);
      return "";
    }
    Optional<String> known = (profile == null ? Optional.<String>empty() : EnvironmentProviders.defaultBaseUrl(profile))
        .or(() -> kind.equals(DEFAULT_KIND) ? Optional.empty() : EnvironmentProviders.defaultBaseUrl(kind));
    if (url.absent() && known.isEmpty() && profile != null) {
      s.problem("base_url", "is required: no default base URL is known for \"" + profile
          + "\" (e.g. http://localhost:8000/v1 for a local vLLM)");
    }
    // Empty only after a reported problem: the config is then refused.
    return known.orElse("");
  }

  /** Why a base URL cannot be used, if it cannot. */
  static Optional<String> baseUrlProblem(String url) {
    if (url.contains("@")) {
      // Possibly user:password@host; never echoed, and credentials belong in api_key or headers.
      return Optional.of("must not contain credentials (user@host); use api_key or headers");
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri.getRawQuery() == null && uri.getRawFragment() == null
            ? Optional.empty()
            : Optional.of("must not have a query or fragment (credentials belong in api_key or headers), got \""
                + withoutQuery(url) + "…\"");
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    return Optional.of("must be an http:// or https:// URL with a host, got \"" + withoutQuery(url) + "\"");
  }

  /** A query (?key=…) is where URLs carry credentials: it is never echoed. */
  private static String withoutQuery(String url) {
    int cut = url.length();
    for (char c : new char[] {'?', '#'}) {
      int i = url.indexOf(c);
      if (i >= 0) cut = Math.min(cut, i);
    }
    return url.substring(0, cut);
  }

  private Map<String, String> headers(Section s) {
    Value<Section> section = s.section("headers", null);
    if (!section.present()) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (Entry entry : section.value().entries().values()) {
      String path = section.value().path(entry.key());
      if (!HEADER_NAME.matcher(entry.key()).matches()) {
        problems.add(entry.keyLine(), path, "is not a valid HTTP header name");
      }
      // Header values often carry credentials (X-Api-Key, custom auth): treated as secrets.
      fields.string(entry.value(), path, true).optional().ifPresent(v -> headers.put(entry.key(), v));
    }
    return Collections.unmodifiableMap(headers);
  }

  private TimeoutConfig timeouts(Section s) {
    Value<Section> section = s.section("timeouts", TIMEOUT_KEYS);
    if (!section.present()) {
      return TimeoutConfig.DEFAULT;
    }
    Section t = section.value();
    TimeoutConfig d = TimeoutConfig.DEFAULT;
    return new TimeoutConfig(
        t.integer("connect_ms", 1, Long.MAX_VALUE).orElse(d.connectMs()),
        t.integer("first_token_ms", 1, Long.MAX_VALUE).orElse(d.firstTokenMs()),
        t.integer("idle_ms", 1, Long.MAX_VALUE).orElse(d.idleMs()),
        t.integer("total_ms", 1, Long.MAX_VALUE).orElse(d.totalMs()));
  }

  // ---- models

  private List<ModelConfig> models(Section root) {
    List<ModelConfig> models = new ArrayList<>();
    for (Section s : items(root, "models", root.list("models"), MODEL_KEYS)) {
      models.add(model(s));
    }
    return models;
  }

  private ModelConfig model(Section s) {
    Value<String> id = s.required("id", s.string("id"));
    id.optional().ifPresent(v -> declareModelName(v, s.path("id"), s.line("id")));
    List<String> aliases = aliases(s);
    long context = s.integer("context_length", 1, Long.MAX_VALUE).orElse(0L);
    Optional<List<String>> capabilities = capabilities(s);
    long hedgeAfterMs = s.integer("hedge_after_ms", 1, Long.MAX_VALUE).orElse(0L);
    // A model the bundled catalog has may be overridden without deployments of its own.
    boolean extendsBundled = !catalogFile && id.present() && bundledIds.contains(id.value());
    boolean preferSelfHosted = choice(s, "prefer", List.of("self_hosted"), "preferences").present();
    return new ModelConfig(id.value(), aliases, context, capabilities, hedgeAfterMs, deployments(s, extendsBundled),
        preferSelfHosted);
  }

  private Optional<List<String>> capabilities(Section s) {
    Value<List<YamlNode>> list = s.list("capabilities");
    if (!list.present()) {
      return Optional.empty();
    }
    List<String> capabilities = new ArrayList<>();
    List<YamlNode> items = list.value();
    for (int i = 0; i < items.size(); i++) {
      String path = s.path("capabilities") + "[" + i + "]";
      Value<String> name = fields.string(items.get(i), path, false);
      if (name.present() && !JunctionConfig.CAPABILITIES.contains(name.value())) {
        problems.add(items.get(i).line(), path, "unknown capability \"" + name.value() + "\""
            + Suggestions.hint(name.value(), JunctionConfig.CAPABILITIES) + "; valid capabilities: "
            + String.join(", ", JunctionConfig.CAPABILITIES));
      } else {
        name.optional().ifPresent(capabilities::add);
      }
    }
    return Optional.of(capabilities);
  }

  private List<String> aliases(Section s) {
    List<String> aliases = new ArrayList<>();
    List<YamlNode> items = s.list("aliases").orElse(List.of());
    for (int i = 0; i < items.size(); i++) {
      String path = s.path("aliases") + "[" + i + "]";
      YamlNode item = items.get(i);
      Value<String> alias = fields.string(item, path, false);
      if (alias.absent()) {
        problems.add(item.line(), path, "must not be empty");
      }
      alias.optional().ifPresent(a -> {
        declareModelName(a, path, item.line());
        aliases.add(a);
      });
    }
    return aliases;
  }

  /** Model ids and aliases share one namespace: a client's model name must lead to one model. */
  private void declareModelName(String name, String path, int line) {
    Declared first = modelNames.putIfAbsent(name, new Declared(path, line));
    if (first != null) {
      problems.add(line, path, "\"" + name + "\" is already used by " + first.path() + " (line " + first.line() + ")");
    }
  }

  private List<DeploymentConfig> deployments(Section model, boolean optional) {
    Value<List<YamlNode>> list = optional ? model.list("providers") : model.required("providers", model.list("providers"));
    if (list.present() && list.value().isEmpty() && !optional) {
      model.problem("providers", "must list at least one provider serving this model");
    }
    List<DeploymentConfig> deployments = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Section s : items(model, "providers", list, DEPLOYMENT_KEYS)) {
      DeploymentConfig d = deployment(s);
      if (d.provider() != null && d.model() != null) {
        String first = seen.putIfAbsent(d.provider() + "\u0000" + d.model(), s.path());
        if (first != null) {
          problems.add(s.line(), s.path(), "duplicate deployment " + d.provider() + "/" + d.model()
              + " (same as " + first + ")");
        }
      }
      deployments.add(d);
    }
    return deployments;
  }

  private DeploymentConfig deployment(Section s) {
    Value<String> provider = s.required("provider", s.string("provider"));
    provider.optional().ifPresent(p -> {
      if (catalogFile) {
        checkKnownProvider(s, p);
      } else {
        checkProviderReference(s, p);
      }
    });
    Value<String> model = s.required("model", s.string("model"));
    boolean byGpu = provider.optional().filter(gpuPriced::contains).isPresent();
    if (byGpu) {
      for (String key : List.of("input_price", "output_price", "cached_input_price", "cache_write_price")) {
        if (s.has(key)) {
          s.problem(key, "its provider is priced by gpu_hour_usd: leave token prices out");
        }
      }
    }
    Value<Double> input = byGpu ? Value.missing() : s.required("input_price", s.nonNegative("input_price"));
    Value<Double> output = byGpu ? Value.missing() : s.required("output_price", s.nonNegative("output_price"));
    Value<Double> cached = s.nonNegative("cached_input_price");
    Value<Double> cacheWrite = s.nonNegative("cache_write_price");
    long context = s.integer("context_length", 1, Long.MAX_VALUE).orElse(0L);
    long maxOutput = s.integer("max_output", 1, Long.MAX_VALUE).orElse(0L);
    Optional<List<String>> capabilities = capabilities(s);
    String status = choice(s, "status", JunctionConfig.STATUSES, "statuses").orElse("live");
    Value<String> source = catalogFile ? s.required("source", s.string("source")) : s.string("source");
    Value<String> asOf = catalogFile ? s.required("as_of", s.string("as_of")) : s.string("as_of");
    source.optional().filter(url -> !url.startsWith("https://") && !url.startsWith("http://"))
        .ifPresent(url -> s.problem("source", "must be the http(s) URL the prices were read from, got \"" + url + "\""));
    asOf.optional().filter(date -> !isDate(date))
        .ifPresent(date -> s.problem("as_of", "must be a date written YYYY-MM-DD, got \"" + date + "\""));
    double inputPrice = input.orElse(0.0);
    return new DeploymentConfig(provider.value(), model.value(), inputPrice, output.orElse(0.0),
        cached.orElse(inputPrice), cacheWrite.orElse(inputPrice), context, maxOutput, capabilities, status,
        source.optional().orElse(null), asOf.optional().orElse(null));
  }

  private static boolean isDate(String text) {
    try {
      LocalDate.parse(text);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** A catalog file names hosted providers Junction knows how to reach, whether or not one is configured. */
  private void checkKnownProvider(Section s, String name) {
    List<String> known = EnvironmentProviders.names();
    if (!known.contains(name)) {
      s.problem("provider", "unknown provider \"" + name + "\"" + Suggestions.hint(name, known)
          + "; known providers: " + String.join(", ", known));
    }
  }

  private void checkProviderReference(Section s, String name) {
    if (providerNames.containsKey(name)) {
      return;
    }
    String hint = Suggestions.closest(name, providerNames.keySet())
        .map(c -> " (did you mean \"" + c + "\"?)")
        .or(() -> EnvironmentProviders.byName(name)
            .map(p -> ": declare it under providers, or set " + String.join(" or ", p.envVars())))
        .orElseGet(() -> providerNames.isEmpty()
            ? ": no providers are declared"
            : "; declared providers: " + String.join(", ", providerNames.keySet()));
    s.problem("provider", "unknown provider \"" + name + "\"" + hint);
  }

  // ---- helpers

  /** A mapping-valued key as a section; absent or invalid reads as an empty one (defaults). */
  private Section subsection(Section parent, String key, List<String> keys) {
    return parent.section(key, keys).optional()
        .orElseGet(() -> Section.missing(parent.path(key), fields, parent.line(key)));
  }

  /** The items of a list read from key, each a mapping with the given keys. */
  private List<Section> items(Section parent, String key, Value<List<YamlNode>> list, List<String> keys) {
    List<Section> sections = new ArrayList<>();
    List<YamlNode> items = list.orElse(List.of());
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i);
      String path = parent.path(key) + "[" + i + "]";
      Value<Section> section = fields.section(item, path, keys);
      if (section.absent()) {
        problems.add(item.line(), path, "is empty");
      }
      section.optional().ifPresent(sections::add);
    }
    return sections;
  }

  /** A string that must be one of a few words. */
  private static Value<String> choice(Section s, String key, List<String> valid, String plural) {
    Value<String> value = s.string(key);
    if (value.present() && !valid.contains(value.value())) {
      s.problem(key, "unknown " + key.replace('_', ' ') + " \"" + value.value() + "\""
          + Suggestions.hint(value.value(), valid) + "; valid " + plural + ": " + String.join(", ", valid));
      return Value.failed();
    }
    return value;
  }
}
