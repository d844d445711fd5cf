package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.observe.GatewayMetrics;
import dev.junction.observe.RequestClock;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Whatever a client names, what it leaves in response headers, metric labels and the ledger stays
 * small, and {@code /metrics} stays fast enough to render off the request path without holding it up.
 */
class ClientBoundsTest {

  /** What common clients and proxies accept for one header line. */
  private static final int HEADER_LINE = 8 * 1024;

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  /** A gateway of its own, with these metrics, in front of a simulator of its own; /metrics open to scrapers. */
  private static GatewayExtension gateway(GatewayMetrics metrics) {
    return GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName("sim"))
        .withoutMasterKey()
        .server("metrics_public: true")
        .models("""
              - id: test/chat
                providers: [{ provider: sim, model: sim-chat, input_price: 1.0, output_price: 2.0 }]
            """)
        .metrics(metrics)
        .build()
        .start();
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  @Test
  void aNineHundredKilobyteModelNameLeavesHeadersTheLedgerAndTheMetricsSmall() throws Exception {
    String huge = "m".repeat(900_000);
    // With a timeout: a client given a header line of hundreds of kilobytes may wait forever.
    HttpClient http = HttpClient.newHttpClient();
    var passedThrough = Http.send(http, post(junction.baseUrl(), GatewayExtension.MASTER_KEY, chat(huge + ":sim-a")));
    var unknown = Http.send(http, post(junction.baseUrl(), GatewayExtension.MASTER_KEY, chat(huge)));
    assertThat(passedThrough.statusCode()).isEqualTo(200);
    assertThat(unknown.statusCode()).isEqualTo(404);

    for (var response : List.of(passedThrough, unknown)) {
      response.headers().map().forEach((name, values) -> values.forEach(value ->
          assertThat(name.length() + 2 + value.length()).as("the header line %s", name).isLessThan(HEADER_LINE)));
      LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
      assertThat(record.model()).hasSizeLessThanOrEqualTo(Bounded.NAME).startsWith("mmmm").endsWith(" chars)");
      if (record.providerModel() != null) {
        assertThat(record.providerModel()).hasSizeLessThanOrEqualTo(Bounded.NAME);
      }
      if (record.error() != null) {
        assertThat(record.error()).hasSizeLessThanOrEqualTo(Bounded.MESSAGE);
      }
      if (record.attemptLog() != null) {
        assertThat(record.attemptLog()).hasSizeLessThan(2 * Bounded.NAME + Bounded.ATTEMPT_ERROR);
        assertThat(Json.MAPPER.readTree(record.attemptLog()).isArray()).isTrue();
      }
    }
    String route = passedThrough.headers().firstValue("x-junction-route").orElseThrow();
    assertThat(route).hasSizeLessThanOrEqualTo(Bounded.ROUTE).startsWith("policy=pinned; candidates=sim-a/mmmm")
        .endsWith(" chars)");
    JsonNode error = Json.MAPPER.readTree(unknown.body()).get("error");
    assertThat(error.get("code").asString()).isEqualTo("model_not_found");
    assertThat(error.get("message").asString()).hasSizeLessThan(2 * Bounded.NAME).contains("mmmm");

    String metrics = scrape(junction.baseUrl(), GatewayExtension.MASTER_KEY).body();
    assertThat(metrics.length()).isLessThan(1_000_000);
    assertThat(metrics).doesNotContain("m".repeat(Bounded.LABEL + 1))
        .contains("model=\"other\",provider=\"sim-a\"");
  }

  @Test
  void aHundredThousandClientChosenModelNamesLeaveASmallQuickScrape() throws Exception {
    // The labels a gateway of this config gives its metrics: the catalog's provider models.
    GatewayMetrics metrics = GatewayMetrics.prometheus(Map.of("sim", Set.of("sim-chat")));
    try (GatewayExtension own = gateway(metrics)) {
      Gateway gateway = own.gateway();
      HttpClient http = HttpClient.newHttpClient();
      assertThat(Http.send(http, post(gateway, chat("test/chat"))).statusCode()).isEqualTo(200);
      // A few thousand through the gateway, sixteen at a time; the rest straight into its metrics.
      int sent = 3_000;
      Semaphore slots = new Semaphore(16);
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < sent; i++) {
        slots.acquire();
        answers.add(http.sendAsync(post(gateway, chat("client-model-" + i + ":sim")), HttpResponse.BodyHandlers.ofString())
            .whenComplete((r, e) -> slots.release()));
      }
      for (var answer : answers) {
        assertThat(answer.join().statusCode()).isEqualTo(200);
      }
      for (int i = sent; i < 100_000; i++) {
        metrics.record(Endpoint.CHAT, "sim", "client-model-" + i, 200, new RequestClock());
      }

      // Scraped a few times first, as a scraper does every few seconds: the first renders run cold.
      for (int i = 0; i < 3; i++) {
        scrape(gateway.baseUrl(), null);
      }
      long[] millis = new long[5];
      String text = null;
      for (int i = 0; i < millis.length; i++) {
        long start = System.nanoTime();
        HttpResponse<String> response = scrape(gateway.baseUrl(), null);
        millis[i] = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(200);
        text = response.body();
      }
      Arrays.sort(millis);
      System.out.printf("scrape after 100,000 client-chosen model names: %,d bytes, %s ms%n",
          text.getBytes(StandardCharsets.UTF_8).length, Arrays.toString(millis));
      assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThan(1_000_000);
      assertThat(millis[millis.length / 2]).as("the median scrape, in ms, of %s", Arrays.toString(millis))
          .isLessThan(100);
      TreeSet<String> models = new TreeSet<>();
      Matcher label = Pattern.compile("junction_requests_total\\{[^}]*model=\"([^\"]*)\"").matcher(text);
      while (label.find()) {
        models.add(label.group(1));
      }
      assertThat(models).contains("sim-chat", "other").hasSizeLessThanOrEqualTo(2 + 8);
    }
  }

  @Test
  void aScrapeThatHangsHoldsUpNoOtherRequest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger scraping = new AtomicInteger();
    GatewayMetrics hanging = new GatewayMetrics() {
      @Override
      public void record(Endpoint endpoint, String provider, String model, int status, RequestClock clock) {}

      @Override
      public void unauthenticated(Endpoint endpoint) {}

      @Override
      public String scrape() {
        scraping.incrementAndGet();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "# released\n";
      }
    };
    try (GatewayExtension own = gateway(hanging)) {
      Gateway gateway = own.gateway();
      // One client per scrape, so that each has its own connection: together they reach every event loop.
      List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        scrapes.add(HttpClient.newHttpClient().sendAsync(
            HttpRequest.newBuilder(URI.create(metricsUrl(gateway.baseUrl()))).build(), HttpResponse.BodyHandlers.ofString()));
      }
      try {
        await().until(() -> scraping.get() > 0);
        for (int i = 0; i < 4; i++) {
          HttpRequest health = HttpRequest.newBuilder(URI.create(gateway.baseUrl().replace("/v1", "/healthz")))
              .timeout(Duration.ofSeconds(10)).build();
          assertThat(Http.send(HttpClient.newHttpClient(), health).statusCode()).isEqualTo(200);
          assertThat(Http.send(HttpClient.newHttpClient(), post(gateway, chat("test/chat"))).statusCode()).isEqualTo(200);
        }
      } finally {
        release.countDown();
      }
      for (var scrape : scrapes) {
        assertThat(scrape.join().body()).isEqualTo("# released\n");
      }
    }
  }

  @Test
  void aScrapeThatFailsIsA500InTheErrorFormatAndALogLine() throws Exception {
    GatewayMetrics failing = new GatewayMetrics() {
      @Override
      public void record(Endpoint endpoint, String provider, String model, int status, RequestClock clock) {}

      @Override
      public void unauthenticated(Endpoint endpoint) {}

      @Override
      public String scrape() {
        throw new OutOfMemoryError("Java heap space");
      }
    };
    PrintStream stderr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (GatewayExtension own = gateway(failing)) {
      Gateway gateway = own.gateway();
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> response = scrape(gateway.baseUrl(), null);
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
        assertThat(error.get("type").asString()).isEqualTo("server_error");
        assertThat(error.get("message").asString()).contains("metrics").doesNotContain("OutOfMemoryError");
      }
    } finally {
      System.setErr(stderr);
    }
    assertThat(log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("GET /metrics failed")))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line).contains("java.lang.OutOfMemoryError: Java heap space"));
  }

  private static HttpRequest post(Gateway gateway, String body) {
    return post(gateway.baseUrl(), null, body);
  }

  private static HttpRequest post(String baseUrl, String key, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return request.build();
  }

  private static String metricsUrl(String baseUrl) {
    return baseUrl.replace("/v1", "/metrics");
  }

  private static final HttpClient SCRAPER = Http.SCRAPER;

  private static HttpResponse<String> scrape(String baseUrl, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(metricsUrl(baseUrl))).timeout(Duration.ofSeconds(30));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return Http.send(SCRAPER, request.build());
  }
}
