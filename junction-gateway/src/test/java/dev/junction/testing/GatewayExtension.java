package dev.junction.testing;

import dev.junction.account.Limits;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import dev.junction.observe.GatewayMetrics;
import dev.junction.server.Gateway;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real gateway in front of real simulators, configured through the real config loader, with its
 * ledger in a temporary SQLite file (or a PostgreSQL schema of its own), closed after the tests.
 *
 * <p>In a static field it starts once for the class; in an instance field, once per test (JUnit calls
 * an instance field's extension only for each test). A test that needs several gateways of different
 * settings starts them itself instead, in try-with-resources: {@code try (var g = builder()….build().start())}. Its simulators' URLs are the config's
 * {@code ${NAME}} variables, NAME being the simulator's name upper-cased with {@code -} as {@code _}
 * (so {@code ${SIM_A}} for {@code sim-a}, and {@code ${SIM_A_ROOT}} without its {@code /v1}); {@code ${MASTER}} and {@code ${PROVIDER_KEY}} are the keys below,
 * {@code ${DIR}} the gateway's temporary directory (for files such as an access log), and the builder's
 * {@link Builder#env} adds more.
 */
public final class GatewayExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AutoCloseable {

  public static final String CHAT_MODEL = "test/chat";
  public static final String EMBED_MODEL = "test/embed";
  public static final String MASTER_KEY = "jk-test-master-key-0123456789";
  public static final String PROVIDER_KEY = "sk-sim-provider-secret-abcdef123456";

  /** Providers and models of the default simulators, {@code sim-a} and {@code sim-b}. */
  static final String DEFAULT_PROVIDERS_AND_MODELS = """
      providers:
        - { name: sim-a, kind: openai, base_url: "${SIM_A}", api_key: "${PROVIDER_KEY}" }
        - { name: sim-b, kind: openai, base_url: "${SIM_B}", api_key: "${PROVIDER_KEY}" }
        # Mistral's quirks in front of a simulator: it refuses seed, user, logprobs and the like.
        - { name: sim-strict, kind: openai, profile: mistral, base_url: "${SIM_B}", api_key: "${PROVIDER_KEY}" }
        - name: sim-impatient
          kind: openai
          base_url: "${SIM_A}"
          api_key: "${PROVIDER_KEY}"
          timeouts: { connect_ms: 500, first_token_ms: 400, idle_ms: 400, total_ms: 2000 }
      models:
        - id: test/chat
          aliases: [chat]
          providers:
            - { provider: sim-a, model: sim-chat-a, input_price: 1.0, output_price: 2.0 }
            - { provider: sim-b, model: sim-chat-b, input_price: 0.5, output_price: 1.0 }
        - id: test/embed
          providers:
            - { provider: sim-a, model: sim-embed, input_price: 0.1, output_price: 0 }
        - id: test/flaky
          providers:
            - { provider: sim-a, model: "fault:status=503", input_price: 1.0, output_price: 1.0 }
            - { provider: sim-b, model: sim-chat-b, input_price: 1.0, output_price: 1.0 }
        - id: test/cut-early
          providers:
            - { provider: sim-a, model: "fault:cut=1", input_price: 1.0, output_price: 1.0 }
            - { provider: sim-b, model: sim-chat-b, input_price: 1.0, output_price: 1.0 }
        - id: test/described
          aliases: [described]
          context_length: 8192
          capabilities: [tools, vision, json_schema, json_object, streaming]
          providers:
            - { provider: sim-a, model: sim-chat-a, input_price: 0.2, output_price: 0.4, max_output: 1024 }
            - { provider: sim-b, model: sim-chat-b, input_price: 0.1, output_price: 0.3, context_length: 2048,
                capabilities: [streaming], status: offline }
      """;

  private final Settings settings;
  private final HttpClient http = HttpClient.newHttpClient();
  private Running running;
  private boolean perClass;

  private GatewayExtension(Settings settings) {
    this.settings = settings;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      close();
    }
  }

  /** Starts everything now, for a test that manages the gateway itself; a failed start leaves nothing open. */
  public GatewayExtension start() {
    if (running != null) {
      throw new IllegalStateException("already started");
    }
    Running starting = new Running();
    try {
      starting.start(settings);
    } catch (RuntimeException | Error e) {
      starting.close(e);
      throw e;
    }
    running = starting;
    return this;
  }

  /** Closes everything in reverse order of starting; nothing when nothing runs. */
  @Override
  public void close() {
    Running stopping = running;
    running = null;
    if (stopping != null) {
      stopping.close(null);
    }
  }

  private Running running() {
    if (running == null) {
      throw new IllegalStateException("the gateway runs only while tests run: register the extension with "
          + "@RegisterExtension");
    }
    return running;
  }

  /** The first replica (the only one unless the builder asked for more). */
  public Gateway gateway() {
    return running().replicas.getFirst();
  }

  /** Every replica, in start order; they share the database and Redis when the builder asked for them. */
  public List<Gateway> replicas() {
    return List.copyOf(running().replicas);
  }

  public String baseUrl() {
    return gateway().baseUrl();
  }

  public Simulator simulator(String name) {
    Simulator simulator = running().simulators.get(name);
    if (simulator == null) {
      throw new IllegalArgumentException("no simulator " + name + "; there are " + running().simulators.keySet());
    }
    return simulator;
  }

  /** Every simulator, in start order. */
  public List<Simulator> simulators() {
    return List.copyOf(running().simulators.values());
  }

  /** The first simulator ({@code sim-a} by default). */
  public Simulator primary() {
    return running().simulators.values().iterator().next();
  }

  /** The second simulator ({@code sim-b} by default). */
  public Simulator secondary() {
    return running().simulators.values().stream().skip(1).findFirst().orElseThrow();
  }

  /** The first replica's SQLite ledger file, for a test that reaches into the database itself. */
  public Path ledgerFile() {
    if (settings.postgres) {
      throw new IllegalStateException("the ledger is in PostgreSQL, not in a file");
    }
    return running().dir.resolve("ledger-0.db");
  }

  /** The temporary directory of this start ({@code ${DIR}} in the config), deleted at the end. */
  public Path directory() {
    return running().dir;
  }

  /** The first replica's spill directory. */
  public Path spillDir() {
    return running().dir.resolve("spill-0");
  }

  /** The PostgreSQL schema the ledger is in, with {@link Builder#postgres()}. */
  public String schema() {
    String schema = running().schema;
    if (schema == null) {
      throw new IllegalStateException("the ledger is not in PostgreSQL: ask the builder for postgres()");
    }
    return schema;
  }

  /** What stands between the gateways and PostgreSQL, with {@link Builder#cuttableDatabase()}: cut it for an outage. */
  public CuttableProxy database() {
    CuttableProxy proxy = running().database;
    if (proxy == null) {
      throw new IllegalStateException("the database is reached directly: ask the builder for cuttableDatabase()");
    }
    return proxy;
  }

  /**
   * Closes every replica (those a test closed already stay closed) and starts them again on the same
   * config, database and spill directories: a restart of the same deployment.
   */
  public void restart() {
    Running r = running();
    r.replicas.forEach(Gateway::close);
    r.replicas.clear();
    r.startReplicas(settings);
  }

  /** The Vert.x the simulators run on, for a test's own clients and servers. */
  public Vertx vertx() {
    return running().vertx;
  }

  /** Stops a simulator and starts another on the same port: the same provider, behaving differently. */
  public void replace(SimulatorOptions options) {
    Simulator old = simulator(options.name());
    int port = old.port();
    old.close();
    // The port came from the ephemeral range: until the new server binds it, an outgoing connection
    // (of any test in this JVM) may take it as its local port for a while. The bind is tried again.
    for (int tries = 1; ; tries++) {
      try {
        running().simulators.put(options.name(), Simulator.start(running().vertx, options.withPort(port)));
        return;
      } catch (Exception e) {
        if (!(e instanceof java.net.BindException) || tries == 200) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  /** A POST with the master key (if the gateway has one); returns the whole response. */
  public HttpResponse<String> post(String path, String body) {
    return post(path, body, authorization());
  }

  /** A POST with exactly these headers besides the content type. */
  public HttpResponse<String> post(String path, String body, Map<String, String> headers) {
    return Http.send(http, postRequest(path, body, headers));
  }

  /** Sends the bodies to the path at once, as concurrent clients would; answers in the same order. */
  public List<HttpResponse<String>> postAll(String path, List<String> bodies) {
    List<CompletableFuture<HttpResponse<String>>> pending = bodies.stream()
        .map(body -> http.sendAsync(postRequest(path, body, authorization()), HttpResponse.BodyHandlers.ofString()))
        .toList();
    return pending.stream().map(CompletableFuture::join).toList();
  }

  /** A GET with the master key (if the gateway has one). */
  public HttpResponse<String> get(String path) {
    return get(path, authorization());
  }

  public HttpResponse<String> get(String path, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET();
    headers.forEach(request::header);
    return Http.send(http, request.build());
  }

  /** The first replica's root URL, {@code http://host:port}, under which {@code /admin} and {@code /metrics} are. */
  public String rootUrl() {
    return baseUrl().substring(0, baseUrl().length() - "/v1".length());
  }

  /**
   * Issues a virtual key through the admin API, with these limits, in this team (made first, with the
   * team's limits, when it does not exist yet; null for none); returns its secret.
   */
  public String key(String name, String team, Limits keyLimits, Limits teamLimits) {
    if (team != null) {
      HttpResponse<String> made = admin("POST", "/admin/teams", limits("{\"name\":\"" + team + "\"", teamLimits));
      if (made.statusCode() != 201 && made.statusCode() != 409) {
        throw new IllegalStateException("creating team " + team + ": " + made.statusCode() + " " + made.body());
      }
    }
    HttpResponse<String> issued = admin("POST", "/admin/keys", limits("{\"name\":\"" + name + "\""
        + (team == null ? "" : ",\"team\":\"" + team + "\""), keyLimits));
    if (issued.statusCode() != 201) {
      throw new IllegalStateException("issuing key " + name + ": " + issued.statusCode() + " " + issued.body());
    }
    return dev.junction.api.Json.MAPPER.readTree(issued.body()).path("key").asString();
  }

  private static String limits(String start, Limits limits) {
    return start + ",\"rpm\":" + limits.rpm() + ",\"tpm\":" + limits.tpm() + ",\"max_parallel\":" + limits.maxParallel()
        + ",\"budget_usd\":" + java.math.BigDecimal.valueOf(limits.budgetNanos(), 9).toPlainString()
        + ",\"budget_period\":\"" + limits.budgetPeriod().name().toLowerCase(Locale.ROOT) + "\"}";
  }

  /** Any method on a path under the root ({@code /admin/keys}), with the master key (if the gateway has one). */
  public HttpResponse<String> admin(String method, String path, String body) {
    return request(gateway(), method, path, body, authorization());
  }

  /**
   * Any method on a path under a replica's root, with exactly these headers besides the content type
   * (sent with a body only).
   */
  public HttpResponse<String> request(Gateway replica, String method, String path, String body,
      Map<String, String> headers) {
    String base = replica.baseUrl();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.substring(0, base.length() - 3) + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    headers.forEach(request::header);
    return Http.send(http, request.build());
  }

  /** The Prometheus text of {@code GET /metrics}, read with the master key (if any). */
  public String scrape() {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl().replace("/v1", "/metrics"))).GET();
    authorization().forEach(request::header);
    return Http.send(http, request.build()).body();
  }

  /** The ledger record of a request, once the writer has committed it. */
  public LedgerRecord record(String requestId) {
    Gateway gateway = gateway();
    return Awaitility.await().until(() -> {
      gateway.ledger().flush();
      return gateway.ledger().find(requestId).orElse(null);
    }, r -> r != null);
  }

  /**
   * What the first replica's database holds, read by a ledger of its own: for a test that closed the
   * gateway and asks what reached the disk.
   */
  public List<LedgerRecord> recordsOnDisk() {
    JunctionConfig config = running().configs.getFirst();
    try (Ledger ledger = Ledger.open(config.database(), config.ledger())) {
      return ledger.recent(100_000);
    }
  }

  /** Every record the ledger holds (up to 100,000), once the writer has committed what it queued. */
  public List<LedgerRecord> records() {
    gateway().ledger().flush();
    return gateway().ledger().recent(100_000);
  }

  private Map<String, String> authorization() {
    return settings.masterKey != null ? Map.of("authorization", "Bearer " + settings.masterKey) : Map.of();
  }

  private HttpRequest postRequest(String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return request.build();
  }

  /** The name of the config variable holding a simulator's URL. */
  static String variable(String simulator) {
    return simulator.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** One start: everything it opened, so that a start failing half way still closes what it began. */
  private static final class Running {
    final Deque<AutoCloseable> opened = new ArrayDeque<>();
    final Vertx vertx = Vertx.vertx();
    final Map<String, Simulator> simulators = new LinkedHashMap<>();
    final List<Gateway> replicas = new ArrayList<>();
    final List<JunctionConfig> configs = new ArrayList<>();
    Path dir;
    String schema;
    CuttableProxy database;

    Running() {
      opened.push(() -> vertx.close().await());
    }

    void start(Settings settings) {
      dir = temporaryDirectory();
      Map<String, String> env = new HashMap<>(settings.env);
      env.put("MASTER", settings.masterKey != null ? settings.masterKey : MASTER_KEY);
      env.put("PROVIDER_KEY", PROVIDER_KEY);
      env.put("DIR", dir.toString());
      // Whatever the map holds when closing: replace() swaps a simulator for another on its port.
      opened.push(() -> simulators.values().forEach(Simulator::close));
      for (SimulatorOptions options : settings.simulators) {
        Simulator simulator = Simulator.start(vertx, options);
        simulators.put(options.name(), simulator);
        env.put(variable(options.name()), simulator.baseUrl());
        // Its root, for APIs whose paths are not under /v1 (Bedrock's /model/{id}/converse).
        env.put(variable(options.name()) + "_ROOT", simulator.baseUrl().replaceFirst("/v1$", ""));
      }
      String sharedDatabase = settings.databaseUrl != null ? "database: { url: \"" + settings.databaseUrl + "\" }\n"
          : settings.postgres ? postgresSection(settings.cuttableDatabase) : null;
      for (int i = 0; i < settings.replicas; i++) {
        String database = sharedDatabase != null ? sharedDatabase
            : "database: { url: \"jdbc:sqlite:" + dir.resolve("ledger-" + i + ".db") + "\" }\n";
        // Each its own spill directory: two ledgers may not share one, and the default is the working directory.
        String ledger = "ledger: { flush_interval_ms: " + settings.ledgerFlushMs + ", spill_dir: \""
            + dir.resolve("spill-" + i) + "\"" + (settings.ledger.isBlank() ? "" : ", " + settings.ledger) + " }\n";
        String yaml = settings.yaml(database, ledger, simulators.keySet());
        try {
          Path file = Files.writeString(dir.resolve("junction-" + i + ".yaml"), yaml);
          configs.add(ConfigLoader.load(file, env));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      startReplicas(settings);
    }

    void startReplicas(Settings settings) {
      for (JunctionConfig config : configs) {
        Gateway gateway = settings.metrics == null ? Gateway.start(config)
            : Gateway.start(config, Ledger.open(config.database(), config.ledger()), settings.metrics);
        opened.push(gateway);
        replicas.add(gateway);
      }
    }

    private Path temporaryDirectory() {
      TemporaryDirectory dir = TemporaryDirectory.create("junction-test-");
      opened.push(dir);
      return dir.path();
    }

    private String postgresSection(boolean cuttable) {
      Postgres postgres = Services.postgres();
      TestDatabases databases = new TestDatabases(dir);
      opened.push(databases);
      String created = databases.schema();
      schema = created;
      String url = postgres.url("currentSchema", created);
      if (cuttable) {
        URI server = postgres.address();
        CuttableProxy proxy = CuttableProxy.to(server.getHost(), server.getPort());
        opened.push(proxy);
        database = proxy;
        // The same database and parameters, at the proxy's address.
        url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + url.substring(url.indexOf('/', "jdbc:postgresql://".length()));
      }
      return "database: { url: \"" + url + "\""
          + postgres.user().map(u -> ", user: \"" + u + "\"").orElse("") + " }\n";
    }

    /** Closes in reverse order of opening; the first failure is thrown, after everything was tried. */
    void close(Throwable cause) {
      Throwable first = cause;
      while (!opened.isEmpty()) {
        try {
          opened.pop().close();
        } catch (Exception | Error e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (cause == null && first != null) {
        throw first instanceof RuntimeException r ? r : new IllegalStateException("closing failed", first);
      }
    }
  }

  private record Settings(List<SimulatorOptions> simulators, String masterKey, long maxBodyBytes, String server,
      String providersAndModels, String providers, String extraYaml, boolean postgres, boolean cuttableDatabase,
      boolean redis, int replicas, GatewayMetrics metrics, long ledgerFlushMs, String ledger, Map<String, String> env,
      String redisUrl, String redisOnFailure, String databaseUrl) {

    String yaml(String database, String ledger, Iterable<String> simulatorNames) {
      StringBuilder yaml = new StringBuilder("server: { port: 0");
      if (maxBodyBytes > 0) {
        yaml.append(", max_body_bytes: ").append(maxBodyBytes);
      }
      if (masterKey != null) {
        yaml.append(", master_key: \"${MASTER}\"");
      }
      yaml.append(server.isBlank() ? "" : ", " + server).append(" }\n")
          .append(database)
          .append(ledger);
      if (redis) {
        yaml.append("redis: { url: \"").append(redisUrl == null ? Services.redisUrl() : redisUrl).append('"')
            .append(redisOnFailure == null ? "" : ", on_failure: " + redisOnFailure).append(" }\n");
      }
      if (providers != null) {
        yaml.append(providers);
      } else if (providersAndModels == null) {
        // One provider per simulator, named as the simulator; models come from the extra YAML.
        yaml.append("providers:\n");
        for (String name : simulatorNames) {
          yaml.append("  - { name: ").append(name).append(", kind: openai, base_url: \"${")
              .append(variable(name)).append("}\" }\n");
        }
      } else {
        yaml.append(providersAndModels);
      }
      return yaml.append(extraYaml).append('\n').toString();
    }
  }

  public static final class Builder {
    private List<SimulatorOptions> simulators = List.of(
        SimulatorOptions.defaults().withName("sim-a"), SimulatorOptions.defaults().withName("sim-b"));
    private String masterKey = MASTER_KEY;
    private long maxBodyBytes = 1_048_576;
    // Listed order, so that tests know which simulator serves; routing tests set their own policy.
    private String server = "default_policy: preferred";
    private String providersAndModels = DEFAULT_PROVIDERS_AND_MODELS;
    private String providers;
    private String models = "";
    private String extraYaml = "";
    private boolean postgres;
    private boolean cuttableDatabase;
    private String databaseUrl;
    private String ledger = "";
    private final Map<String, String> env = new HashMap<>();
    private boolean redis;
    private int replicas = 1;
    private GatewayMetrics metrics;
    // Short, so that tests reading the ledger wait little.
    private long ledgerFlushMs = 20;
    private String redisUrl;
    private String redisOnFailure;

    private Builder() {}

    /**
     * Simulators of these options instead of {@code sim-a} and {@code sim-b}; then the config is the
     * gateway's defaults (no body limit, no policy) and has one provider per simulator, named as it,
     * unless {@link #providers} says otherwise, and the models {@link #models} says.
     */
    public Builder simulators(SimulatorOptions... options) {
      simulators = List.of(options);
      providersAndModels = null;
      maxBodyBytes = 0;
      server = "";
      return this;
    }

    /** The providers list (with its {@code providers:} line), when the simulators are the builder's own. */
    public Builder providers(String yaml) {
      if (providersAndModels != null) {
        throw new IllegalStateException("providers(...) replaces the default providers only with simulators(...)");
      }
      providers = yaml;
      return this;
    }

    /** The models list (items at two spaces), when the simulators are the builder's own. */
    public Builder models(String yaml) {
      if (providersAndModels != null) {
        throw new IllegalStateException("models(...) replaces the default models only with simulators(...)");
      }
      models = "models:\n" + yaml;
      return this;
    }

    /**
     * Appended after the default models list: more models (as {@code "  - id: …"}); or after the
     * builder's own models, other sections.
     */
    public Builder extraYaml(String yaml) {
      extraYaml = extraYaml + yaml;
      return this;
    }

    /** The server section's keys besides port, master key and body size, e.g. {@code "default_policy: fastest"}. */
    public Builder server(String keys) {
      server = keys;
      return this;
    }

    public Builder withoutMasterKey() {
      masterKey = null;
      return this;
    }

    /** This master key instead of {@link #MASTER_KEY}; the extension's requests send it. */
    public Builder masterKey(String key) {
      masterKey = key;
      return this;
    }

    /** A variable for the config's {@code ${NAME}} references, e.g. a provider's key. */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** The ledger section's keys besides flush interval and spill directory, e.g. {@code "capacity: 256"}. */
    public Builder ledger(String keys) {
      ledger = keys;
      return this;
    }

    public Builder maxBodyBytes(long bytes) {
      maxBodyBytes = bytes;
      return this;
    }

    /** The ledger in a PostgreSQL schema of its own (shared by the replicas), dropped at the end. */
    public Builder postgres() {
      postgres = true;
      return this;
    }

    /**
     * The ledger in PostgreSQL, reached through a {@link CuttableProxy} ({@link #database()}): an outage of
     * the database for these gateways alone.
     */
    public Builder cuttableDatabase() {
      postgres = true;
      cuttableDatabase = true;
      return this;
    }

    /** The ledger and keys in this database of the test's own (a {@link StoppablePostgres}, say). */
    public Builder database(String url) {
      databaseUrl = url;
      return this;
    }

    /** The Redis of {@link Services#redisUrl()}; tests keep their keys apart with names of their own. */
    public Builder redis() {
      redis = true;
      return this;
    }

    /**
     * A Redis of the test's own (one behind a {@code CuttableProxy}, say), and what limits do while it
     * cannot be reached ({@code open} or {@code closed}; null for the default).
     */
    public Builder redis(String url, String onFailure) {
      redis = true;
      redisUrl = url;
      redisOnFailure = onFailure;
      return this;
    }

    /** This many gateways of the same config; without {@link #postgres()} each has its own SQLite ledger. */
    public Builder replicas(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("replicas must be at least 1, not " + count);
      }
      replicas = count;
      return this;
    }

    /** These metrics instead of the gateway's own Prometheus ones, e.g. metrics a test can break. */
    public Builder metrics(GatewayMetrics value) {
      metrics = value;
      return this;
    }

    /** How often the ledger writes what it queued; long, to see what only a shutdown writes. */
    public Builder ledgerFlushMs(long ms) {
      ledgerFlushMs = ms;
      return this;
    }

    public GatewayExtension build() {
      return new GatewayExtension(new Settings(simulators, masterKey, maxBodyBytes, server, providersAndModels,
          providers, models + extraYaml, postgres, cuttableDatabase, redis, replicas, metrics, ledgerFlushMs, ledger,
          Map.copyOf(env), redisUrl, redisOnFailure, databaseUrl));
    }
  }
}
