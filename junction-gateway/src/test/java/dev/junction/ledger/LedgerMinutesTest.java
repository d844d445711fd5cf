package dev.junction.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.testing.OnBothDatabases;
import dev.junction.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger's per-minute sums, on a real SQLite file and a real PostgreSQL database: a timeline or
 * a budget total read from them equals the same sums read from the records themselves.
 */
class LedgerMinutesTest {

  private static final long T0 = 1_764_000_000_000L / 3_600_000 * 3_600_000;
  private static final String[] PROVIDERS = {"groq", "together", null};
  private static final String[] KEYS = {"key_a", "key_b", null};

  @RegisterExtension static final TestDatabases databases = TestDatabases.perClass();

  private static LedgerConfig options() {
    return new LedgerConfig(20, 500, 10_000, Optional.of(databases.spillDir()));
  }

  /** Records over ten minutes, of three providers (one absent: refused before routing), three payers and both outcomes. */
  private static List<LedgerRecord> traffic(int count, long seed) {
    Random random = new Random(seed);
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> {
      String key = KEYS[random.nextInt(KEYS.length)];
      return new LedgerRecord("req-" + seed + "-" + i, Instant.ofEpochMilli(T0 + random.nextLong(600_000)),
          "chat.completions", "model-" + random.nextInt(2), PROVIDERS[random.nextInt(PROVIDERS.length)], "m",
          random.nextInt(5) == 0 ? Status.ERROR : Status.OK, 200, false, 1 + random.nextInt(2),
          random.nextInt(1000), random.nextInt(100), random.nextInt(500), random.nextLong(10_000_000), 10, -1, null,
          null, new LedgerRecord.Attribution(key, key == null ? null : "team_" + key, null, null, "openai"));
    }).toList();
  }

  /** The traffic's ten minutes, from the minutes' sums. */
  private static List<Timeline.Point> tenMinutes(Ledger ledger, long bucketMs, Timeline.Split split) {
    return ledger.timeline(new Timeline.Query(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 600_000), bucketMs,
        split, null));
  }

  private static long requests(List<Timeline.Point> points) {
    return points.stream().mapToLong(Timeline.Point::requests).sum();
  }

  private static void write(Ledger ledger, List<LedgerRecord> records) {
    for (LedgerRecord r : records) {
      assertThat(ledger.admit()).isTrue();
      ledger.append(r);
    }
    ledger.flush();
  }

  /**
   * The same timeline twice: from the minutes (its ends on minutes' starts), and from the records
   * (its start one millisecond earlier, before any record, so the minutes cannot answer it).
   */
  private static void assertMinutesMatchRecords(Ledger ledger, Timeline.Split split, String keyId) {
    Instant from = Instant.ofEpochMilli(T0);
    Instant to = Instant.ofEpochMilli(T0 + 600_000);
    for (long bucket : new long[] {60_000, 300_000}) {
      List<Timeline.Point> minutes = ledger.timeline(new Timeline.Query(from, to, bucket, split, keyId));
      List<Timeline.Point> records = ledger.timeline(new Timeline.Query(from.minusMillis(1), to, bucket, split, keyId));
      assertThat(minutes).isNotEmpty().containsExactlyInAnyOrderElementsOf(records);
    }
  }

  @OnBothDatabases
  void aTimelineFromTheMinutesEqualsTheSameTimelineFromTheRecords(String kind) {
    try (Ledger ledger = Ledger.open(databases.fresh(kind), options())) {
      write(ledger, traffic(2_000, 1));
      for (Timeline.Split split : Timeline.Split.values()) {
        assertMinutesMatchRecords(ledger, split, null);
      }
      assertMinutesMatchRecords(ledger, Timeline.Split.MODEL, "key_a");
      assertThat(requests(tenMinutes(ledger, 600_000, Timeline.Split.NONE))).isEqualTo(2_000);
    }
  }

  /** Records as a spill journal holds them, replayed when a ledger next opens on that directory. */
  private static void spill(java.nio.file.Path directory, List<LedgerRecord> records) throws Exception {
    try (SpillJournal journal = SpillJournal.open(directory, 0)) {
      journal.append(records);
    }
  }

  private static LedgerConfig options(java.nio.file.Path spill) {
    return new LedgerConfig(20, 500, 10_000, Optional.of(spill));
  }

  @OnBothDatabases
  void recordsReplayedAgainAddNothingToTheMinutes(String kind) throws Exception {
    DatabaseConfig database = databases.fresh(kind);
    java.nio.file.Path directory = databases.spillDir();
    List<LedgerRecord> records = traffic(300, 2);
    List<Timeline.Point> before;
    try (Ledger ledger = Ledger.open(database, options(directory))) {
      write(ledger, records);
      before = tenMinutes(ledger, 60_000, Timeline.Split.PROVIDER);
    }
    // As a spill replayed after its batch had in fact been committed: every record already there.
    spill(directory, records.subList(0, 150));
    try (Ledger ledger = Ledger.open(database, options(directory))) {
      ledger.flush();
      assertThat(ledger.stats().written()).isZero();
      write(ledger, traffic(10, 3));
      assertThat(requests(tenMinutes(ledger, 60_000, Timeline.Split.PROVIDER))).isEqualTo(requests(before) + 10);
      assertMinutesMatchRecords(ledger, Timeline.Split.PROVIDER, null);
    }
  }

  @OnBothDatabases
  void aReplayMixingRecordsAlreadyThereWithNewOnesAddsOnlyTheNewOnes(String kind) throws Exception {
    DatabaseConfig database = databases.fresh(kind);
    java.nio.file.Path directory = databases.spillDir();
    List<LedgerRecord> old = traffic(200, 5);
    try (Ledger ledger = Ledger.open(database, options(directory))) {
      write(ledger, old);
    }
    List<LedgerRecord> fresh = traffic(200, 6);
    List<LedgerRecord> mixed = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      mixed.add(i % 3 == 0 ? old.get(i) : fresh.get(i));
    }
    spill(directory, mixed);
    try (Ledger ledger = Ledger.open(database, options(directory))) {
      ledger.flush();
      long added = mixed.stream().filter(fresh::contains).count();
      assertThat(ledger.stats().written()).isEqualTo(added);
      assertThat(requests(tenMinutes(ledger, 600_000, Timeline.Split.NONE))).isEqualTo(200 + added);
      assertMinutesMatchRecords(ledger, Timeline.Split.KEY, null);
      assertThat(ledger.find(fresh.get(1).requestId()).map(LedgerRecord::costNanos)).contains(fresh.get(1).costNanos());
    }
  }

  @OnBothDatabases
  void aBudgetsPeriodTotalFromTheMinutesEqualsTheRecordsSum(String kind) {
    try (Ledger ledger = Ledger.open(databases.fresh(kind), options())) {
      List<LedgerRecord> records = traffic(1_000, 4);
      write(ledger, records);
      Instant since = Instant.ofEpochMilli(T0 + 240_000);
      for (Payer payer : List.of(Payer.key("key_a"), Payer.key("key_b"), Payer.team("team_key_a"))) {
        assertThat(spent(records, payer, since)).isPositive();
        assertThat(ledger.spentNanos(payer, since)).isEqualTo(spent(records, payer, since));
        // Not on a minute's start: read from the records, and the same sum.
        Instant between = since.minusMillis(30_000);
        assertThat(ledger.spentNanos(payer, between)).isEqualTo(spent(records, payer, between));
      }
    }
  }

  private static long spent(List<LedgerRecord> records, Payer payer, Instant since) {
    return records.stream()
        .filter(r -> !r.createdAt().isBefore(since))
        .filter(r -> payer.id().equals(payer.kind() == Payer.Kind.KEY ? r.attribution().keyId() : r.attribution().team()))
        .mapToLong(LedgerRecord::costNanos).sum();
  }

  @OnBothDatabases
  void aLedgerWrittenBeforeTheMinutesExistedHasThemFilledInWhenItOpens(String kind) throws Exception {
    DatabaseConfig database = databases.fresh(kind);
    // The schema as it was before the minutes, and records written into it then.
    dev.junction.ledger.Database.sqliteFile(database.url()).ifPresent(file -> file.toFile().getParentFile().mkdirs());
    Flyway.configure().dataSource(database.url(), database.user().orElse(null), null)
        .locations("classpath:db/migration/" + kind).target("9").load().migrate();
    List<LedgerRecord> old = traffic(400, 5);
    Properties credentials = new Properties();
    database.user().ifPresent(u -> credentials.setProperty("user", u));
    try (Connection c = DriverManager.getConnection(database.url(), credentials);
        PreparedStatement insert = c.prepareStatement("INSERT INTO ledger_requests (request_id, created_at, "
            + "endpoint, model, provider, status, http_status, stream, attempts, input_tokens, cached_tokens, "
            + "output_tokens, cost_nanos, latency_ms, ttft_ms, key_id, team) "
            + "VALUES (?, ?, 'chat.completions', ?, ?, ?, 200, false, ?, ?, ?, ?, ?, 0, 0, ?, ?)")) {
      for (LedgerRecord r : old) {
        insert.setString(1, r.requestId());
        insert.setLong(2, r.createdAt().toEpochMilli());
        insert.setString(3, r.model());
        insert.setString(4, r.provider());
        insert.setString(5, r.status() == Status.OK ? "ok" : "error");
        insert.setInt(6, r.attempts());
        insert.setLong(7, r.inputTokens());
        insert.setLong(8, r.cachedTokens());
        insert.setLong(9, r.outputTokens());
        insert.setLong(10, r.costNanos());
        insert.setString(11, r.attribution().keyId());
        insert.setString(12, r.attribution().team());
        insert.executeUpdate();
      }
    }
    try (Ledger ledger = Ledger.open(database, options())) {
      write(ledger, traffic(100, 6));
      for (Timeline.Split split : Timeline.Split.values()) {
        assertMinutesMatchRecords(ledger, split, null);
      }
      assertThat(requests(tenMinutes(ledger, 600_000, Timeline.Split.NONE))).isEqualTo(500);
    }
  }
}
