package dev.junction.server;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real gateway in front of one simulator, {@code sim}, with the {@code server:} keys a test asks
 * for and no master key. Models are the simulator's own ({@code fault:drip=300:sim} and the like).
 */
final class SimGateway implements AutoCloseable {

  final Vertx vertx = Vertx.vertx();
  final Simulator simulator;
  final Gateway gateway;
  private final Path file;

  private SimGateway(Path dir, String serverKeys) {
    simulator = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim"));
    file = dir.resolve("junction.yaml");
    try {
      Files.writeString(file, """
          server: { port: 0, %s }
          database: { url: "jdbc:sqlite:%s" }
          ledger: { flush_interval_ms: 20 }
          providers:
            - { name: sim, kind: openai, base_url: "${SIM}" }
          """.formatted(serverKeys, dir.resolve("ledger.db")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    gateway = Gateway.start(config());
  }

  /** @param serverKeys flow-style keys of the {@code server:} section, e.g. {@code "idle_timeout_ms: 500"} */
  static SimGateway start(Path dir, String serverKeys) {
    return new SimGateway(dir, serverKeys);
  }

  private JunctionConfig config() {
    return ConfigLoader.load(file, Map.of("SIM", simulator.baseUrl()));
  }

  String baseUrl() {
    return gateway.baseUrl();
  }

  /** What is on disk once the gateway is closed: a fresh ledger opened on the same file. */
  List<LedgerRecord> recordsOnDisk() {
    JunctionConfig config = config();
    try (Ledger ledger = Ledger.open(config.database(), config.ledger())) {
      return ledger.recent(10_000);
    }
  }

  static String chat(String model, boolean stream, int maxTokens) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}]}";
  }

  @Override
  public void close() {
    gateway.close();
    simulator.close();
    vertx.close().await();
  }
}
