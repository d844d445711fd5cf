package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway's own cost is visible per response and, with every request counted, at /metrics. */
class MetricsTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  private static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":8,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  private static String metricsUrl(String baseUrl) {
    return baseUrl.replace("/v1", "/metrics");
  }

  private static HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(request::header);
    return Http.SCRAPER.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> scrape() throws Exception {
    return get(metricsUrl(junction.baseUrl()), Map.of("authorization", "Bearer " + GatewayExtension.MASTER_KEY));
  }

  @Test
  void everyProxiedResponseCarriesTheGatewaysOverheadInMicroseconds() {
    var plain = junction.post("/chat/completions", chat(GatewayExtension.CHAT_MODEL, false));
    var stream = junction.post("/chat/completions", chat(GatewayExtension.CHAT_MODEL, true));
    var refused = junction.post("/chat/completions", chat("no/such-model", false));
    for (var response : new HttpResponse<?>[] {plain, stream, refused}) {
      String overhead = response.headers().firstValue("x-junction-overhead-us").orElseThrow();
      assertThat(Long.parseLong(overhead)).isNotNegative();
    }
    assertThat(refused.statusCode()).isEqualTo(404);
  }

  @Test
  void metricsCountRequestsByEndpointProviderModelAndStatus() throws Exception {
    var served = junction.post("/chat/completions", chat("fault:status=503:sim-b", false));
    assertThat(served.statusCode()).isEqualTo(503);
    junction.post("/embeddings", "{\"model\":\"" + GatewayExtension.EMBED_MODEL + "\",\"input\":\"hi\"}");
    String before = scrape().body();
    junction.post("/embeddings", "{\"model\":\"" + GatewayExtension.EMBED_MODEL + "\",\"input\":\"hi\"}");

    String text = scrape().body();
    String failed = "junction_requests_total{endpoint=\"chat.completions\",model=\"fault:status=503\","
        + "provider=\"sim-b\",status=\"503\"}";
    String embedded = "junction_requests_total{endpoint=\"embeddings\",model=\"sim-embed\",provider=\"sim-a\",status=\"200\"}";
    assertThat(text).contains(failed + " 1.0");
    assertThat(value(text, embedded)).isEqualTo(value(before, embedded) + 1);
    assertThat(text).contains("junction_overhead_seconds_bucket{endpoint=\"embeddings\"")
        .contains("junction_upstream_duration_seconds_count{endpoint=\"embeddings\"")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void metricsNeverShowAKey() throws Exception {
    junction.post("/chat/completions", chat(GatewayExtension.CHAT_MODEL, false),
        Map.of("authorization", "Bearer " + GatewayExtension.MASTER_KEY));
    junction.post("/chat/completions", chat(GatewayExtension.CHAT_MODEL, false), Map.of("authorization", "Bearer wrong-key"));
    String text = scrape().body();
    assertThat(text).contains("junction_requests_total")
        .doesNotContain(GatewayExtension.MASTER_KEY)
        .doesNotContain(GatewayExtension.PROVIDER_KEY)
        .doesNotContain("wrong-key");
  }

  @Test
  void metricsNeedTheMasterKeyUnlessMadePublic() throws Exception {
    var anonymous = get(metricsUrl(junction.baseUrl()), Map.of());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("\"error\"");
    assertThat(scrape().statusCode()).isEqualTo(200);
    assertThat(scrape().headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));

    try (GatewayExtension open = GatewayExtension.builder().simulators(SimulatorOptions.defaults().withName("sim"))
        .server("metrics_public: true").build().start()) {
      var scraped = get(metricsUrl(open.baseUrl()), Map.of());
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.body()).contains("jvm_memory_used_bytes").doesNotContain(GatewayExtension.MASTER_KEY);
      assertThat(get(open.baseUrl() + "/models", Map.of()).statusCode()).as("only /metrics is public").isEqualTo(401);
    }
  }

  private static double value(String text, String series) {
    return text.lines().filter(line -> line.startsWith(series + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length() + 1))).orElse(0.0);
  }
}
