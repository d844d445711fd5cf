package dev.junction.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.config.ConfigLoader;
import dev.junction.server.Gateway;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.CuttableProxy;
import dev.junction.testing.Services;
import dev.junction.testing.Http;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL outage under traffic, through a real gateway whose ledger reaches the shared server
 * through a {@link CuttableProxy}: serving goes on, and every answered request ends up in the
 * ledger exactly once, whether the database returns while the gateway runs or only after a restart;
 * and virtual keys, kept in the same database, go on working.
 */
class DatabaseOutageTest {

  private static final String CHAT =
      "{\"model\":\"outage/chat\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private Simulator sim;
  private CuttableProxy database;
  private TestDatabases databases;
  private String schema;

  @BeforeEach
  void start() {
    sim = Simulator.start(vertx, SimulatorOptions.defaults());
    URI server = Services.postgres().address();
    database = CuttableProxy.to(server.getHost(), server.getPort());
    databases = new TestDatabases(dir);
    schema = databases.schema();
  }

  @AfterEach
  void stop() {
    database.close();
    sim.close();
    vertx.close().await();
    databases.close();
  }

  @Test
  void requestsAnsweredDuringAnOutageAreRecordedOnceAfterAShutdownAndRestart() throws Exception {
    Path config = config(100_000, 5_000);
    List<String> answered = new ArrayList<>();
    Gateway first = Gateway.start(ConfigLoader.load(config, Map.of()));
    answered.addAll(chat(first, 4, 10));

    database.cut();
    answered.addAll(chat(first, 4, 100));
    long closing = System.nanoTime();
    first.close(); // what SIGTERM's hook runs
    long closeMs = Duration.ofNanos(System.nanoTime() - closing).toMillis();
    System.out.printf("outage: %d requests answered, gateway closed in %d ms with the database cut%n",
        answered.size(), closeMs);
    assertThat(closeMs).as("shutdown is bounded though the database is away").isLessThan(15_000);
    assertThat(segments()).as("what the database did not take is on disk").isNotEmpty();

    database.restore();
    long restarting = System.nanoTime();
    try (Gateway second = Gateway.start(ConfigLoader.load(config, Map.of()))) {
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded().size() >= answered.size());
      System.out.printf("outage: restart to every record replayed: %d ms%n",
          Duration.ofNanos(System.nanoTime() - restarting).toMillis());
      assertThat(recorded()).containsExactlyInAnyOrderElementsOf(answered);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> segments().isEmpty());
    }
  }

  @Test
  void withATinyCapacityRequestsGoOnDuringAnOutageAndEveryRecordArrivesOnceItEnds() throws Exception {
    // Tiny beside the default 100,000 and beside the 600 records of the outage, yet room for the
    // traffic of a scheduling hiccup on a loaded machine: four clients send a few thousand a second.
    Path config = config(256, 16);
    try (Gateway gateway = Gateway.start(ConfigLoader.load(config, Map.of()))) {
      List<String> answered = new ArrayList<>(chat(gateway, 4, 5));

      database.cut();
      answered.addAll(chat(gateway, 4, 150));
      assertThat(gateway.ledger().stats().spilled()).as("the queue overflowed to disk").isPositive();
      assertThat(metric(gateway, "junction_ledger_spilled_records_total")).isPositive();
      assertThat(metric(gateway, "junction_ledger_database_up")).isZero();

      long restoring = System.nanoTime();
      database.restore();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded().size() >= answered.size());
      long recoveryMs = Duration.ofNanos(System.nanoTime() - restoring).toMillis();
      System.out.printf("outage: %d requests answered; database back to every record in it: %d ms%n",
          answered.size(), recoveryMs);
      assertThat(recorded()).containsExactlyInAnyOrderElementsOf(answered);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> segments().isEmpty());
      assertThat(gateway.ledger().stats().queued()).isZero();
      assertThat(metric(gateway, "junction_ledger_database_up")).isEqualTo(1);
      assertThat(metric(gateway, "junction_ledger_queued_records")).isZero();
    }
  }

  @Test
  void whenTheSpillCannotBeWrittenEitherTheRefusalNamesTheLedger() throws Exception {
    Path config = config(4, 2);
    try (Gateway gateway = Gateway.start(ConfigLoader.load(config, Map.of()))) {
      List<String> answered = new ArrayList<>(chat(gateway, 1, 3));
      gateway.ledger().flush();
      // The spill directory becomes a plain file: every new segment fails with "Not a directory".
      Path spill = dir.resolve("spill");
      Files.delete(spill.resolve("spill.lock"));
      Files.delete(spill);
      Files.writeString(spill, "not a directory");

      database.cut();
      answered.addAll(chat(gateway, 1, 1));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !gateway.ledger().recording());
      assertThat(gateway.ledger().healthy()).isFalse();
      HttpResponse<String> refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        HttpResponse<String> response = post(gateway, CHAT);
        if (response.statusCode() == 200) {
          answered.add(response.headers().firstValue("x-junction-request-id").orElseThrow());
        } else {
          refused = response;
        }
      }
      assertThat(refused).as("memory fills once nothing can take records").isNotNull();
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains(
          "The usage ledger cannot record requests: its database is unavailable and its spill directory cannot "
              + "be written (Not a directory)").doesNotContain("saturated");
      assertThat(refused.body()).startsWith("{\"error\":{").contains("\"type\"");
      HttpResponse<String> ready = get(gateway, "/readyz");
      assertThat(ready.statusCode()).as("nothing can keep records: not ready").isEqualTo(503);
      assertThat(ready.body()).contains("ledger");

      database.restore();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded().size() >= answered.size());
      assertThat(recorded()).containsExactlyInAnyOrderElementsOf(answered);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> post(gateway, CHAT).statusCode() == 200);
    }
  }

  private Path config(int capacity, int batchSize) throws Exception {
    return Files.writeString(dir.resolve("junction.yaml"), """
        server: { port: 0, metrics_public: true }
        database:
          url: "jdbc:postgresql://127.0.0.1:%d/%s?currentSchema=%s"
          user: "%s"
        ledger: { flush_interval_ms: 20, batch_size: %d, capacity: %d, spill_dir: "%s" }
        catalog: { bundled: false }
        providers:
          - { name: sim, kind: openai, base_url: "%s" }
        models:
          - id: outage/chat
            providers:
              - { provider: sim, model: sim-chat, input_price: 1, output_price: 1 }
        """.formatted(database.port(), Services.postgres().database(), schema,
            Services.postgres().user().orElse("postgres"), batchSize, capacity, dir.resolve("spill"), sim.baseUrl()));
  }

  /**
   * Virtual keys live in the same database: one already seen keeps working past its cache entry's
   * life (5 s), from its last known answer; one never seen gets a 503, not a 401 (it may well be
   * valid), until the database is back. (The gateway has no master key: virtual keys work all the same.)
   */
  @Test
  void aKeyAlreadySeenKeepsWorkingAndAnUnseenOneWaitsForTheDatabase() throws Exception {
    try (Gateway gateway = Gateway.start(ConfigLoader.load(config(100_000, 500), Map.of()))) {
      String seen = issue(gateway);
      String unseen = issue(gateway);
      assertThat(post(gateway, CHAT, seen).statusCode()).isEqualTo(200);

      database.cut();
      Awaitility.await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500)).until(() -> post(gateway, CHAT, seen).statusCode() == 200);
      HttpResponse<String> waiting = post(gateway, CHAT, unseen);
      assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(503);
      assertThat(waiting.headers().firstValue("retry-after")).contains("1");

      database.restore();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> post(gateway, CHAT, unseen).statusCode() == 200);
    }
  }

  private String issue(Gateway gateway) {
    HttpResponse<String> created = Http.send(http, HttpRequest.newBuilder(
        URI.create(gateway.baseUrl().replace("/v1", "/admin/keys"))).POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return Json.MAPPER.readTree(created.body()).path("key").asString();
  }

  /** {@code clients} threads each send {@code each} requests one after another; all must be answered 200. */
  private List<String> chat(Gateway gateway, int clients, int each) throws InterruptedException {
    ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = IntStream.range(0, clients).mapToObj(c -> Thread.ofPlatform().start(() -> {
      for (int i = 0; i < each; i++) {
        HttpResponse<String> response = post(gateway, CHAT);
        if (response.statusCode() == 200) {
          ids.add(response.headers().firstValue("x-junction-request-id").orElseThrow());
        } else {
          failures.add(response.statusCode() + " " + response.body());
        }
      }
    })).toList();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).as("every request is answered").isEmpty();
    return List.copyOf(ids);
  }

  private HttpResponse<String> post(Gateway gateway, String body) {
    return Http.send(http, HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private HttpResponse<String> post(Gateway gateway, String body, String key) {
    return Http.send(http, HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
        .header("content-type", "application/json").header("authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private HttpResponse<String> get(Gateway gateway, String path) {
    return Http.send(http, HttpRequest.newBuilder(URI.create(gateway.baseUrl().replace("/v1", "") + path)).build());
  }

  private double metric(Gateway gateway, String name) {
    return get(gateway, "/metrics").body().lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("spill"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).toList();
    }
  }

  /** The request ids in the ledger table, read straight from PostgreSQL (not through the proxy). */
  private List<String> recorded() {
    List<String> ids = new ArrayList<>();
    try (Connection c = Services.postgres().connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id FROM " + schema + ".ledger_requests")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    Set<String> distinct = new HashSet<>(ids);
    assertThat(distinct).as("the primary key keeps ids unique").hasSize(ids.size());
    return ids;
  }
}
