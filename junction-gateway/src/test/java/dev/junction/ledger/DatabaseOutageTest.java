package dev.junction.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.CuttableProxy;
import dev.junction.testing.StoppablePostgres;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Services;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL outage under traffic, through a real gateway whose ledger reaches the shared server
 * through a {@link CuttableProxy}: serving goes on, and every answered request ends up in the
 * ledger exactly once, whether the database returns while the gateway runs or only after a restart.
 */
class DatabaseOutageTest {

  private static final String CHAT =
      "{\"model\":\"outage/chat\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** A gateway whose ledger holds {@code capacity} records in memory and writes {@code batchSize} at a time. */
  private static GatewayExtension gateway(int capacity, int batchSize) {
    return builder(capacity, batchSize).cuttableDatabase().build().start();
  }

  private static GatewayExtension.Builder builder(int capacity, int batchSize) {
    return GatewayExtension.builder()
        .simulators(SimulatorOptions.defaults().withName("sim"))
        .withoutMasterKey()
        .server("metrics_public: true")
        .ledger("batch_size: " + batchSize + ", capacity: " + capacity)
        .models("""
              - id: outage/chat
                providers:
                  - { provider: sim, model: sim-chat, input_price: 1, output_price: 1 }
            """)
        .extraYaml("catalog: { bundled: false }\n");
  }

  @Test
  void requestsAnsweredDuringAnOutageAreRecordedOnceAfterAShutdownAndRestart() throws Exception {
    try (GatewayExtension junction = gateway(100_000, 5_000)) {
      List<String> answered = new ArrayList<>(chat(junction, 4, 10));

      junction.database().cut();
      answered.addAll(chat(junction, 4, 100));
      long closing = System.nanoTime();
      junction.gateway().close(); // what SIGTERM's hook runs
      long closeMs = Duration.ofNanos(System.nanoTime() - closing).toMillis();
      System.out.printf("outage: %d requests answered, gateway closed in %d ms with the database cut%n",
          answered.size(), closeMs);
      assertThat(closeMs).as("shutdown is bounded though the database is away").isLessThan(15_000);
      assertThat(segments(junction)).as("what the database did not take is on disk").isNotEmpty();

      junction.database().restore();
      long restarting = System.nanoTime();
      junction.restart();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded(junction).size() >= answered.size());
      System.out.printf("outage: restart to every record replayed: %d ms%n",
          Duration.ofNanos(System.nanoTime() - restarting).toMillis());
      assertThat(recorded(junction)).containsExactlyInAnyOrderElementsOf(answered);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> segments(junction).isEmpty());
    }
  }

  @Test
  void withATinyCapacityRequestsGoOnDuringAnOutageAndEveryRecordArrivesOnceItEnds() throws Exception {
    // Tiny beside the default 100,000 and beside the 600 records of the outage, yet room for the
    // traffic of a scheduling hiccup on a loaded machine: four clients send a few thousand a second.
    try (GatewayExtension junction = gateway(256, 16)) {
      Ledger ledger = junction.gateway().ledger();
      List<String> answered = new ArrayList<>(chat(junction, 4, 5));

      junction.database().cut();
      answered.addAll(chat(junction, 4, 150));
      assertThat(ledger.stats().spilled()).as("the queue overflowed to disk").isPositive();
      assertThat(metric(junction, "junction_ledger_spilled_records_total")).isPositive();
      assertThat(metric(junction, "junction_ledger_database_up")).isZero();

      long restoring = System.nanoTime();
      junction.database().restore();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded(junction).size() >= answered.size());
      long recoveryMs = Duration.ofNanos(System.nanoTime() - restoring).toMillis();
      System.out.printf("outage: %d requests answered; database back to every record in it: %d ms%n",
          answered.size(), recoveryMs);
      assertThat(recorded(junction)).containsExactlyInAnyOrderElementsOf(answered);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> segments(junction).isEmpty());
      assertThat(ledger.stats().queued()).isZero();
      assertThat(metric(junction, "junction_ledger_database_up")).isEqualTo(1);
      assertThat(metric(junction, "junction_ledger_queued_records")).isZero();
    }
  }

  /**
   * Virtual keys live in the same database: one already seen keeps working past its cache entry's
   * life (5 s), from its last known answer; one never seen gets a 503, not a 401 (it may well be
   * valid), until the database is back. (The gateway has no master key: virtual keys work all the same.)
   */
  @Test
  void aKeyAlreadySeenKeepsWorkingAndAnUnseenOneWaitsForTheDatabase() throws Exception {
    try (GatewayExtension junction = gateway(100_000, 500)) {
      String seen = issue(junction);
      String unseen = issue(junction);
      assertThat(chat(junction, seen).statusCode()).isEqualTo(200);

      junction.database().cut();
      Awaitility.await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500)).until(() -> chat(junction, seen).statusCode() == 200);
      HttpResponse<String> waiting = chat(junction, unseen);
      assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(503);
      assertThat(waiting.headers().firstValue("retry-after")).contains("1");

      junction.database().restore();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> chat(junction, unseen).statusCode() == 200);
    }
  }

  private static String issue(GatewayExtension junction) {
    HttpResponse<String> created = junction.admin("POST", "/admin/keys", "{}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return dev.junction.api.Json.MAPPER.readTree(created.body()).path("key").asString();
  }

  private static HttpResponse<String> chat(GatewayExtension junction, String key) {
    return junction.post("/chat/completions", CHAT, java.util.Map.of("authorization", "Bearer " + key));
  }

  @Test
  void whenTheSpillCannotBeWrittenEitherTheRefusalNamesTheLedger() throws Exception {
    try (GatewayExtension junction = gateway(4, 2)) {
      Ledger ledger = junction.gateway().ledger();
      List<String> answered = new ArrayList<>(chat(junction, 1, 3));
      ledger.flush();
      // The spill directory becomes a plain file: every new segment fails with "Not a directory".
      Path spill = junction.spillDir();
      Files.delete(spill.resolve("spill.lock"));
      Files.delete(spill);
      Files.writeString(spill, "not a directory");

      junction.database().cut();
      answered.addAll(chat(junction, 1, 1));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !ledger.recording());
      assertThat(ledger.healthy()).isFalse();
      HttpResponse<String> refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        HttpResponse<String> response = junction.post("/chat/completions", CHAT);
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
      HttpResponse<String> ready = junction.get("/../readyz");
      assertThat(ready.statusCode()).as("nothing can keep records: not ready").isEqualTo(503);
      assertThat(ready.body()).contains("ledger");

      junction.database().restore();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded(junction).size() >= answered.size());
      assertThat(recorded(junction)).containsExactlyInAnyOrderElementsOf(answered);
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> junction.post("/chat/completions", CHAT).statusCode() == 200);
    }
  }

  /**
   * The server itself stopped, not a connection cut: PostgreSQL ends its sessions and refuses new ones
   * until it is started again. Clients sending meanwhile see nothing of it, the queue stays within its
   * capacity (the rest goes to the spill), and every answered request is in the ledger once after.
   */
  @Test
  void postgresReallyStoppedMidLoadCostsNoClientAnErrorAndLosesNoRecord() throws Exception {
    try (StoppablePostgres postgres = StoppablePostgres.start();
        GatewayExtension junction = builder(256, 16).database(postgres.url()).build().start()) {
      Ledger ledger = junction.gateway().ledger();
      ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>(chat(junction, 2, 5));
      AtomicInteger mostQueued = new AtomicInteger();
      AtomicBoolean loading = new AtomicBoolean(true);
      // Load until the database is back: a fixed number of rounds could all end before the server
      // stopped, and a ledger given nothing to write never learns that its database is gone.
      Thread load = Thread.ofPlatform().start(() -> {
        try {
          while (loading.get()) {
            answered.addAll(chat(junction, 2, 10));
            mostQueued.accumulateAndGet((int) ledger.stats().queued(), Math::max);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answered.size() >= 100);
      postgres.stop();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !ledger.healthy());
      int beforeRestart = answered.size();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answered.size() >= beforeRestart + 100);
      postgres.startAgain();
      int afterRestart = answered.size();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answered.size() >= afterRestart + 20);
      loading.set(false);
      load.join();

      assertThat(mostQueued.get()).as("records wait in the bounded queue, the rest on disk").isLessThanOrEqualTo(256);
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> recorded(postgres).size() >= answered.size());
      assertThat(recorded(postgres)).containsExactlyInAnyOrderElementsOf(answered);
    }
  }

  private static List<String> recorded(StoppablePostgres postgres) {
    List<String> ids = new ArrayList<>();
    try (Connection c = java.sql.DriverManager.getConnection(postgres.url());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id FROM ledger_requests")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return ids;
  }

  /** {@code clients} threads each send {@code each} requests one after another; all must be answered 200. */
  private static List<String> chat(GatewayExtension junction, int clients, int each) throws InterruptedException {
    ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = IntStream.range(0, clients).mapToObj(c -> Thread.ofPlatform().start(() -> {
      for (int i = 0; i < each; i++) {
        HttpResponse<String> response = junction.post("/chat/completions", CHAT);
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

  private static double metric(GatewayExtension junction, String name) {
    return junction.scrape().lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }

  private static List<Path> segments(GatewayExtension junction) throws Exception {
    try (Stream<Path> files = Files.list(junction.spillDir())) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).toList();
    }
  }

  /** The request ids in the ledger table, read straight from PostgreSQL (not through the proxy). */
  private static List<String> recorded(GatewayExtension junction) {
    List<String> ids = new ArrayList<>();
    try (Connection c = Services.postgres().connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT request_id FROM " + junction.schema() + ".ledger_requests")) {
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
