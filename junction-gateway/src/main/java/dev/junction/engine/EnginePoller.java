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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
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
   * One engine to poll: a single server, or a pool of replicas of it.
   *
   * @param provider the provider's name, the key its load is read by
   * @param roots each replica's root URL (a base URL's {@code /v1} taken off), in config order
   * @param spill when a replica has no room for new requests
   */
  public record Engine(String provider, EngineKind kind, List<URI> roots, long pollMs, Spill spill) {

    public Engine {
      roots = List.copyOf(roots);
    }

    public Engine(String provider, EngineKind kind, URI root, long pollMs, Spill spill) {
      this(provider, kind, List.of(root), pollMs, spill);
    }

    public Engine(String provider, EngineKind kind, URI root, long pollMs) {
      this(provider, kind, root, pollMs, Spill.NEVER);
    }

    /** Whether requests pick one of several replicas. */
    public boolean pool() {
      return roots.size() > 1;
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
  /** In config order: {@link #serving} answers in it. Filled before the first poll, read-only after. */
  private final Map<String, Engine> engines = new LinkedHashMap<>();
  /** Each engine's replicas' latest loads, by index; null before a replica's first poll answered. */
  private final Map<String, AtomicReferenceArray<@Nullable EngineLoad>> latest = new HashMap<>();
  /**
   * Requests sent to each replica of a pool since its last poll, which could not see them: counted
   * as waiting, so that a burst between two polls does not all go to the replica that was idle.
   */
  private final Map<String, AtomicIntegerArray> sentSincePoll = new HashMap<>();
  private final Supplier<RandomGenerator> random;
  private final List<Long> timers = new ArrayList<>();

  private EnginePoller(Vertx vertx, List<Engine> engines, Supplier<RandomGenerator> random) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(2));
    this.random = random;
    for (Engine engine : engines) {
      this.engines.put(engine.provider(), engine);
      this.latest.put(engine.provider(), new AtomicReferenceArray<>(engine.roots().size()));
      this.sentSincePoll.put(engine.provider(), new AtomicIntegerArray(engine.roots().size()));
    }
  }

  /** Starts polling; the first poll of each engine goes out at once. */
  public static EnginePoller start(Vertx vertx, List<Engine> engines) {
    return start(vertx, engines, ThreadLocalRandom::current);
  }

  /** The same, breaking ties between equally loaded replicas with the given randomness. */
  static EnginePoller start(Vertx vertx, List<Engine> engines, Supplier<RandomGenerator> random) {
    EnginePoller poller = new EnginePoller(vertx, engines, random);
    for (Engine engine : engines) {
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

  /**
   * The engine's latest load, or null before its first poll answered (or for a provider not polled).
   * A pool's is its replicas' together: up while one is, their queues added, their caches averaged.
   */
  public @Nullable EngineLoad load(String provider) {
    AtomicReferenceArray<@Nullable EngineLoad> loads = latest.get(provider);
    if (loads == null) {
      return null;
    }
    if (loads.length() == 1) {
      return loads.get(0);
    }
    EngineLoad any = null;
    boolean healthy = false;
    double waiting = 0;
    double running = 0;
    double kvCache = 0;
    int caches = 0;
    Set<String> models = new LinkedHashSet<>();
    long at = Long.MIN_VALUE;
    for (int i = 0; i < loads.length(); i++) {
      EngineLoad load = loads.get(i);
      if (load == null) {
        continue;
      }
      any = load;
      at = Math.max(at, load.polledAtNanos());
      if (load.healthy()) {
        healthy = true;
        waiting += load.waiting();
        running += load.running();
        models.addAll(load.models());
        if (!Double.isNaN(load.kvCache())) {
          kvCache += load.kvCache();
          caches++;
        }
      }
    }
    return any == null ? null
        : new EngineLoad(healthy, waiting, running, caches == 0 ? Double.NaN : kvCache / caches, List.copyOf(models), at);
  }

  /** The latest loads of an engine's replicas, for a provider known to be one. */
  private AtomicReferenceArray<@Nullable EngineLoad> loads(String provider) {
    return java.util.Objects.requireNonNull(latest.get(provider), provider);
  }

  /** One replica's latest load, or null before its first poll answered. */
  public @Nullable EngineLoad load(String provider, int replica) {
    AtomicReferenceArray<@Nullable EngineLoad> loads = latest.get(provider);
    return loads == null || replica < 0 || replica >= loads.length() ? null : loads.get(replica);
  }

  @Override
  public boolean engine(String provider) {
    return engines.containsKey(provider);
  }

  @Override
  public boolean serves(String provider, String model) {
    AtomicReferenceArray<@Nullable EngineLoad> loads = latest.get(provider);
    if (loads == null) {
      return true;
    }
    for (int i = 0; i < loads.length(); i++) {
      EngineLoad load = loads.get(i);
      if (load == null || load.models().isEmpty() || load.models().contains(model)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<String> serving(String model) {
    List<String> providers = new ArrayList<>();
    for (String provider : engines.keySet()) {
      AtomicReferenceArray<@Nullable EngineLoad> loads = loads(provider);
      for (int i = 0; i < loads.length(); i++) {
        EngineLoad load = loads.get(i);
        if (load != null && load.models().contains(model)) {
          providers.add(provider);
          break;
        }
      }
    }
    return providers;
  }

  /** A pool has room while one of its replicas has: free if one is, else unknown if one is not polled yet. */
  @Override
  public Room room(String provider) {
    Engine engine = engines.get(provider);
    if (engine == null) {
      return Room.UNKNOWN;
    }
    AtomicReferenceArray<@Nullable EngineLoad> loads = loads(provider);
    boolean unknown = false;
    boolean full = false;
    for (int i = 0; i < loads.length(); i++) {
      switch (room(engine, loads.get(i))) {
        case FREE -> {
          return Room.FREE;
        }
        case UNKNOWN -> unknown = true;
        case FULL -> full = true;
        case DOWN -> { }
      }
    }
    return unknown ? Room.UNKNOWN : full ? Room.FULL : Room.DOWN;
  }

  private static Room room(Engine engine, @Nullable EngineLoad load) {
    if (load == null) {
      return Room.UNKNOWN;
    }
    if (!load.healthy()) {
      return Room.DOWN;
    }
    return engine.spill().full(load) ? Room.FULL : Room.FREE;
  }

  @Override
  public int replicas(String provider) {
    Engine engine = engines.get(provider);
    return engine == null ? 1 : engine.roots().size();
  }

  /**
   * A pool's replica for one request: the one its prompt prefix hashes to, so that requests sharing
   * a prefix keep hitting one prefix cache, unless that one is set aside (down, or past its spill
   * thresholds); else the least loaded with room: fewest waiting, then least KV cache in use, then
   * chance. With none with room, the least loaded of the rest: set aside is not refused.
   */
  @Override
  public int replica(String provider, long affinity, long tried) {
    Engine engine = engines.get(provider);
    if (engine == null || !engine.pool()) {
      return -1;
    }
    AtomicReferenceArray<@Nullable EngineLoad> loads = loads(provider);
    AtomicIntegerArray sent = java.util.Objects.requireNonNull(sentSincePoll.get(provider), provider);
    int n = loads.length();
    long untried = ~tried & (n == 64 ? -1L : (1L << n) - 1);
    if (untried == 0) {
      untried = n == 64 ? -1L : (1L << n) - 1;
    }
    if (affinity != 0) {
      int home = (int) Long.remainderUnsigned(mix(affinity), n);
      if ((untried & 1L << home) != 0 && !room(engine, loads.get(home)).setAside()) {
        sent.incrementAndGet(home);
        return home;
      }
    }
    RandomGenerator chance = random.get();
    int best = -1;
    int ties = 0;
    for (int i = 0; i < n; i++) {
      if ((untried & 1L << i) == 0) {
        continue;
      }
      int order = best < 0 ? -1 : compare(engine, loads.get(i), sent.get(i), loads.get(best), sent.get(best));
      if (order < 0) {
        best = i;
        ties = 1;
      } else if (order == 0 && chance.nextInt(++ties) == 0) {
        best = i;
      }
    }
    sent.incrementAndGet(best);
    return best;
  }

  /** Which of two replicas takes a new request first: room, then queue, then cache in use. */
  private static int compare(Engine engine, @Nullable EngineLoad a, int sentToA, @Nullable EngineLoad b, int sentToB) {
    int byRoom = Boolean.compare(room(engine, a).setAside(), room(engine, b).setAside());
    if (byRoom != 0) {
      return byRoom;
    }
    int byQueue = Double.compare((a == null ? 0 : a.waiting()) + sentToA, (b == null ? 0 : b.waiting()) + sentToB);
    return byQueue != 0 ? byQueue : Double.compare(cache(a), cache(b));
  }

  private static double cache(@Nullable EngineLoad load) {
    return load == null || Double.isNaN(load.kvCache()) ? 0 : load.kvCache();
  }

  /** Spreads a prompt hash's bits, so that the remainder by a small pool size depends on all of them. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The result of one poll of every replica, for a caller that must know it landed (tests, start-up). */
  Future<EngineLoad> poll(Engine engine) {
    List<Future<EngineLoad>> replicas = new ArrayList<>();
    for (int i = 0; i < engine.roots().size(); i++) {
      replicas.add(poll(engine, i));
    }
    return Future.join(replicas).map(x -> java.util.Objects.requireNonNull(load(engine.provider())));
  }

  private Future<EngineLoad> poll(Engine engine, int replica) {
    long at = System.nanoTime();
    long timeout = Math.min(engine.pollMs(), MAX_POLL_MS);
    URI root = engine.roots().get(replica);
    Map<String, EngineKind.Answer> answers = new HashMap<>();
    List<Future<Void>> gets = new ArrayList<>();
    for (String path : engine.kind().loadPaths()) {
      gets.add(get(root, path, timeout).map(a -> {
        synchronized (answers) {
          answers.put(path, a);
        }
        return null;
      }));
    }
    Future<EngineKind.@Nullable Answer> models = get(root, engine.kind().modelsPath(), timeout);
    return Future.join(gets).transform(x -> models).transform(m -> {
      EngineLoad load = engine.kind().read(answers, at);
      if (m.succeeded() && load.healthy()) {
        load = load.withModels(engine.kind().models(m.result()));
      }
      loads(engine.provider()).set(replica, load);
      java.util.Objects.requireNonNull(sentSincePoll.get(engine.provider())).set(replica, 0);
      return Future.succeededFuture(load);
    });
  }

  /** An answer, or null (as a succeeded future) when the request failed: a failure is a fact here. */
  private Future<EngineKind.@Nullable Answer> get(URI root, String path, long timeoutMs) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setAbsoluteURI(root.resolve(path).toString()).setTimeout(timeoutMs).setConnectTimeout(timeoutMs);
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
