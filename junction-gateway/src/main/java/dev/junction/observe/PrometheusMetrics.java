package dev.junction.observe;

import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Meters in a Prometheus registry. Each (endpoint, provider, model) gets its meters built once and
 * cached, so a request costs two map lookups and a few atomic updates, not a meter registration.
 *
 * <p>The model label of a catalog deployment is its provider model id. A client can name any other
 * model (a pass-through model), and every name would otherwise become series of its own: a series
 * renders about 320 lines (three histograms), 40 to 80 KB of every scrape. So client-chosen names get
 * at most {@link #MAX_SERIES} series, and later ones, like any longer than {@link Bounded#LABEL},
 * share the label {@code other}.
 */
final class PrometheusMetrics implements GatewayMetrics {

  /** Series for models outside the catalog, at most: 8 with the longest labels render ~630 KB. */
  static final int MAX_SERIES = 8;
  static final String NONE = "none";
  static final String OTHER = "other";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Series>>[] byEndpoint;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Counter[] unauthenticated = new Counter[Endpoint.values().length];
  private final Map<String, Set<String>> served;
  private final AtomicInteger passThrough = new AtomicInteger();
  private final Map<String, Counter> limited = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  PrometheusMetrics(Map<String, Set<String>> served) {
    this.served = served.entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
    byEndpoint = new ConcurrentHashMap[Endpoint.values().length];
    for (int i = 0; i < byEndpoint.length; i++) {
      byEndpoint[i] = new ConcurrentHashMap<>();
    }
    // GC pauses and heap belong next to the overhead: a pause is overhead the request timers cannot see.
    for (Endpoint endpoint : Endpoint.values()) {
      unauthenticated[endpoint.ordinal()] = Counter.builder("junction.unauthenticated.requests")
          .description("Requests refused with 401: counted here, never recorded in the ledger")
          .tag("endpoint", endpoint.ledgerName())
          .register(registry);
    }
    gc.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  @Override
  public void record(Endpoint endpoint, @Nullable String provider, @Nullable String model, int status, RequestClock clock) {
    count(endpoint, provider, model, status, clock);
  }

  private Series count(Endpoint endpoint, @Nullable String provider, @Nullable String model, int status,
      RequestClock clock) {
    clock.stop();
    Series series = series(endpoint, provider == null ? NONE : provider, model == null ? NONE : model);
    series.requests(status).increment();
    series.total.record(clock.totalNanos(), TimeUnit.NANOSECONDS);
    series.overhead.record(clock.overheadNanos(), TimeUnit.NANOSECONDS);
    if (provider != null) {
      series.upstream.record(clock.upstreamNanos(), TimeUnit.NANOSECONDS);
    }
    return series;
  }

  @Override
  public void record(Endpoint endpoint, LedgerRecord record, RequestClock clock) {
    Series series = count(endpoint, record.provider(), record.providerModel(), record.httpStatus(), clock);
    long cached = record.cachedTokens();
    long written = record.cacheWriteTokens();
    series.add(Series.INPUT, record.inputTokens() - cached - written);
    series.add(Series.CACHE_READ, cached);
    series.add(Series.CACHE_WRITE, written);
    series.add(Series.OUTPUT, record.outputTokens());
    if (record.costNanos() > 0) {
      series.cost.increment(record.costNanos() / 1e9);
    }
    long firstByte = clock.firstByteNanos();
    if (record.stream() && firstByte >= 0 && record.status() != LedgerRecord.Status.ERROR) {
      series.firstToken().record(firstByte, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void failedOver(Endpoint endpoint, String provider, String model) {
    series(endpoint, provider, model).failovers().increment();
  }

  @Override
  public void watchDeployment(String provider, String model, BooleanSupplier open, LongSupplier coolingMs) {
    String label = Bounded.text(model, Bounded.LABEL);
    Gauge.builder("junction.breaker.open", open, o -> o.getAsBoolean() ? 1 : 0)
        .description("1 while the deployment's circuit breaker is open: it is tried only when nothing else is ready")
        .tags("provider", provider, "model", label).strongReference(true).register(registry);
    Gauge.builder("junction.cooldown.remaining", coolingMs, c -> c.getAsLong() / 1000.0)
        .description("What is left of the deployment's cooldown after a 429, during which it is set aside")
        .baseUnit("seconds").tags("provider", provider, "model", label).strongReference(true).register(registry);
  }

  @Override
  public void limited(String reason, String scope) {
    // Both labels come from enums: a handful of series at most.
    limited.computeIfAbsent(reason + '/' + scope, k -> Counter.builder("junction.limits.refused")
        .description("Requests refused by a key's or team's rate limit or budget (each also has its ledger record)")
        .tags("reason", reason, "scope", scope)
        .register(registry)).increment();
  }

  @Override
  public void watchLimits(BooleanSupplier available) {
    Gauge.builder("junction.limits.store.up", available, a -> a.getAsBoolean() ? 1 : 0)
        .description("1 while rate limits and budgets can be counted, 0 while Redis does not answer")
        // Held by nothing else: a gauge's weak reference would lose it at the next collection.
        .strongReference(true)
        .register(registry);
  }

  @Override
  public void watchEngine(String provider, java.util.List<java.util.function.Supplier<double[]>> replicas,
      java.util.function.DoubleSupplier outputTokensPerBusySecond) {
    for (int i = 0; i < replicas.size(); i++) {
      String replica = Integer.toString(i);
      java.util.function.Supplier<double[]> load = replicas.get(i);
      engineGauge("junction.engine.up", "1 while the engine answers its health and load endpoints", provider, replica,
          load, 0);
      engineGauge("junction.engine.requests.waiting", "requests the engine reports queued", provider, replica, load, 1);
      engineGauge("junction.engine.requests.running", "requests the engine reports running", provider, replica, load, 2);
      engineGauge("junction.engine.kv.cache.usage.ratio", "share of the engine's KV cache in use, 0..1", provider,
          replica, load, 3);
    }
    Gauge.builder("junction.engine.output.tokens.per.busy.second", outputTokensPerBusySecond,
            DoubleSupplier::getAsDouble)
        .description("output tokens the engine produced per second it was busy, as its hourly price is spread over")
        .tag("provider", provider).strongReference(true).register(registry);
  }

  private void engineGauge(String name, String description, String provider, String replica,
      java.util.function.Supplier<double[]> load, int index) {
    Gauge.builder(name, load, l -> l.get()[index]).description(description).tag("provider", provider)
        .tag("replica", replica).strongReference(true).register(registry);
  }

  @Override
  public void unauthenticated(Endpoint endpoint) {
    unauthenticated[endpoint.ordinal()].increment();
  }

  /** Keyed by provider, then model: both strings already exist, so no key is built per request. */
  private Series series(Endpoint endpoint, String provider, String model) {
    ConcurrentHashMap<String, Series> models = byEndpoint[endpoint.ordinal()].get(provider);
    Series found = models == null ? null : models.get(model);
    return found != null ? found : register(endpoint, provider, model);
  }

  private Series register(Endpoint endpoint, String provider, String model) {
    ConcurrentHashMap<String, Series> models =
        byEndpoint[endpoint.ordinal()].computeIfAbsent(provider, p -> new ConcurrentHashMap<>());
    if (!listed(provider, model) && !claimPassThrough(model)) {
      // Not cached under its own name, so an endless stream of names cannot grow memory.
      return models.computeIfAbsent(OTHER, m -> new Series(endpoint.ledgerName(), provider, OTHER));
    }
    return models.computeIfAbsent(model, m -> new Series(endpoint.ledgerName(), provider, m));
  }

  private boolean listed(String provider, String model) {
    return model.equals(NONE) || served.getOrDefault(provider, Set.of()).contains(model);
  }

  /**
   * Takes one of the series kept for client-chosen names; racing claims may waste one, never add one.
   * Once they are taken, a name costs a read: no write to a counter every request shares.
   */
  private boolean claimPassThrough(String model) {
    return model.length() <= Bounded.LABEL && passThrough.get() < MAX_SERIES
        && passThrough.getAndIncrement() < MAX_SERIES;
  }

  @Override
  public void watch(Ledger ledger) {
    Gauge.builder("junction.ledger.queued", ledger, l -> l.stats().queued())
        .description("Usage records in memory, neither committed nor spilled yet").baseUnit("records").register(registry);
    FunctionCounter.builder("junction.ledger.spilled", ledger, l -> l.stats().spilled())
        .description("Usage records written to the spill directory while the database could not take them")
        .baseUnit("records").register(registry);
    Gauge.builder("junction.ledger.spill.backlog", ledger, l -> l.stats().spillBacklogBytes())
        .description("Spilled usage records waiting to be replayed into the database").baseUnit("bytes")
        .register(registry);
    FunctionTimer.builder("junction.ledger.commit", ledger, l -> l.stats().commits(), l -> l.stats().commitNanos(),
            TimeUnit.NANOSECONDS)
        .description("Batches of usage records committed to the database, and the time the commits took").register(registry);
    Gauge.builder("junction.ledger.database.up", ledger, l -> l.healthy() ? 1 : 0)
        .description("1 while the ledger's database takes writes, 0 while records are spilled").register(registry);
  }

  @Override
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  /** The meters of one (endpoint, provider, model). */
  private final class Series {
    final String endpoint;
    final String provider;
    final String model;
    final Timer total;
    final Timer upstream;
    final Timer overhead;
    final Counter cost;
    /** Tokens by class, indexed by {@link #INPUT} and the others; the classes add up to the whole. */
    private final Counter[] tokens = new Counter[4];
    private final Counter[] byStatus = new Counter[600];
    /** Made on first use: most series see no stream or no failover, and each would add lines to every scrape. */
    private volatile @Nullable Timer firstToken;
    private volatile @Nullable Counter failovers;

    static final int INPUT = 0;
    static final int CACHE_READ = 1;
    static final int CACHE_WRITE = 2;
    static final int OUTPUT = 3;
    private static final String[] TOKEN_CLASSES = {"input", "cache_read", "cache_write", "output"};

    Series(String endpoint, String provider, String model) {
      this.endpoint = endpoint;
      this.provider = provider;
      this.model = model;
      total = timer("junction.request.duration", "Time from acceptance to the last byte", Duration.ofMillis(1));
      upstream = timer("junction.upstream.duration", "Time waiting on providers", Duration.ofMillis(1));
      overhead = timer("junction.overhead", "Time the gateway added: total minus upstream", Duration.ofNanos(1_000));
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = Counter.builder("junction.tokens")
            .description("Tokens as providers reported them: input not from the prompt cache, cache reads, cache writes, output")
            .tags("endpoint", endpoint, "provider", provider, "model", model, "class", TOKEN_CLASSES[i])
            .register(registry);
      }
      cost = Counter.builder("junction.cost").baseUnit("usd")
          .description("What requests cost at the catalog's prices, as the ledger records it")
          .tags("endpoint", endpoint, "provider", provider, "model", model)
          .register(registry);
    }

    void add(int tokenClass, long count) {
      if (count > 0) {
        tokens[tokenClass].increment(count);
      }
    }

    Timer firstToken() {
      Timer timer = firstToken;
      if (timer == null) {
        // Racing first streams get the same timer: the registry returns the one already registered.
        timer = timer("junction.time.to.first.token", "Time from acceptance to a stream's first byte to the client",
            Duration.ofMillis(1));
        firstToken = timer;
      }
      return timer;
    }

    Counter failovers() {
      Counter counter = failovers;
      if (counter == null) {
        counter = Counter.builder("junction.failovers")
            .description("Attempts on this deployment that failed, after which the request went on to another attempt")
            .tags("endpoint", endpoint, "provider", provider, "model", model)
            .register(registry);
        failovers = counter;
      }
      return counter;
    }

    private Timer timer(String name, String help, Duration min) {
      return Timer.builder(name)
          .description(help)
          .tags("endpoint", endpoint, "provider", provider, "model", model)
          .publishPercentileHistogram()
          // Prometheus buckets are cumulative: the rotating windows kept for client-side percentiles
          // would only triple the work of every record.
          .distributionStatisticBufferLength(1)
          .minimumExpectedValue(min)
          .maximumExpectedValue(Duration.ofMinutes(10))
          .register(registry);
    }

    Counter requests(int status) {
      int index = status >= 0 && status < byStatus.length ? status : 0;
      Counter counter = byStatus[index];
      if (counter == null) {
        counter = Counter.builder("junction.requests")
            .description("Requests by how they ended")
            .tags("endpoint", endpoint, "provider", provider, "model", model, "status", Integer.toString(status))
            .register(registry);
        byStatus[index] = counter;
      }
      return counter;
    }
  }
}
