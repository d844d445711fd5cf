package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.server.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --demo} shows routing, failover and billing with nothing configured. */
class DemoTest {

  @TempDir static Path dir;
  static Demo demo;
  static Gateway gateway;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    JunctionConfig plain = ConfigLoader.fromEnvironment(
        Map.of("JUNCTION_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("demo.db")));
    demo = Demo.start();
    JunctionConfig config = demo.addTo(plain);
    config = new JunctionConfig(config.source(), new JunctionConfig.ServerConfig("127.0.0.1", 0,
        config.server().masterKey(), config.server().maxBodyBytes(), config.server().defaultPolicy()),
        config.database(), config.redisUrl(), config.ledger(), config.providers(), config.models());
    gateway = Gateway.start(config);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    demo.close();
  }

  private HttpResponse<String> chat(String model) throws Exception {
    String body = "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theCheapestSuffixPicksTheCheapSimulator() throws Exception {
    HttpResponse<String> response = chat("demo/chat:cheapest");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-provider")).hasValue(Demo.CHEAP);
  }

  @Test
  void theFlakyModelFailsOverAndIsBilledToTheProviderThatServed() throws Exception {
    // Listed order tries the failing deployment first; fastest would learn to avoid it.
    HttpResponse<String> response = chat("demo/flaky:preferred");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("2");
    String id = response.headers().firstValue("x-junction-request-id").orElseThrow();
    // The record is appended as the response ends, so it may trail the client by a moment.
    var record = Awaitility.await().until(() -> {
      gateway.ledger().flush();
      return gateway.ledger().find(id);
    }, java.util.Optional::isPresent).orElseThrow();
    assertThat(record.provider()).isEqualTo(Demo.CHEAP);
    assertThat(record.costNanos()).isPositive();
  }
}
