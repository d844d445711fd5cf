package dev.junction.engine;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Polls each self-hosted engine for its load and served models, every {@code poll_ms}, off the
 * request path: routing reads the latest snapshot only, a map lookup. An engine that fails a poll is
 * marked down at once (it then ranks as unhealthy and is skipped) and taken back at its next good
 * poll; one that was never polled yet is not held against.
 */
public final class EnginePoller implements Rooms, AutoCloseable {

  /** Any poll taking longer than this is a failed one: the engine is too busy or gone either way. */
  private static final long MAX_POLL_MS = 2_000;

  /**
   * One engine to poll.
   *
   * @param provider the provider's name, the key its load is read by
   * @param root the server's root URL (a base URL's {@code /v1} taken off)
   * @param spill when it has no room for new requests
   */
  public record Engine(String provider, EngineKind kind, URI root, long pollMs, Spill spill) {

    public Engine(String provider, EngineKind kind, URI root, long pollMs) {
      this(provider, kind, root, pollMs, Spill.NEVER);
    }
  }

  /**
   * When an engine is set aside for new requests: more requests waiting than {@code waitingAbove},
   * or more of its KV cache in use than {@code kvCacheAbove}. It is taken back once its load falls
   * to the thresholds again: it is the engine's own queue that decides, so no hysteresis is added.
   *
   * @param waitingAbove negative for no limit on the queue
   * @param kvCacheAbove a share, 0 to 1; NaN for no limit on the cache
   */
  public record Spill(long waitingAbove, double kvCacheAbove) {

    /** Never set aside for its load (still for being down). */
    public static final Spill NEVER = new Spill(-1, Double.NaN);

    boolean full(EngineLoad load) {
      return waitingAbove >= 0 && load.waiting() > waitingAbove
          || !Double.isNaN(kvCacheAbove) && !Double.isNaN(load.kvCache()) && load.kvCache() > kvCacheAbove;
    }
  }


  private final Vertx vertx;
  private final HttpClient http;
  private final Map<String, EngineLoad> latest = new ConcurrentHashMap<>();
  /** Insertion-ordered: {@link #serving} answers in config order. */
  private final Map<String, Spill> spills = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  private final List<Long> timers = new ArrayList<>();

  private EnginePoller(Vertx vertx) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(2));
  }

  /** Starts polling; the first poll of each engine goes out at once. */
  public static EnginePoller start(Vertx vertx, List<Engine> engines) {
    EnginePoller poller = new EnginePoller(vertx);
    for (Engine engine : engines) {
      poller.spills.put(engine.provider(), engine.spill());
      poller.poll(engine);
      poller.timers.add(vertx.setPeriodic(engine.pollMs(), t -> poller.poll(engine)));
    }
    return poller;
  }

  /** The root URL a base URL such as {@code http://gpu-1:8000/v1} names. */
  public static URI root(String baseUrl) {
    String url = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return URI.create(url.endsWith("/v1") ? url.substring(0, url.length() - 3) : url);
  }

  /** The engine's latest load, or null before its first poll answered (or for a provider not polled). */
  public @Nullable EngineLoad load(String provider) {
    return latest.get(provider);
  }

  @Override
  public boolean engine(String provider) {
    return spills.containsKey(provider);
  }

  @Override
  public boolean serves(String provider, String model) {
    EngineLoad load = latest.get(provider);
    return load == null || load.models().isEmpty() || load.models().contains(model);
  }

  @Override
  public List<String> serving(String model) {
    List<String> providers = new ArrayList<>();
    synchronized (spills) {
      for (String provider : spills.keySet()) {
        EngineLoad load = latest.get(provider);
        if (load != null && load.models().contains(model)) {
          providers.add(provider);
        }
      }
    }
    return providers;
  }

  @Override
  public Room room(String provider) {
    EngineLoad load = latest.get(provider);
    if (load == null) {
      return Room.UNKNOWN;
    }
    if (!load.healthy()) {
      return Room.DOWN;
    }
    return spills.getOrDefault(provider, Spill.NEVER).full(load) ? Room.FULL : Room.FREE;
  }

  /** The result of one poll, for a caller that must know it landed (tests, start-up). */
  Future<EngineLoad> poll(Engine engine) {
    long at = System.nanoTime();
    long timeout = Math.min(engine.pollMs(), MAX_POLL_MS);
    Map<String, EngineKind.Answer> answers = new HashMap<>();
    List<Future<Void>> gets = new ArrayList<>();
    for (String path : engine.kind().loadPaths()) {
      gets.add(get(engine, path, timeout).map(a -> {
        synchronized (answers) {
          answers.put(path, a);
        }
        return null;
      }));
    }
    Future<EngineKind.@Nullable Answer> models = get(engine, engine.kind().modelsPath(), timeout);
    return Future.join(gets).transform(x -> models).transform(m -> {
      EngineLoad load = engine.kind().read(answers, at);
      if (m.succeeded() && load.healthy()) {
        load = load.withModels(engine.kind().models(m.result()));
      }
      latest.put(engine.provider(), load);
      return Future.succeededFuture(load);
    });
  }

  /** An answer, or null (as a succeeded future) when the request failed: a failure is a fact here. */
  private Future<EngineKind.@Nullable Answer> get(Engine engine, String path, long timeoutMs) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setAbsoluteURI(engine.root().resolve(path).toString()).setTimeout(timeoutMs).setConnectTimeout(timeoutMs);
    return http.request(options)
        .compose(req -> req.send().compose(res -> res.body().map(b -> new EngineKind.Answer(res.statusCode(), b.toString()))))
        .otherwise((EngineKind.Answer) null);
  }

  @Override
  public void close() {
    timers.forEach(vertx::cancelTimer);
    http.close();
  }
}
