package dev.junction.bench;

import dev.junction.config.ConfigLoader;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import dev.junction.server.Gateway;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What the failover benchmark runs against, all on 127.0.0.1: a healthy simulator, a simulator that
 * plays whatever fault a model id asks for (behind a short time-to-first-token timeout), a provider
 * whose port refuses connections, and one simulator per fault mix failing a share of its requests;
 * in front of them a real gateway with its SQLite ledger and metrics.
 */
final class FailoverRig implements AutoCloseable {

  static final String HEALTHY_MODEL = "bench/healthy";
  static final String HEALTHY = "healthy";
  static final String FAULTY = "faulty";
  static final String DEAD = "dead";

  /** The faults a share of a mix provider's requests get, by the name used in model ids. */
  static final Map<String, String> MIXES = mixes();

  private final Vertx vertx = Vertx.vertx();
  private final List<Simulator> simulators = new ArrayList<>();
  private final Map<String, Simulator> mixSimulators = new LinkedHashMap<>();
  final Gateway gateway;

  FailoverRig(Path dir, long firstTokenMs, double faultRate) {
    Simulator healthy = start(SimulatorOptions.defaults().withName(HEALTHY));
    Simulator faulty = start(SimulatorOptions.defaults().withName(FAULTY));
    StringBuilder providers = new StringBuilder();
    StringBuilder models = new StringBuilder();
    int seed = 1;
    for (var mix : MIXES.entrySet()) {
      Simulator sim = start(SimulatorOptions.defaults().withName("mix-" + mix.getKey())
          .withDefaultFault(mix.getValue(), faultRate).withSeed(seed++));
      mixSimulators.put(mix.getKey(), sim);
      providers.append("""
            - { name: %s, kind: openai, base_url: "%s" }
          """.formatted(mixProvider(mix.getKey()), sim.baseUrl()));
      // A deployment per stream mode, so that what one run taught the router does not carry into the next.
      for (boolean stream : new boolean[] {false, true}) {
        models.append("""
              - id: %s
                providers:
                  - { provider: mix-%s, model: %s, input_price: 0.5, output_price: 1.5 }
                  - { provider: healthy, model: sim-chat, input_price: 0.5, output_price: 1.5 }
            """.formatted(mixModel(mix.getKey(), stream), mix.getKey(), stream ? "sim-chat-stream" : "sim-chat-plain"));
      }
    }
    // Listed order, so that the failing provider of a mix is always tried first: under `fastest`
    // live statistics would soon rank it last and hardly any request would need a failover.
    String yaml = """
        server: { host: 127.0.0.1, port: 0, default_policy: preferred }
        database: { url: "jdbc:sqlite:%s" }
        catalog: { bundled: false }
        providers:
          - { name: healthy, kind: openai, base_url: "%s" }
          - { name: faulty, kind: openai, base_url: "%s", timeouts: { first_token_ms: %d } }
          - { name: dead, kind: openai, base_url: "http://127.0.0.1:%d/v1" }
        %smodels:
          - id: %s
            providers:
              - { provider: healthy, model: sim-chat, input_price: 0.5, output_price: 1.5 }
        %s""".formatted(dir.resolve("ledger.db"), healthy.baseUrl(), faulty.baseUrl(), firstTokenMs, closedPort(),
        providers, HEALTHY_MODEL, models);
    try {
      Path file = dir.resolve("junction.yaml");
      Files.writeString(file, yaml);
      gateway = Gateway.start(ConfigLoader.load(file, Map.of()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String mixProvider(String mix) {
    return "mix-" + mix;
  }

  static String mixModel(String mix, boolean stream) {
    return "mix/" + mix + (stream ? "/stream" : "/plain");
  }

  Simulator mixSimulator(String mix) {
    return Objects.requireNonNull(mixSimulators.get(mix), mix);
  }

  Vertx vertx() {
    return vertx;
  }

  /**
   * The records of the models {@code model} accepts among the newest {@code expected * 2}, once the ledger has written at
   * least {@code expected} of them (or after ten seconds, with what it has).
   */
  List<LedgerRecord> records(Predicate<String> model, long expected) {
    Ledger ledger = gateway.ledger();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      ledger.flush();
      List<LedgerRecord> found = ledger.recent((int) Math.max(100, expected * 2)).stream()
          .filter(r -> model.test(r.model())).toList();
      if ((found.size() >= expected && ledger.stats().queued() == 0) || System.nanoTime() > deadline) {
        return found;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return found;
      }
    }
  }

  private Simulator start(SimulatorOptions options) {
    Simulator simulator = Simulator.start(vertx, options);
    simulators.add(simulator);
    return simulator;
  }

  /** A port nothing listens on: bound then released, so the kernel refuses connections to it. */
  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> mixes() {
    Map<String, String> mixes = new LinkedHashMap<>();
    mixes.put("status500", "status=500");
    mixes.put("reset", "reset");
    mixes.put("cut3", "cut=3");
    return mixes;
  }

  @Override
  public void close() {
    gateway.close();
    simulators.forEach(Simulator::close);
    vertx.close().await();
  }
}
