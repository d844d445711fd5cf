package dev.junction.simulator;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Simulator} behaves. Immutable; start from {@link #defaults()} and change what matters.
 *
 * @param name reported as {@code owned_by} and in simulated error messages
 * @param port 0 picks a free port
 * @param ttftMs time to the first token (or to the whole answer when not streaming)
 * @param tokensPerSecond streaming pace after the first token; 0 sends every token at once
 * @param jitterMs a random extra delay, up to this, added to the time to first token
 * @param models the ids {@code /v1/models} lists; any id is served
 * @param defaultFault a fault applied to a share of all requests (same grammar as {@code x-sim-fault}), or null
 * @param faultRate the share of requests {@code defaultFault} applies to, 0..1
 * @param seed for jitter and fault sampling
 * @param apiKey a bearer key every call must carry (or several, separated by commas: any of them), or null for none
 * @param cacheMinTokens prompts shorter than this are never cached, like providers' own prompt caches
 * @param cacheBlockTokens cached prefixes are whole multiples of this
 */
public record SimulatorOptions(
    String name,
    String host,
    int port,
    long ttftMs,
    double tokensPerSecond,
    long jitterMs,
    List<String> models,
    @Nullable String defaultFault,
    double faultRate,
    long seed,
    @Nullable String apiKey,
    int cacheMinTokens,
    int cacheBlockTokens) {

  public SimulatorOptions {
    models = List.copyOf(models);
    if (defaultFault != null) {
      Fault.parse(defaultFault); // refuse a bad spec at start-up, not on the first request
    }
    if (faultRate < 0 || faultRate > 1) {
      throw new IllegalArgumentException("fault rate must be between 0 and 1, got " + faultRate);
    }
    if (cacheBlockTokens < 1 || cacheMinTokens < 0) {
      throw new IllegalArgumentException("prompt cache sizes must be positive");
    }
  }

  /** Instant answers on a free port of 127.0.0.1, no faults, OpenAI-like prompt caching. */
  public static SimulatorOptions defaults() {
    return new SimulatorOptions("sim", "127.0.0.1", 0, 0, 0, 0, List.of("sim-chat", "sim-embed"), null, 1.0,
        42, null, 1024, 128);
  }

  public SimulatorOptions withName(String value) {
    return new SimulatorOptions(value, host, port, ttftMs, tokensPerSecond, jitterMs, models, defaultFault,
        faultRate, seed, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withHost(String value) {
    return new SimulatorOptions(name, value, port, ttftMs, tokensPerSecond, jitterMs, models, defaultFault,
        faultRate, seed, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withPort(int value) {
    return new SimulatorOptions(name, host, value, ttftMs, tokensPerSecond, jitterMs, models, defaultFault,
        faultRate, seed, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withLatency(long firstTokenMs, double perSecond) {
    return new SimulatorOptions(name, host, port, firstTokenMs, perSecond, jitterMs, models, defaultFault,
        faultRate, seed, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withJitterMs(long value) {
    return new SimulatorOptions(name, host, port, ttftMs, tokensPerSecond, value, models, defaultFault,
        faultRate, seed, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withModels(List<String> value) {
    return new SimulatorOptions(name, host, port, ttftMs, tokensPerSecond, jitterMs, value, defaultFault,
        faultRate, seed, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withDefaultFault(String spec, double rate) {
    return new SimulatorOptions(name, host, port, ttftMs, tokensPerSecond, jitterMs, models, spec, rate, seed,
        apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withSeed(long value) {
    return new SimulatorOptions(name, host, port, ttftMs, tokensPerSecond, jitterMs, models, defaultFault,
        faultRate, value, apiKey, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withApiKey(String value) {
    return new SimulatorOptions(name, host, port, ttftMs, tokensPerSecond, jitterMs, models, defaultFault,
        faultRate, seed, value, cacheMinTokens, cacheBlockTokens);
  }

  public SimulatorOptions withPromptCache(int minTokens, int blockTokens) {
    return new SimulatorOptions(name, host, port, ttftMs, tokensPerSecond, jitterMs, models, defaultFault,
        faultRate, seed, apiKey, minTokens, blockTokens);
  }

  /** The key is never printed, only whether there is one. */
  @Override
  public String toString() {
    return "SimulatorOptions[name=" + name + ", host=" + host + ", port=" + port + ", ttftMs=" + ttftMs
        + ", tokensPerSecond=" + tokensPerSecond + ", jitterMs=" + jitterMs + ", models=" + models
        + ", defaultFault=" + defaultFault + ", faultRate=" + faultRate + ", seed=" + seed
        + ", apiKey=" + (apiKey == null ? "none" : "<hidden>") + ", cacheMinTokens=" + cacheMinTokens
        + ", cacheBlockTokens=" + cacheBlockTokens + "]";
  }
}
