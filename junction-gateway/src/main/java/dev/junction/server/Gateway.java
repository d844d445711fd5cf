package dev.junction.server;

import dev.junction.account.Accounts;
import dev.junction.account.Authenticator;
import dev.junction.account.KeyStore;
import dev.junction.account.SpendHistory;
import dev.junction.admin.AdminApi;
import dev.junction.dashboard.Dashboard;
import dev.junction.config.JunctionConfig.OnFailure;
import dev.junction.limits.Limiter;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.CatalogModel;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.DeploymentId;
import dev.junction.config.JunctionConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.engine.EngineKind;
import dev.junction.engine.EngineLoad;
import dev.junction.engine.EnginePoller;
import dev.junction.fleet.Broadcast;
import dev.junction.fleet.FleetLink;
import dev.junction.config.Secrets;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.StoredResponses;
import dev.junction.ledger.Payer;
import dev.junction.observe.GatewayMetrics;
import dev.junction.observe.Tracing;
import dev.junction.routing.FleetStats;
import dev.junction.routing.LiveStats;
import dev.junction.routing.Router;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A running gateway: the HTTP server, one event loop per core with its own upstream connection pool,
 * the ledger, metrics and live statistics, wired from a validated config.
 */
public final class Gateway implements AutoCloseable {

  // Past the drain, cancelled requests get this long to write their records and their last words.
  private static final long CANCEL_GRACE_MS = 2_000;

  private final Vertx vertx;
  private final Ledger ledger;
  private final GatewayMetrics metrics;
  private final Catalog catalog;
  private final LiveStats stats;
  private final @Nullable FleetLink fleet;
  private final EnginePoller engines;
  private final DeploymentHealth health;
  private final ProxyPipeline pipeline;
  private final Accounts accounts;
  private final Authenticator authenticator;
  private final AdminApi admin;
  private final Dashboard dashboard;
  private final FailureLog failures;
  private final AccessLog accessLog;
  private final Tracing tracing;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final JunctionConfig config;
  private final ConnectionGuards connections;
  private final Limiter limiter;
  private final AtomicBoolean closed = new AtomicBoolean();
  private int port;

  private Gateway(JunctionConfig config, Vertx vertx, ConnectionGuards connections, Ledger ledger,
      GatewayMetrics metrics, Tracing tracing) {
    this.config = config;
    this.vertx = vertx;
    this.connections = connections;
    this.ledger = ledger;
    this.metrics = metrics;
    metrics.watch(ledger);
    this.catalog = Catalog.of(config);
    this.failures = new FailureLog(Secrets.of(config));
    this.accessLog = AccessLog.open(config.server().accessLog(), failures.secrets());
    this.tracing = tracing;
    // A callback that throws on an event loop would otherwise be logged by Vert.x, unredacted.
    vertx.exceptionHandler(e -> failures.internal("(unknown)", "an event-loop task", e));
    this.stats = new LiveStats();
    // Self-hosted engines report their load; routing reads the last report, never waits for one.
    this.engines = EnginePoller.start(vertx, engines(config));
    for (EnginePoller.Engine engine : engines(config)) {
      String name = engine.provider();
      List<java.util.function.Supplier<double[]>> replicas = new java.util.ArrayList<>();
      for (int i = 0; i < engine.roots().size(); i++) {
        int replica = i;
        replicas.add(() -> {
          EngineLoad load = engines.load(name, replica);
          return load == null ? new double[] {0, 0, 0, Double.NaN}
              : new double[] {load.healthy() ? 1 : 0, load.waiting(), load.running(), load.kvCache()};
        });
      }
      metrics.watchEngine(name, replicas, () -> stats.busyOutputRate(name));
    }
    // With Redis, replicas share what they measure and which deployments they set aside.
    this.fleet = config.redisUrl().map(FleetLink::connect).orElse(null);
    Breakers breakers = new Breakers(Breakers.Settings.DEFAULT);
    // A budget's counter starts from what the ledger recorded for its period: a restart never hands it out again.
    SpendHistory spent = (scope, id, since) ->
        ledger.spentNanos(scope == SpendHistory.Scope.KEY ? Payer.key(id) : Payer.team(id), since);
    if (fleet != null) {
      List<Deployment> deployments = catalog.models().stream().flatMap(m -> m.deployments().stream()).toList();
      SharedHealth shared = new SharedHealth(breakers, fleet.connection(), deployments);
      fleet.share(new FleetStats(stats, deployments));
      fleet.share(shared);
      this.limiter = Limiter.shared(fleet, config.limits().onFailure() == OnFailure.OPEN, leaseMs(config),
          InstantSource.system(), spent, LOOKUPS);
      fleet.start();
      this.health = shared;
    } else {
      this.health = breakers;
      this.limiter = Limiter.inMemory(InstantSource.system(), spent, LOOKUPS);
    }
    metrics.watchLimits(limiter::available);
    // The breaker gauges read what the dashboard shows: this replica's breakers and cooldowns. One per
    // deployment, which several catalog models may share (the demo's two chat models do).
    java.util.Set<DeploymentId> watched = new java.util.HashSet<>();
    for (CatalogModel model : catalog.models()) {
      for (Deployment deployment : model.deployments()) {
        if (watched.add(deployment.id())) {
          metrics.watchDeployment(deployment.provider().name(), deployment.model(),
              () -> "open".equals(breakers.view(deployment).breaker()), () -> breakers.view(deployment).coolingMs());
        }
      }
    }
    // Virtual keys live beside the records, in the ledger's database; with Redis, a change to one
    // reaches every replica's key cache before the admin API answers.
    this.accounts = ledger.database().map(db -> KeyStore.on(db, config.server().masterKey())).map(Accounts::on)
        .orElseGet(Accounts::none);
    if (fleet != null) {
      Broadcast keys = fleet.broadcast("keys", accounts::forget, () -> accounts.forget(Accounts.ALL));
      accounts.broadcastWith(keys::send);
    }
    this.authenticator = new Authenticator(config.server().masterKey(), accounts);
    this.admin = new AdminApi(vertx, accounts, ledger, (what, e) -> failures.internal(Exchange.newId(), what, e),
        Routes::error, config.providers().stream().map(p -> p.name()).collect(java.util.stream.Collectors.toSet()));
    // The dashboard shows this replica's breakers: what its own routing decides with.
    this.dashboard = new Dashboard(vertx, authenticator, ledger, catalog, stats, breakers::view,
        (what, e) -> failures.internal(Exchange.newId(), what, e));
    this.pipeline = new ProxyPipeline(
        authenticator,
        new Router(catalog, config.server().defaultPolicy(), stats, engines, config.server().cacheAffinity()),
        new Reporting(ledger, metrics, accessLog, failures, tracing),
        new Upstreams(vertx),
        vertx,
        config.server().maxAttempts(),
        config.server().requestTimeoutMs(),
        health,
        new LimitsStep(limiter, config.limits().defaultMaxTokens(), metrics),
        new ResponseStore(ledger.database().map(StoredResponses::on).orElseGet(StoredResponses::inMemory), vertx,
            failures), engines);
  }

  /** Spend look-ups for budgets query the ledger's database: never on an event loop. */
  private static final Executor LOOKUPS = task -> Thread.ofVirtual().name("junction-spend-lookup").start(task);

  /**
   * How long a request's slot and reservations in Redis outlive a replica that died holding them:
   * longer than any request may last.
   */
  private static long leaseMs(JunctionConfig config) {
    return config.server().requestTimeoutMs() + 60_000;
  }

  /** Starts, in the background, what start-up will need before the config is read (see {@link Ledger#preload}). */
  public static void preload() {
    Ledger.preload();
  }

  /**
   * Starts serving; returns once the port is bound. The ledger's database is opened and migrated on
   * another thread while the event loops and the HTTP client start: the two are most of start-up.
   */
  public static Gateway start(JunctionConfig config) {
    CompletableFuture<Ledger> ledger = new CompletableFuture<>();
    Thread.ofPlatform().name("junction-ledger-open").start(() -> {
      try {
        ledger.complete(Ledger.open(config.database(), config.ledger()));
      } catch (Throwable e) {
        ledger.completeExceptionally(e);
      }
    });
    return start(config, ledger, GatewayMetrics.prometheus(served(config)));
  }

  /** The providers of an engine kind, to be polled for their load and models. */
  static List<EnginePoller.Engine> engines(JunctionConfig config) {
    List<EnginePoller.Engine> engines = new java.util.ArrayList<>();
    for (ProviderConfig p : config.providers()) {
      p.engine().ifPresent(e -> EngineKind.named(p.kind()).ifPresent(kind -> engines.add(new EnginePoller.Engine(
          p.name(), kind, (e.replicas().isEmpty() ? List.of(p.baseUrl()) : e.replicas()).stream()
              .map(EnginePoller::root).toList(), e.pollMs(),
          new EnginePoller.Spill(e.waitingAbove(), e.kvCacheAbove())))));
    }
    return engines;
  }

  /** The provider model ids each provider serves from the catalog: the metrics' own labels. */
  static Map<String, Set<String>> served(JunctionConfig config) {
    Map<String, Set<String>> served = new HashMap<>();
    config.models().forEach(m -> m.providers().forEach(
        d -> served.computeIfAbsent(d.provider(), p -> new HashSet<>()).add(d.model())));
    return served;
  }

  /**
   * Starts serving with the given ledger and metrics, which the gateway then owns and closes; for
   * measuring what each of them costs.
   */
  public static Gateway start(JunctionConfig config, Ledger ledger, GatewayMetrics metrics) {
    return start(config, CompletableFuture.completedFuture(ledger), metrics);
  }

  private static Gateway start(JunctionConfig config, CompletableFuture<Ledger> opening, GatewayMetrics metrics) {
    int cores = Runtime.getRuntime().availableProcessors();
    ConnectionGuards connections =
        new ConnectionGuards(config.server().connections(), config.server().requestTimeoutMs());
    Vertx vertx;
    try {
      vertx = Vertx.builder()
          .with(new VertxOptions().setEventLoopPoolSize(cores))
          .withTransport(GuardedTransport.around(connections))
          .build();
    } catch (RuntimeException e) {
      opening.thenAccept(Ledger::close);
      metrics.close();
      throw e;
    }
    Ledger ledger = null;
    Gateway gateway = null;
    // Made here rather than by the gateway, so that it is closed (its export thread stopped) when start-up fails.
    Tracing tracing = Tracing.off();
    try {
      ledger = opened(opening);
      tracing = config.tracing().map(Tracing::otlp).orElseGet(Tracing::off);
      gateway = new Gateway(config, vertx, connections, ledger, metrics, tracing);
      gateway.listen(cores);
      return gateway;
    } catch (RuntimeException e) {
      if (gateway != null) {
        gateway.closeFleet();
        gateway.accessLog.close();
      }
      if (ledger != null) {
        ledger.close();
      } else {
        opening.thenAccept(Ledger::close);
      }
      metrics.close();
      tracing.close();
      vertx.close().await();
      throw e;
    }
  }

  /** One HTTP server per event loop, all on the same port. */
  private void listen(int cores) {
    ModelsApi models = new ModelsApi(catalog, System.currentTimeMillis() / 1000);
    AtomicInteger bound = new AtomicInteger();
    // Strict thread mode: everything the gateway writes to a client it writes on the connection's own
    // event loop (ClientSink), so Vert.x may write to the channel directly instead of through its
    // cross-thread message queues; a write from another thread would throw. No WebSocket is served,
    // so no extension handler sits in every connection's pipeline. Together about 4% more saturated
    // throughput, alternating side by side.
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.server().host())
        .setPort(config.server().port())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setStrictThreadMode(true);
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        var router = Routes.of(vertx, pipeline, models, authenticator, ledger, limiter, config.server().maxBodyBytes(),
            metrics, config.server().metricsPublic(), failures, admin, dashboard);
        return vertx.createHttpServer(options).connectionHandler(ConnectionGuard::attach).requestHandler(router)
            .listen()
            .onSuccess(server -> {
              bound.set(server.actualPort());
              servers.add(server);
            });
      }
    }, new DeploymentOptions().setInstances(cores)).await();
    port = bound.get();
  }

  /** The ledger once open, or the failure that kept it from opening, as thrown by {@code Ledger.open}. */
  private static Ledger opened(CompletableFuture<Ledger> opening) {
    try {
      return opening.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) throw cause;
      if (e.getCause() instanceof Error cause) throw cause;
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** The OpenAI base URL clients use: {@code http://host:port/v1}. */
  public String baseUrl() {
    String host = config.server().host();
    return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port + "/v1";
  }

  public Ledger ledger() {
    return ledger;
  }

  /** Client connections open now (those refused over the cap are not counted). */
  int openConnections() {
    return connections.open();
  }

  public Catalog catalog() {
    return catalog;
  }

  /** What routing knows of each deployment, this replica's measurements merged with the fleet's. */
  public LiveStats stats() {
    return stats;
  }

  private void closeFleet() {
    if (fleet != null) {
      fleet.close();
    }
  }

  /**
   * Shuts down without losing a record or cutting a client off unawares: stops accepting
   * connections, lets requests in flight finish for up to {@code server.drain_timeout_ms}, then
   * cancels the rest (their records say cancelled) and tells their clients so, closes connections
   * once those last words are out, and flushes the ledger. Run by the SIGTERM hook of
   * {@code junction serve}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long drainTimeoutMs = config.server().drainTimeoutMs();
    pipeline.drain();
    // Vert.x closes each connection once its response is over, and the stragglers at the end.
    List<Future<Void>> shutdowns = servers.stream()
        .map(server -> server.shutdown(Duration.ofMillis(drainTimeoutMs + CANCEL_GRACE_MS)))
        .toList();
    if (!pipeline.awaitIdle(drainTimeoutMs)) {
      awaitAtMost(Future.join(pipeline.cancelAll("the gateway shut down")), CANCEL_GRACE_MS);
    }
    awaitAtMost(Future.join(shutdowns), CANCEL_GRACE_MS);
    closeFleet();
    engines.close();
    vertx.close().await();
    accounts.close();
    accessLog.close();
    // After the last records: every request's span has ended, and the batch goes out (bounded).
    tracing.close();
    pipeline.responses().close();
    ledger.close();
    metrics.close();
  }

  /** Waits for it, or for the time to pass; whether it succeeded changes nothing of what follows. */
  private static void awaitAtMost(Future<?> future, long ms) {
    try {
      future.await(ms, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | RuntimeException e) {
      // shutting down either way
    }
  }
}
