package dev.junction.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.testing.OnBothDatabases;
import dev.junction.testing.Postgres;
import dev.junction.testing.Services;
import dev.junction.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ledger on a real SQLite file and a real PostgreSQL database. */
class LedgerTest {

  @RegisterExtension static final TestDatabases databases = TestDatabases.perClass();

  static LedgerRecord record(String id, Instant at) {
    return new LedgerRecord(id, at, "chat.completions", "meta-llama/Llama-3.3-70B-Instruct", "groq",
        "llama-3.3-70b-versatile", Status.OK, 200, true, 2, 1234, 56, 789, 123_456_789L, 842, 97, null, null,
        new LedgerRecord.Attribution("key_abc", "research", "alice@example.com", "nightly,eval", "openai"));
  }

  /** Each ledger its own spill directory: by default every PostgreSQL ledger would share ./junction-spill. */
  private static LedgerConfig options(int capacity) {
    return new LedgerConfig(20, 500, capacity, Optional.of(databases.spillDir()));
  }

  @OnBothDatabases
  void aRecordRoundTripsEveryField(String kind) {
    try (Ledger ledger = Ledger.open(databases.fresh(kind), options(100))) {
      LedgerRecord full = record("req-full", Instant.ofEpochMilli(1_764_000_000_123L));
      LedgerRecord rejected = new LedgerRecord("req-rejected", Instant.ofEpochMilli(1_764_000_000_456L),
          "embeddings", null, null, null, Status.ERROR, 400, false, 0, 0, 0, 0, 0, 3, -1, "invalid JSON");
      assertThat(ledger.admit()).isTrue();
      assertThat(ledger.admit()).isTrue();
      ledger.append(full);
      ledger.append(rejected);
      ledger.flush();
      assertThat(ledger.find("req-full")).contains(full);
      assertThat(ledger.find("req-rejected")).contains(rejected);
      assertThat(ledger.find("req-missing")).isEmpty();
    }
  }

  @OnBothDatabases
  void aRecordIsFoundByAnIdThatBeginsWithItsMillisecondAmongOthersOfThatMillisecond(String kind) {
    long millis = 1_764_000_000_789L;
    String prefix = "req_" + java.util.HexFormat.of().toHexDigits(millis).substring(4);
    try (Ledger ledger = Ledger.open(databases.fresh(kind), options(100))) {
      for (int i = 0; i < 40; i++) {
        assertThat(ledger.admit()).isTrue();
        ledger.append(record(prefix + "%020x".formatted(i), Instant.ofEpochMilli(i % 2 == 0 ? millis : millis + 1)));
      }
      ledger.flush();
      assertThat(ledger.find(prefix + "%020x".formatted(8))).map(LedgerRecord::requestId)
          .contains(prefix + "%020x".formatted(8));
      // Its id says one millisecond, its time the next: not Junction's, and not found through the time.
      assertThat(ledger.find(prefix + "%020x".formatted(9))).isEmpty();
      assertThat(ledger.find(prefix + "%020x".formatted(99))).isEmpty();
    }
    assertThat(RecordTable.idMillis(prefix + "%020x".formatted(8))).isEqualTo(millis);
    assertThat(RecordTable.idMillis("req-full")).isEqualTo(-1);
    assertThat(RecordTable.idMillis("req_zzzzzzzzzzzz" + "%020x".formatted(8))).isEqualTo(-1);
  }

  @OnBothDatabases
  void recordsOfManyRoutesInOneBatchAreEachWrittenWithEveryFieldAsItWas(String kind) throws Exception {
    List<LedgerRecord> records = new java.util.ArrayList<>();
    // 37 of one route (two statements of a route's sixteen, and five left over), 16 of another, 20
    // plain ones, and three routes of five that differ only in their attribution: all in one batch,
    // interleaved.
    for (int i = 0; i < 37; i++) {
      LedgerRecord r = record("req-a-" + i, Instant.ofEpochMilli(1_764_000_000_000L + i));
      records.add(new LedgerRecord(r.requestId(), r.createdAt(), r.endpoint(), r.model(), r.provider(),
          r.providerModel(), r.status(), r.httpStatus(), r.stream(), r.attempts(), 1000 + i, i, 700 + i,
          123_000L * i, 800 + i, 90 + i, null, i % 2 == 0 ? null : "[{\"provider\":\"groq\",\"note\":" + i + "}]",
          i % 3, r.attribution(), i % 4 == 0 ? null : 5_000L * i));
    }
    for (int i = 0; i < 16; i++) {
      records.add(new LedgerRecord("req-b-" + i, Instant.ofEpochMilli(1_764_000_001_000L - i), "embeddings", null,
          null, null, Status.ERROR, 502, false, 0, 0, 0, 0, 0, 3 + i, -1, "upstream failed " + i));
    }
    // 20 plain ones (no error, a plain try, no cache writes, no hosted equivalent): their own statement.
    for (int i = 0; i < 20; i++) {
      records.add(new LedgerRecord("req-p-" + i, Instant.ofEpochMilli(1_764_000_003_000L + i), "chat.completions",
          "bench/chat", "groq", "llama-3.3", Status.OK, 200, false, 1, 14 + i, i, 16 + i, 31_000L + i, 40 + i, 30 + i,
          null, null, 0, LedgerRecord.Attribution.NONE, null, 25 + i));
    }
    List<LedgerRecord.Attribution> others = List.of(
        new LedgerRecord.Attribution("key_other", "research", "alice@example.com", "nightly,eval", "openai"),
        new LedgerRecord.Attribution("key_abc", "research", "bob@example.com", null, "openai"),
        new LedgerRecord.Attribution("key_abc", "research", "alice@example.com", "nightly,eval", "anthropic"));
    for (int i = 0; i < 15; i++) {
      LedgerRecord r = record("req-c-" + i, Instant.ofEpochMilli(1_764_000_002_000L + i));
      records.add(new LedgerRecord(r.requestId(), r.createdAt(), r.endpoint(), r.model(), r.provider(),
          r.providerModel(), r.status(), r.httpStatus(), r.stream(), r.attempts(), r.inputTokens(), r.cachedTokens(),
          r.outputTokens(), r.costNanos(), r.latencyMs(), r.ttftMs(), null, null, 0, others.get(i % 3)));
    }
    java.util.Collections.shuffle(records, new java.util.Random(7));
    DatabaseConfig database = databases.fresh(kind);
    // A flush interval far longer than the appends take: the flush writes them as one batch.
    try (Ledger ledger = Ledger.open(database, new LedgerConfig(10_000, 500, 1_000, Optional.of(databases.spillDir())))) {
      for (LedgerRecord r : records) {
        assertThat(ledger.admit()).isTrue();
        ledger.append(r);
      }
      ledger.flush();
      for (LedgerRecord r : records) {
        assertThat(ledger.find(r.requestId())).as(r.requestId()).contains(r);
      }
    }
    try (Connection c = DriverManager.getConnection(database.url(), database.user().orElse(null), null);
        var rows = c.createStatement().executeQuery("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM ledger_requests")) {
      rows.next();
      assertThat(List.of(rows.getInt(1), rows.getInt(2))).containsExactly(records.size(), records.size());
    }
  }

  private static LedgerRecord tried(String id, String providerModel, int httpStatus, int attempts, String log) {
    return new LedgerRecord(id, Instant.ofEpochMilli(1_764_000_000_789L), "chat.completions", "bench/chat", "groq",
        providerModel, httpStatus == 200 ? Status.OK : Status.ERROR, httpStatus, false, attempts, 14, 0, 16, 31_000,
        99, 98, httpStatus == 200 ? null : "upstream failed", log);
  }

  @OnBothDatabases
  void aPlainAttemptLogIsStoredAsItsLatencyAloneAndReadBackAsItWasWritten(String kind) throws Exception {
    String plain = "[{\"provider\":\"groq\",\"model\":\"llama-3.3\",\"status\":200,\"latency_ms\":77,\"error\":null}]";
    List<LedgerRecord> records = List.of(
        tried("plain", "llama-3.3", 200, 1, plain),
        tried("failed", "llama-3.3", 502, 1, plain.replace("200", "502").replace("\"error\":null", "\"error\":\"reset\"")),
        tried("another-status", "llama-3.3", 502, 1, plain),
        tried("escaped", "llama \"3.3\"", 200, 1,
            plain.replace("llama-3.3", "llama \\\"3.3\\\"")),
        tried("failed-over", "llama-3.3", 200, 2, "[" + plain.substring(1, plain.length() - 1).replace("200", "503")
            + "," + plain.substring(1)),
        tried("another-model", "llama-3.1", 200, 1, plain),
        tried("leading-zero", "llama-3.3", 200, 1, plain.replace(":77,", ":077,")),
        tried("status-prefix", "llama-3.3", 20, 1, plain));
    DatabaseConfig database = databases.fresh(kind);
    try (Ledger ledger = Ledger.open(database, options(100))) {
      for (LedgerRecord r : records) {
        assertThat(ledger.admit()).isTrue();
        ledger.append(r);
      }
      ledger.flush();
      for (LedgerRecord r : records) {
        assertThat(ledger.find(r.requestId())).contains(r);
      }
    }
    try (Connection c = DriverManager.getConnection(database.url(), database.user().orElse(null), null);
        var rows = c.createStatement().executeQuery(
            "SELECT request_id, attempt_log, upstream_ms FROM ledger_requests ORDER BY request_id")) {
      java.util.Map<String, String> stored = new java.util.TreeMap<>();
      while (rows.next()) {
        stored.put(rows.getString(1), (rows.getString(2) == null ? "log null" : "log kept") + ", upstream_ms "
            + rows.getString(3));
      }
      assertThat(stored).containsExactly(
          java.util.Map.entry("another-model", "log kept, upstream_ms null"),
          java.util.Map.entry("another-status", "log kept, upstream_ms null"),
          java.util.Map.entry("escaped", "log kept, upstream_ms null"),
          java.util.Map.entry("failed", "log kept, upstream_ms null"),
          java.util.Map.entry("failed-over", "log kept, upstream_ms null"),
          java.util.Map.entry("leading-zero", "log kept, upstream_ms null"),
          java.util.Map.entry("plain", "log null, upstream_ms 77"),
          java.util.Map.entry("status-prefix", "log kept, upstream_ms null"));
    }
  }

  @OnBothDatabases
  void aSearchByModelProviderOrStatusLooksOnlyThroughTheNewestRecordsOfItsKey(String kind) {
    DatabaseConfig database = databases.fresh(kind);
    Instant t = Instant.ofEpochMilli(1_764_000_000_000L);
    try (Ledger ledger = Ledger.open(database, options(100))) {
      for (int i = 0; i < 15; i++) {
        LedgerRecord r = record("req-" + (char) ('a' + i), t.plusSeconds(i));
        String model = i < 2 ? "rare" : "common";
        String key = i < 10 ? "key_abc" : "key_other";
        assertThat(ledger.admit()).isTrue();
        ledger.append(new LedgerRecord(r.requestId(), r.createdAt(), r.endpoint(), model, r.provider(),
            r.providerModel(), r.status(), r.httpStatus(), r.stream(), r.attempts(), r.inputTokens(), r.cachedTokens(),
            r.outputTokens(), r.costNanos(), r.latencyMs(), r.ttftMs(), r.error(), r.attemptLog(), 0,
            new LedgerRecord.Attribution(key, null, null, null, "openai"), null));
      }
      ledger.flush();
    }
    RecordTable table = new RecordTable(Jdbi.create(() -> DriverManager.getConnection(database.url(), database.user().orElse(null), null)),
        "postgresql".equals(kind));
    Timeline.Filter rare = new Timeline.Filter(null, "rare", null, null, null);
    Timeline.Filter rareOfKey = new Timeline.Filter("key_abc", "rare", null, null, null);

    assertThat(ids(table.search(rare, 100, 13))).as("the 13 newest of all").isEmpty();
    assertThat(ids(table.search(rare, 100, 14))).containsExactly("req-b");
    assertThat(ids(table.search(rareOfKey, 100, 9))).as("the key's 9 newest").containsExactly("req-b");
    assertThat(ids(table.search(rareOfKey, 100, 10))).containsExactly("req-b", "req-a");
    assertThat(ids(table.search(rare, 100, 1_000))).as("fewer records than the depth").containsExactly("req-b", "req-a");
    assertThat(ids(table.search(new Timeline.Filter(null, "common", null, null, null), 3, 2)))
        .as("at most the depth's records, and at most the limit").containsExactly("req-o", "req-n");
    assertThat(ids(table.search(new Timeline.Filter("key_abc", null, null, null, null), 100, 1)))
        .as("the key's own index bounds nothing").hasSize(10);
  }

  private static List<String> ids(List<LedgerRecord> records) {
    return records.stream().map(LedgerRecord::requestId).toList();
  }

  @OnBothDatabases
  void tenThousandRecordsFromEightThreadsAreAllWrittenOnce(String kind) throws Exception {
    try (Ledger ledger = Ledger.open(databases.fresh(kind), options(20_000))) {
      Instant now = Instant.now();
      List<Thread> threads = IntStream.range(0, 8).mapToObj(t -> Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 1250; i++) {
          assertThat(ledger.admit()).isTrue();
          ledger.append(record("req-" + t + "-" + i, now));
        }
      })).toList();
      for (Thread thread : threads) {
        thread.join();
      }
      ledger.flush();
      List<LedgerRecord> all = ledger.recent(20_000);
      assertThat(all).hasSize(10_000);
      assertThat(new HashSet<>(all.stream().map(LedgerRecord::requestId).toList())).hasSize(10_000);
      assertThat(ledger.stats().written()).isEqualTo(10_000);
      assertThat(ledger.stats().queued()).isZero();
    }
  }

  @Test
  void admitRefusesWhenEverySlotIsTakenAndFreesThemOnceWritten() {
    try (Ledger ledger = Ledger.open(databases.fresh("sqlite"), options(3))) {
      assertThat(ledger.admit()).isTrue();
      assertThat(ledger.admit()).isTrue();
      assertThat(ledger.admit()).isTrue();
      assertThat(ledger.admit()).isFalse();
      assertThat(ledger.stats().freeSlots()).isZero();
      ledger.append(record("a", Instant.now()));
      ledger.flush();
      assertThat(ledger.stats().freeSlots()).isEqualTo(1);
      assertThat(ledger.admit()).isTrue();
    }
  }

  @Test
  void recentListsNewestFirst() {
    try (Ledger ledger = Ledger.open(databases.fresh("sqlite"), options(10))) {
      for (int i = 0; i < 5; i++) {
        ledger.admit();
        ledger.append(record("req-" + i, Instant.ofEpochMilli(1_000_000 + i)));
      }
      ledger.flush();
      assertThat(ledger.recent(3)).extracting(LedgerRecord::requestId).containsExactly("req-4", "req-3", "req-2");
    }
  }

  @Test
  void closingWritesWhatIsPendingAndReopeningKeepsIt() {
    DatabaseConfig database = databases.fresh("sqlite");
    try (Ledger ledger = Ledger.open(database, new LedgerConfig(60_000, 500, 10))) {
      ledger.admit();
      ledger.append(record("before-close", Instant.now()));
    }
    try (Ledger reopened = Ledger.open(database, options(10))) {
      assertThat(reopened.find("before-close")).isPresent();
    }
  }

  @Test
  void aBatchThatCannotBeWrittenIsRetriedUntilTheDatabaseAcceptsIt() throws Exception {
    DatabaseConfig database = databases.fresh("sqlite");
    try (Ledger ledger = Ledger.open(database, options(10))) {
      // Another connection holds SQLite's write lock longer than the ledger's busy timeout.
      try (Connection blocker = DriverManager.getConnection(database.url())) {
        blocker.createStatement().execute("PRAGMA busy_timeout = 0");
        blocker.setAutoCommit(false);
        blocker.createStatement().execute("INSERT INTO ledger_requests (request_id, created_at, endpoint, "
            + "status, http_status, stream, attempts, input_tokens, cached_tokens, output_tokens, cost_nanos, "
            + "latency_ms, ttft_ms) VALUES ('blocker', 0, 'x', 'ok', 200, 0, 0, 0, 0, 0, 0, 0, 0)");
        ledger.admit();
        ledger.append(record("during-outage", Instant.now()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .until(() -> ledger.stats().failedBatches() > 0);
        assertThat(ledger.healthy()).isFalse();
        blocker.rollback();
      }
      ledger.flush();
      assertThat(ledger.find("during-outage")).isPresent();
      assertThat(ledger.healthy()).isTrue();
    }
  }
}
