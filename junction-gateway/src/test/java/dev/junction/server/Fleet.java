package dev.junction.server;

import dev.junction.config.ConfigLoader;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.Http;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A gateway in front of simulators started with chosen options (speeds, prompt caches), one provider
 * per simulator, named as the simulator; a simulator can be replaced on its port while the gateway runs.
 */
final class Fleet implements AutoCloseable {

  final Vertx vertx = Vertx.vertx();
  final Map<String, Simulator> simulators = new LinkedHashMap<>();
  final Gateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * @param server the server section's extra keys, e.g. {@code "default_policy: fastest"}
   * @param models the YAML of the models list (items at two spaces)
   */
  Fleet(Path dir, List<SimulatorOptions> options, String server, String models) {
    StringBuilder providers = new StringBuilder();
    for (SimulatorOptions o : options) {
      Simulator sim = Simulator.start(vertx, o);
      simulators.put(o.name(), sim);
      providers.append("  - { name: ").append(o.name()).append(", kind: openai, base_url: \"")
          .append(sim.baseUrl()).append("\" }\n");
    }
    String yaml = "server: { port: 0, " + server + " }\n"
        + "database: { url: \"jdbc:sqlite:" + dir.resolve("ledger.db") + "\" }\n"
        + "ledger: { flush_interval_ms: 20 }\n"
        + "providers:\n" + providers
        + "models:\n" + models;
    try {
      gateway = Gateway.start(ConfigLoader.load(Files.writeString(dir.resolve("junction.yaml"), yaml), Map.of()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Simulator simulator(String name) {
    return simulators.get(name);
  }

  /** Stops a simulator and starts another on the same port: the same provider, behaving differently. */
  void replace(SimulatorOptions options) {
    Simulator old = simulators.get(options.name());
    int port = old.port();
    old.close();
    simulators.put(options.name(), Simulator.start(vertx, options.withPort(port)));
  }

  HttpResponse<String> chat(String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return Http.send(http, request);
  }

  /** Sends the bodies at once, as concurrent clients would; answers in the same order. */
  List<HttpResponse<String>> chatAll(List<String> bodies) {
    List<CompletableFuture<HttpResponse<String>>> pending = bodies.stream()
        .map(body -> http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()))
        .toList();
    return pending.stream().map(CompletableFuture::join).toList();
  }

  List<LedgerRecord> records() {
    gateway.ledger().flush();
    return gateway.ledger().recent(100_000);
  }

  @Override
  public void close() {
    gateway.close();
    simulators.values().forEach(Simulator::close);
    vertx.close().await();
  }
}
