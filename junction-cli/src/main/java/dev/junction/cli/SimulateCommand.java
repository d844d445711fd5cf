package dev.junction.cli;

import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code junction simulate}: an OpenAI-compatible provider simulator, to test set-ups without tokens. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Run an OpenAI-compatible provider simulator with configurable latency and faults.")
final class SimulateCommand implements Callable<Integer> {

  @Option(names = {"-p", "--port"}, defaultValue = "9000", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--name", defaultValue = "sim", description = "Name reported as owned_by (default ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--ttft-ms", defaultValue = "0", description = "Time to first token, ms (default ${DEFAULT-VALUE}).")
  long ttftMs;

  @Option(names = "--tokens-per-second", defaultValue = "0",
      description = "Streaming pace; 0 sends every token at once (default ${DEFAULT-VALUE}).")
  double tokensPerSecond;

  @Option(names = "--jitter-ms", defaultValue = "0", description = "Random extra latency up to this, ms.")
  long jitterMs;

  @Option(names = "--models", split = ",", defaultValue = "sim-chat,sim-embed",
      description = "Model ids listed by /v1/models (default ${DEFAULT-VALUE}); any id is served.")
  List<String> models;

  @Option(names = "--fault", description = "A fault applied to every request (same grammar as x-sim-fault).")
  @Nullable String fault;

  @Option(names = "--fault-rate", defaultValue = "1.0", description = "Share of requests --fault applies to, 0..1.")
  double faultRate;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for jitter and fault sampling.")
  long seed;

  @Option(names = "--api-key", description = "Require this bearer key on every call.")
  @Nullable String apiKey;

  @Option(names = "--cache-min-tokens", defaultValue = "1024",
      description = "Prompts shorter than this are never cached (default ${DEFAULT-VALUE}).")
  int cacheMinTokens;

  @Option(names = "--cache-block-tokens", defaultValue = "128",
      description = "Cached prefixes are whole multiples of this (default ${DEFAULT-VALUE}).")
  int cacheBlockTokens;

  @Option(names = "--engine", paramLabel = "KIND",
      description = "Also serve the health, load and model-list endpoints of a self-hosted engine: "
          + "vllm, sglang, tgi, llamacpp or ollama.")
  String engine;

  @Option(names = "--slots", defaultValue = "8",
      description = "With --engine: calls in flight beyond this are reported as waiting (default ${DEFAULT-VALUE}).")
  int slots;

  @Override
  public Integer call() throws InterruptedException {
    SimulatorOptions options = SimulatorOptions.defaults().withName(name).withHost(host).withPort(port)
        .withLatency(ttftMs, tokensPerSecond).withJitterMs(jitterMs).withModels(models).withSeed(seed)
        .withPromptCache(cacheMinTokens, cacheBlockTokens);
    if (fault != null) {
      options = options.withDefaultFault(fault, faultRate);
    }
    if (apiKey != null) {
      options = options.withApiKey(apiKey);
    }
    Vertx vertx = Vertx.vertx();
    Simulator simulator = Simulator.start(vertx, options);
    if (engine != null) {
      simulator.actAs(engine, slots);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.close();
      vertx.close().await();
      stopped.countDown();
    }, "simulator-shutdown"));
    System.out.println("Simulator '" + name + "' serving the OpenAI API at " + simulator.baseUrl());
    System.out.println("  faults per request: header x-sim-fault: <spec>, or model \"fault:<spec>\"");
    System.out.println("  stats: GET " + simulator.baseUrl().replace("/v1", "") + "/sim/stats");
    if (engine != null) {
      System.out.println("  as " + engine + " with " + slots + " slots: its health, load and model-list endpoints too");
    }
    System.out.flush();
    stopped.await();
    return 0;
  }
}
