package dev.junction.server;

import dev.junction.api.Json;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * The config of a gateway in front of two simulators with short timeouts: {@code flaky} (told which
 * fault to play by the model id of its deployment) and {@code healthy}. Model {@code chaos/N} lists the
 * N-th fault on flaky first and a healthy deployment second; {@code alone/N} is the faulty deployment alone.
 */
final class ChaosGateway {

  static final String FLAKY = "flaky";
  static final String HEALTHY = "healthy";
  static final String PROVIDER_KEY = GatewayExtension.PROVIDER_KEY;
  static final int MAX_TOKENS = 8;
  static final String TIMEOUTS = "{ connect_ms: 500, first_token_ms: 800, idle_ms: 400, total_ms: 4000 }";

  private ChaosGateway() {}

  static GatewayExtension.Builder builder(List<String> faults) {
    return builder(faults, "", "");
  }

  /**
   * @param serverYaml extra {@code server} keys, each starting with {@code ", "}
   * @param providerYaml extra keys for both providers, each starting with {@code ", "}
   */
  static GatewayExtension.Builder builder(List<String> faults, String serverYaml, String providerYaml) {
    StringBuilder models = new StringBuilder("""
          - id: chaos/plain
            providers:
              - { provider: healthy, model: sim-chat, input_price: 1.0, output_price: 2.0 }
        """);
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
    return GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName(FLAKY), SimulatorOptions.defaults().withName(HEALTHY))
        .withoutMasterKey()
        .server("default_policy: preferred" + serverYaml)
        .providers("""
            providers:
              - { name: flaky, kind: openai, base_url: "${FLAKY}", api_key: "${PROVIDER_KEY}", timeouts: %s%s }
              - { name: healthy, kind: openai, base_url: "${HEALTHY}", api_key: "${PROVIDER_KEY}", timeouts: %s%s }
            """.formatted(TIMEOUTS, providerYaml, TIMEOUTS, providerYaml))
        .models(models.toString());
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
  static String healthyText(GatewayExtension junction, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(junction.simulator(HEALTHY).baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = Http.send(HttpClient.newHttpClient(), request);
    return Json.MAPPER.readTree(response.body()).path("choices").path(0).path("message").path("content").asString();
  }
}
