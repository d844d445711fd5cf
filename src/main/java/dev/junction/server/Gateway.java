package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.catalog.Catalog;
import dev.junction.config.JunctionConfig;
import dev.junction.ledger.Ledger;
import dev.junction.routing.LiveStats;
import dev.junction.routing.FleetStats;
import dev.junction.routing.Router;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running gateway: the HTTP server, one event loop per core, the pooled upstream client and the
 * ledger, wired from a validated config.
 */
public final class Gateway implements AutoCloseable {

  // Past the drain, cancelled requests get this long to write their records.
  private static final long CANCEL_GRACE_MS = 2_000;

  private final Vertx vertx;
  private final Ledger ledger;
  private final Catalog catalog;
  private final LiveStats stats;
  private final FleetStats fleet;
  private final String host;
  private final int port;
  private final ProxyPipeline pipeline;
  private final List<HttpServer> servers;
  private final long drainTimeoutMs;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Gateway(Vertx vertx, Ledger ledger, Catalog catalog, LiveStats stats, FleetStats fleet, String host,
      int port, ProxyPipeline pipeline, List<HttpServer> servers, long drainTimeoutMs) {
    this.vertx = vertx;
    this.ledger = ledger;
    this.catalog = catalog;
    this.stats = stats;
    this.fleet = fleet;
    this.host = host;
    this.port = port;
    this.pipeline = pipeline;
    this.servers = servers;
    this.drainTimeoutMs = drainTimeoutMs;
  }

  /** Starts serving; returns once the port is bound. */
  public static Gateway start(JunctionConfig config) {
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(cores))
        .build();
    Ledger ledger = Ledger.open(config.database(), config.ledger());
    FleetStats fleet = null;
    try {
      Catalog catalog = Catalog.of(config);
      LiveStats stats = new LiveStats();
      if (config.redisUrl().isPresent()) {
        fleet = FleetStats.start(config.redisUrl().get(), stats,
            catalog.models().stream().flatMap(m -> m.deployments().stream()).toList());
      }
      HttpClient client = vertx.createHttpClient(
          new HttpClientOptions()
              .setKeepAlive(true)
              .setTcpNoDelay(true)
              .setDecompressionSupported(false)
              .setForceSni(true),
          new PoolOptions().setHttp1MaxSize(1024).setEventLoopSize(cores));
      ProxyPipeline pipeline = new ProxyPipeline(
          new Authenticator(config.server().masterKey()),
          new Router(catalog, config.server().defaultPolicy(), stats, config.server().cacheAffinity()),
          ledger,
          client,
          vertx,
          config.server().maxAttempts(),
          config.server().requestTimeoutMs(),
          new Breakers(Breakers.Settings.DEFAULT));
      ModelsApi models = new ModelsApi(catalog, System.currentTimeMillis() / 1000);
      Authenticator auth = new Authenticator(config.server().masterKey());
      AtomicInteger bound = new AtomicInteger();
      List<HttpServer> servers = new CopyOnWriteArrayList<>();
      HttpServerOptions options = new HttpServerOptions()
          .setHost(config.server().host())
          .setPort(config.server().port())
          .setTcpNoDelay(true)
          .setCompressionSupported(false);
      DeploymentOptions deployment = new DeploymentOptions().setInstances(cores);
      vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          var router = Routes.of(vertx, pipeline, models, auth, ledger, config.server().maxBodyBytes());
          return vertx.createHttpServer(options).requestHandler(router).listen()
              .onSuccess(server -> {
                bound.set(server.actualPort());
                servers.add(server);
              });
        }
      }, deployment).await();
      return new Gateway(vertx, ledger, catalog, stats, fleet, config.server().host(), bound.get(), pipeline,
          servers, config.server().drainTimeoutMs());
    } catch (RuntimeException e) {
      if (fleet != null) {
        fleet.close();
      }
      ledger.close();
      vertx.close().await();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** The OpenAI base URL clients use: {@code http://host:port/v1}. */
  public String baseUrl() {
    return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port + "/v1";
  }

  public Ledger ledger() {
    return ledger;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** What routing knows of each deployment, this replica's measurements merged with the fleet's. */
  public LiveStats stats() {
    return stats;
  }

  /**
   * Shuts down without losing a record: stops accepting connections, lets requests in flight finish
   * for up to {@code server.drain_timeout_ms}, cancels the rest (their records say cancelled), then
   * flushes the ledger. Run by the SIGTERM hook of {@code junction serve}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pipeline.drain();
    servers.forEach(server -> server.shutdown(Duration.ofMillis(drainTimeoutMs + CANCEL_GRACE_MS)));
    if (!pipeline.awaitIdle(drainTimeoutMs)) {
      pipeline.cancelAll("the gateway shut down");
      pipeline.awaitIdle(CANCEL_GRACE_MS);
    }
    if (fleet != null) {
      fleet.close();
    }
    vertx.close().await();
    ledger.close();
  }
}
