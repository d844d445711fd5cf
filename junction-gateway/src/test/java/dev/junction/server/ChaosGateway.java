package dev.junction.server;

import dev.junction.api.Json;
import dev.junction.config.ConfigLoader;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.Http;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A gateway in front of two simulators with short timeouts: {@code flaky} (told which fault to play
 * by the model id of its deployment) and {@code healthy}. Model {@code chaos/N} lists the N-th fault
 * on flaky first and a healthy deployment second; {@code alone/N} is the faulty deployment alone.
 */
final class ChaosGateway implements AutoCloseable {

  static final String FLAKY = "flaky";
  static final String HEALTHY = "healthy";
  static final String PROVIDER_KEY = "sk-chaos-provider-secret-0123456789";
  static final int MAX_TOKENS = 8;
  static final String TIMEOUTS = "{ connect_ms: 500, first_token_ms: 800, idle_ms: 400, total_ms: 4000 }";

  final Vertx vertx = Vertx.vertx();
  final Simulator flaky = Simulator.start(vertx, SimulatorOptions.defaults().withName(FLAKY));
  final Simulator healthy = Simulator.start(vertx, SimulatorOptions.defaults().withName(HEALTHY));
  final Gateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  private ChaosGateway(Path dir, List<String> faults, String serverYaml, String providerYaml) {
    StringBuilder models = new StringBuilder();
    for (int i = 0; i < faults.size(); i++) {
      for (boolean stream : new boolean[] {true, false}) {
        // Every case gets a deployment of its own (the simulator ignores empty items of a fault
        // spec), so one case's breaker or 429 cooldown never changes another case's outcome.
        String backed = faults.get(i) + (stream ? "" : ",");
        String alone = faults.get(i) + (stream ? ",," : ",,,");
        models.append("""
              - id: %s
                providers:
                  - { provider: flaky, model: "fault:%s", input_price: 1.0, output_price: 2.0 }
                  - { provider: healthy, model: sim-chat, input_price: 1.0, output_price: 2.0 }
              - id: %s
                providers:
                  - { provider: flaky, model: "fault:%s", input_price: 1.0, output_price: 2.0 }
            """.formatted(backedModel(i, stream), backed, aloneModel(i, stream), alone));
      }
    }
    String yaml = """
        server: { port: 0, default_policy: preferred%s }
        database: { url: "jdbc:sqlite:%s" }
        ledger: { flush_interval_ms: 20 }
        providers:
          - { name: flaky, kind: openai, base_url: "${SIM_A}", api_key: "${KEY}", timeouts: %s%s }
          - { name: healthy, kind: openai, base_url: "${SIM_B}", api_key: "${KEY}", timeouts: %s%s }
        models:
          - id: chaos/plain
            providers:
              - { provider: healthy, model: sim-chat, input_price: 1.0, output_price: 2.0 }
        %s""".formatted(serverYaml, dir.resolve("chaos.db"), TIMEOUTS, providerYaml, TIMEOUTS, providerYaml, models);
    try {
      Path file = dir.resolve("chaos.yaml");
      Files.writeString(file, yaml);
      gateway = Gateway.start(ConfigLoader.load(file, Map.of(
          "SIM_A", flaky.baseUrl(), "SIM_B", healthy.baseUrl(), "KEY", PROVIDER_KEY)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ChaosGateway start(Path dir, List<String> faults) {
    return new ChaosGateway(dir, faults, "", "");
  }

  /**
   * @param serverYaml extra {@code server} keys, each starting with {@code ", "}
   * @param providerYaml extra keys for both providers, each starting with {@code ", "}
   */
  static ChaosGateway start(Path dir, List<String> faults, String serverYaml, String providerYaml) {
    return new ChaosGateway(dir, faults, serverYaml, providerYaml);
  }

  /** The {@code fault}-th fault on flaky, then a healthy deployment. */
  static String backedModel(int fault, boolean stream) {
    return "chaos/" + fault + (stream ? "/stream" : "/plain");
  }

  /** The {@code fault}-th fault on flaky, alone. */
  static String aloneModel(int fault, boolean stream) {
    return "alone/" + fault + (stream ? "/stream" : "/plain");
  }

  static String body(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + MAX_TOKENS
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell the chaos suite a story.\"}]}";
  }

  /** What a healthy provider answers to this body: the text every complete answer must equal. */
  String healthyText(String body) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(healthy.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    return Json.MAPPER.readTree(response.body()).path("choices").path(0).path("message").path("content").asString();
  }

  HttpResponse<String> post(String body) {
    return post(body, Map.of());
  }

  HttpResponse<String> post(String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request.build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    return Http.send(http, request);
  }

  LedgerRecord record(String requestId) {
    return Records.of(gateway, requestId);
  }

  @Override
  public void close() {
    gateway.close();
    flaky.close();
    healthy.close();
    vertx.close().await();
  }
}
