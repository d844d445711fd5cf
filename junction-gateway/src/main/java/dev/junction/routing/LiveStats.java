package dev.junction.routing;

import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * What each deployment has done lately, measured on real traffic: exponentially weighted averages of
 * time to first token, output tokens per second and error rate, a peak-sensitive latency for load
 * balancing, and the attempts in flight. Routing ranks by these; the relay feeds them through a
 * {@link Probe} per attempt.
 *
 * <p>A measurement older than {@link #STALE_NANOS} no longer counts: the deployment reads as unmeasured
 * again, so it gets explored and a provider that recovered is noticed.
 */
public final class LiveStats {

  /** Weight of a new sample in the averages: a handful of requests move them. */
  static final double ALPHA = 0.3;
  static final long STALE_NANOS = 60_000_000_000L;
  /** Decay time of the peak latency: a spike is forgotten within seconds once answers are fast again. */
  private static final double PEAK_DECAY_NANOS = 10_000_000_000d;
  /** Time constant of the error rate's fading without traffic: a set-aside deployment returns in ~7 s. */
  static final double ERROR_FADE_NANOS = 10_000_000_000d;
  /** Below these a streaming rate says nothing (a whole answer arrived at once). */
  private static final long MIN_RATE_NANOS = 5_000_000;
  private static final long MIN_RATE_TOKENS = 2;

  private final ConcurrentMap<Deployment, Window> windows = new ConcurrentHashMap<>();
  /** Other replicas' recent snapshots, replaced whole by {@link FleetStats}; empty on a lone replica. */
  private volatile Map<Deployment, List<Snapshot>> fleet = Map.of();

  /**
   * Deployments tracked at most. {@code model:provider} names deployments on the fly, so clients could
   * otherwise grow the map without end; past the bound new ones are measured but not remembered.
   */
  static final int MAX_TRACKED = 10_000;

  /**
   * Throughput per provider, for those priced by the hour. Keyed by configured provider names only
   * ({@code model:provider} must name one), so clients cannot grow it.
   */
  private final ConcurrentMap<String, BusyRate> busy = new ConcurrentHashMap<>();

  /**
   * Output tokens per busy second assumed for an engine priced by the hour before it has served
   * enough to measure: one stream of a mid-sized model on one GPU.
   */
  static final double ASSUMED_TOKENS_PER_SECOND = 50;

  /** One attempt begins against this deployment. */
  public Probe start(Deployment deployment) {
    Window window = windows.get(deployment);
    if (window == null) {
      window = windows.size() < MAX_TRACKED ? windows.computeIfAbsent(deployment, d -> new Window()) : new Window();
    }
    window.started();
    long now = System.nanoTime();
    BusyRate rate = deployment.provider().gpuHourUsd() > 0
        ? busy.computeIfAbsent(deployment.provider().name(), p -> new BusyRate()) : null;
    if (rate != null) {
      rate.started(now);
    }
    return new Probe(window, rate, now);
  }

  /**
   * What the deployment's tokens cost now. Token prices as configured; for an engine priced by its
   * hardware's hour ({@code gpu_hour_usd}), the hour spread over the output tokens it produces per busy
   * second at the concurrency it runs: {@code gpu_hour_usd / 3600 / tokens per busy second} for each
   * output token, prompt tokens free (their prefill time is in the busy seconds).
   */
  public Pricing pricing(Deployment deployment) {
    double hour = deployment.provider().gpuHourUsd();
    if (hour <= 0) {
      return deployment.pricing();
    }
    BusyRate rate = busy.get(deployment.provider().name());
    double perSecond = rate == null ? Double.NaN : rate.tokensPerSecond(System.nanoTime());
    if (Double.isNaN(perSecond)) {
      perSecond = ASSUMED_TOKENS_PER_SECOND;
    }
    return Pricing.usdPerMillion(0, hour / 3600 / perSecond * 1e6, 0, 0);
  }

  /** Output tokens per busy second of a provider priced by the hour; NaN before it has been measured. */
  public double busyOutputRate(String provider) {
    BusyRate rate = busy.get(provider);
    return rate == null ? Double.NaN : rate.tokensPerSecond(System.nanoTime());
  }

  /** The current view of one deployment: this replica's measurements, merged with the fleet's. */
  public Snapshot snapshot(Deployment deployment) {
    Snapshot own = local(deployment);
    List<Snapshot> others = fleet.get(deployment);
    return others == null ? own : Snapshot.merge(own, others);
  }

  /** This replica's own view of one deployment. */
  Snapshot local(Deployment deployment) {
    return local(deployment, System.nanoTime());
  }

  /** This replica's view as it will be at {@code nanoTime}, for tests of how it ages. */
  Snapshot local(Deployment deployment, long nanoTime) {
    Window window = windows.get(deployment);
    return window == null ? Snapshot.UNMEASURED : window.snapshot(nanoTime);
  }

  /**
   * The latencies, in milliseconds and sorted, of the deployment's last successful attempts (up to
   * {@link Window#SAMPLES}) that ended within {@code withinNanos}: this replica's own, for the
   * dashboard's percentiles, kept as attempts end rather than read back from the ledger.
   */
  public long[] recentLatenciesMs(Deployment deployment, long withinNanos) {
    Window window = windows.get(deployment);
    return window == null ? new long[0] : window.latencies(System.nanoTime(), withinNanos);
  }

  /** The deployments this replica has measured. */
  Set<Deployment> tracked() {
    return windows.keySet();
  }

  void fleet(Map<Deployment, List<Snapshot>> others) {
    fleet = others;
  }

  /**
   * @param ttftMs average time to first token, NaN when unmeasured or stale
   * @param tokensPerSecond average output rate once streaming, NaN when unmeasured or stale
   * @param errorRate share of recent attempts that failed, 0..1
   * @param inFlight attempts under way now
   * @param peakLatencyMs a latency average that jumps up at once and decays slowly: the load signal
   */
  public record Snapshot(double ttftMs, double tokensPerSecond, double errorRate, int inFlight, double peakLatencyMs) {
    static final Snapshot UNMEASURED = new Snapshot(Double.NaN, Double.NaN, 0, 0, 0);

    public boolean measured() {
      return !Double.isNaN(ttftMs);
    }

    /** Whether recent attempts say anything at all: some answered, or some failed. */
    boolean informed() {
      return measured() || errorRate > 0;
    }

    /** A health signal: most recent attempts failed. */
    public boolean unhealthy() {
      return errorRate > 0.5;
    }

    /** What the balancer compares: latency scaled by the work already waiting there. */
    double load() {
      return (peakLatencyMs + 1) * (inFlight + 1);
    }

    /**
     * Several replicas' views as one: averages over those that measured, in-flight work summed (it
     * all lands on the same provider), the worst peak.
     */
    static Snapshot merge(Snapshot own, List<Snapshot> others) {
      double ttft = 0;
      double rate = 0;
      double errors = 0;
      int measured = 0;
      int informed = 0;
      int rated = 0;
      int inFlight = own.inFlight;
      double peak = own.peakLatencyMs;
      for (int i = -1; i < others.size(); i++) {
        Snapshot s = i < 0 ? own : others.get(i);
        if (i >= 0) {
          inFlight += s.inFlight;
          peak = Math.max(peak, s.peakLatencyMs);
        }
        if (s.measured()) {
          ttft += s.ttftMs;
          measured++;
        }
        if (s.informed()) {
          errors += s.errorRate;
          informed++;
        }
        if (!Double.isNaN(s.tokensPerSecond)) {
          rate += s.tokensPerSecond;
          rated++;
        }
      }
      return new Snapshot(measured == 0 ? Double.NaN : ttft / measured, rated == 0 ? Double.NaN : rate / rated,
          informed == 0 ? 0 : errors / informed, inFlight, peak);
    }
  }

  /**
   * One attempt's observations. Each attempt ends once: {@link #finished}, {@link #failed} or
   * {@link #released}; later calls do nothing.
   */
  public static final class Probe {
    private final Window window;
    private final @Nullable BusyRate busy;
    private final long startNanos;
    private long firstTokenNanos = -1;
    private boolean ended;

    Probe(Window window, @Nullable BusyRate busy, long startNanos) {
      this.window = window;
      this.busy = busy;
      this.startNanos = startNanos;
    }

    private void over(long now, long outputTokens) {
      if (busy != null) {
        busy.ended(now, outputTokens);
      }
    }

    /** The first token (or, not streaming, the whole answer's headers) arrived. */
    public void firstToken() {
      if (firstTokenNanos < 0 && !ended) {
        firstTokenNanos = System.nanoTime();
      }
    }

    /** The answer completed with this many output tokens. */
    public void finished(long outputTokens) {
      if (ended) return;
      ended = true;
      long now = System.nanoTime();
      long first = firstTokenNanos < 0 ? now : firstTokenNanos;
      window.succeeded(now, first - startNanos, now - first, outputTokens);
      over(now, outputTokens);
    }

    /** The provider failed this attempt (error status, timeout, broken stream). */
    public void failed() {
      if (ended) return;
      ended = true;
      long now = System.nanoTime();
      window.failed(now, now - startNanos);
      over(now, 0);
    }

    /** The attempt ended for reasons that say nothing about the provider (the client left, or erred). */
    public void released() {
      if (ended) return;
      ended = true;
      window.released();
      over(System.nanoTime(), 0);
    }
  }

  /** One deployment's averages; guarded by its own lock, held only for a few arithmetic operations. */
  private static final class Window {
    /** Latency samples kept per deployment: a power of two, so the ring's index is a mask. */
    static final int SAMPLES = 256;
    private final long[] latencyMs = new long[SAMPLES];
    private final long[] sampledAt = new long[SAMPLES];
    private long samples;
    private double ttftMs = Double.NaN;
    private double tokensPerSecond = Double.NaN;
    private double errorRate;
    private double peakMs;
    private long peakAt;
    private long lastSample;
    private long lastRate;
    private int inFlight;

    synchronized void started() {
      inFlight++;
    }

    synchronized void released() {
      inFlight--;
    }

    synchronized void succeeded(long now, long ttftNanos, long streamNanos, long tokens) {
      inFlight--;
      double ttft = ttftNanos / 1e6;
      ttftMs = fresh(now) ? ewma(ttftMs, ttft) : ttft;
      if (streamNanos >= MIN_RATE_NANOS && tokens >= MIN_RATE_TOKENS) {
        double rate = (tokens - 1) / (streamNanos / 1e9);
        tokensPerSecond = now - lastRate < STALE_NANOS ? ewma(tokensPerSecond, rate) : rate;
        lastRate = now;
      }
      errorRate = fresh(now) ? (1 - ALPHA) * errorsAt(now) : 0;
      peak(now, (ttftNanos + streamNanos) / 1e6);
      lastSample = now;
      int slot = (int) (samples++ & (SAMPLES - 1));
      latencyMs[slot] = (ttftNanos + streamNanos) / 1_000_000;
      sampledAt[slot] = now;
    }

    synchronized long[] latencies(long now, long withinNanos) {
      int kept = (int) Math.min(samples, SAMPLES);
      long[] recent = new long[kept];
      int n = 0;
      for (int i = 0; i < kept; i++) {
        if (now - sampledAt[i] <= withinNanos) {
          recent[n++] = latencyMs[i];
        }
      }
      long[] sorted = java.util.Arrays.copyOf(recent, n);
      java.util.Arrays.sort(sorted);
      return sorted;
    }

    synchronized void failed(long now, long elapsedNanos) {
      inFlight--;
      errorRate = fresh(now) ? ALPHA + (1 - ALPHA) * errorsAt(now) : 1;
      // A failure costs its caller at least the time it took; a fast failure still counts as slow.
      peak(now, Math.max(elapsedNanos / 1e6, peakMs * 2));
      lastSample = now;
    }

    /**
     * The error rate fades while a deployment gets no traffic: one that failed twice and was set aside
     * would otherwise never be tried again until its statistics went stale, however brief its trouble.
     */
    private double errorsAt(long now) {
      return errorRate * Math.exp(-(now - lastSample) / ERROR_FADE_NANOS);
    }

    private boolean fresh(long now) {
      return lastSample != 0 && now - lastSample < STALE_NANOS;
    }

    private void peak(long now, double sampleMs) {
      double decay = Math.exp(-(now - peakAt) / PEAK_DECAY_NANOS);
      peakMs = sampleMs > peakMs ? sampleMs : peakMs * decay + sampleMs * (1 - decay);
      peakAt = now;
    }

    private static double ewma(double average, double sample) {
      return Double.isNaN(average) ? sample : ALPHA * sample + (1 - ALPHA) * average;
    }

    synchronized Snapshot snapshot(long now) {
      boolean fresh = fresh(now);
      return new Snapshot(
          fresh ? ttftMs : Double.NaN,
          fresh && now - lastRate < STALE_NANOS ? tokensPerSecond : Double.NaN,
          fresh ? errorsAt(now) : 0,
          inFlight,
          fresh ? peakMs : 0);
    }
  }
}
