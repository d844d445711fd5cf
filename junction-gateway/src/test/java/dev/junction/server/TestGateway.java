package dev.junction.server;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real gateway in front of real simulators, configured through the real config loader, with its
 * ledger in a temporary SQLite file.
 */
final class TestGateway implements AutoCloseable {

  static final String CHAT_MODEL = "test/chat";
  static final String EMBED_MODEL = "test/embed";
  static final String MASTER_KEY = "jk-test-master-key-0123456789";
  static final String PROVIDER_KEY = "sk-sim-provider-secret-abcdef123456";

  final Vertx vertx = Vertx.vertx();
  final Simulator primary;
  final Simulator secondary;
  final Gateway gateway;
  private final HttpClient http = HttpClient.newHttpClient();

  private TestGateway(Path dir, String extraYaml, long maxBody) {
    primary = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-a"));
    secondary = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-b"));
    String yaml = """
        # Listed order, so that tests know which simulator serves; routing tests set their own policy.
        server: { port: 0, master_key: ${MASTER}, max_body_bytes: %d, default_policy: preferred }
        database: { url: "jdbc:sqlite:%s" }
        ledger: { flush_interval_ms: 20 }
        providers:
          - { name: sim-a, kind: openai, base_url: "${SIM_A}", api_key: "${PROVIDER_KEY}" }
          - { name: sim-b, kind: openai, base_url: "${SIM_B}", api_key: "${PROVIDER_KEY}" }
          # Mistral's quirks in front of a simulator: it refuses seed, user, logprobs and the like.
          - { name: sim-strict, kind: openai, profile: mistral, base_url: "${SIM_B}", api_key: "${PROVIDER_KEY}" }
          - name: sim-impatient
            kind: openai
            base_url: "${SIM_A}"
            api_key: "${PROVIDER_KEY}"
            timeouts: { connect_ms: 500, first_token_ms: 400, idle_ms: 400, total_ms: 2000 }
        models:
          - id: %s
            aliases: [chat]
            providers:
              - { provider: sim-a, model: sim-chat-a, input_price: 1.0, output_price: 2.0 }
              - { provider: sim-b, model: sim-chat-b, input_price: 0.5, output_price: 1.0 }
          - id: %s
            providers:
              - { provider: sim-a, model: sim-embed, input_price: 0.1, output_price: 0 }
          - id: test/flaky
            providers:
              - { provider: sim-a, model: "fault:status=503", input_price: 1.0, output_price: 1.0 }
              - { provider: sim-b, model: sim-chat-b, input_price: 1.0, output_price: 1.0 }
          - id: test/cut-early
            providers:
              - { provider: sim-a, model: "fault:cut=1", input_price: 1.0, output_price: 1.0 }
              - { provider: sim-b, model: sim-chat-b, input_price: 1.0, output_price: 1.0 }
          - id: test/described
            aliases: [described]
            context_length: 8192
            capabilities: [tools, vision, json_schema, json_object, streaming]
            providers:
              - { provider: sim-a, model: sim-chat-a, input_price: 0.2, output_price: 0.4, max_output: 1024 }
              - { provider: sim-b, model: sim-chat-b, input_price: 0.1, output_price: 0.3, context_length: 2048,
                  capabilities: [streaming], status: offline }
        %s
        """.formatted(maxBody, dir.resolve("ledger.db"), CHAT_MODEL, EMBED_MODEL, extraYaml);
    Map<String, String> env = new HashMap<>();
    env.put("MASTER", MASTER_KEY);
    env.put("SIM_A", primary.baseUrl());
    env.put("SIM_B", secondary.baseUrl());
    env.put("PROVIDER_KEY", PROVIDER_KEY);
    try {
      Path file = dir.resolve("junction.yaml");
      Files.writeString(file, yaml);
      JunctionConfig config = ConfigLoader.load(file, env);
      gateway = Gateway.start(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TestGateway start(Path dir) {
    return new TestGateway(dir, "", 1_048_576);
  }

  /** @param extraYaml appended after the models list: more models (as {@code "  - id: …"}) or other sections */
  static TestGateway start(Path dir, String extraYaml) {
    return new TestGateway(dir, extraYaml, 1_048_576);
  }

  static TestGateway start(Path dir, long maxBody) {
    return new TestGateway(dir, "", maxBody);
  }

  String baseUrl() {
    return gateway.baseUrl();
  }

  /** A raw POST with the master key; returns the whole response. */
  HttpResponse<String> post(String path, String body) {
    return post(path, body, Map.of("authorization", "Bearer " + MASTER_KEY));
  }

  HttpResponse<String> post(String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request.build());
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("authorization", "Bearer " + MASTER_KEY).GET().build());
  }

  /** The Prometheus text of {@code GET /metrics}, read with the master key. */
  String scrape() {
    return send(HttpRequest.newBuilder(URI.create(baseUrl().replace("/v1", "/metrics")))
        .header("authorization", "Bearer " + MASTER_KEY).GET().build()).body();
  }

  private HttpResponse<String> send(HttpRequest request) {
    return Http.send(http, request);
  }

  /** The ledger record of a request, once the writer has committed it. */
  LedgerRecord record(String requestId) {
    return Records.of(gateway, requestId);
  }

  List<LedgerRecord> records() {
    gateway.ledger().flush();
    return gateway.ledger().recent(10_000);
  }

  @Override
  public void close() {
    gateway.close();
    primary.close();
    secondary.close();
    vertx.close().await();
  }
}
