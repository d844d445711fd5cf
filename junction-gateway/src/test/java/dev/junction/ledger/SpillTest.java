package dev.junction.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.testing.OnBothDatabases;
import dev.junction.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The spill journal: its format, its replay (once per record, whatever happens), and its directory. */
class SpillTest {

  @RegisterExtension static final TestDatabases databases = TestDatabases.perClass();

  private static LedgerConfig options(Path spill) {
    return new LedgerConfig(20, 100, 1_000, Optional.of(spill));
  }

  private static List<LedgerRecord> records(String prefix, int count) {
    Instant at = Instant.ofEpochMilli(1_764_000_000_000L);
    return IntStream.range(0, count).mapToObj(i -> new LedgerRecord(prefix + i, at.plusMillis(i), "chat.completions",
        "m", i % 2 == 0 ? "groq" : null, i % 2 == 0 ? "llama" : null, Status.values()[i % 4], 200, i % 3 == 0, 1,
        10 + i, i, 20 + i, 1_000L * i + 7, 5, i % 5 == 0 ? -1 : 3, i % 4 == 1 ? "a \"quoted\"\nerror" : null,
        "[{\"provider\":\"groq\",\"model\":\"llama\",\"status\":200,\"latency_ms\":5,\"error\":null}]", 0,
        i % 2 == 0 ? new LedgerRecord.Attribution("key_" + i, "team", "user \"" + i + "\"", "a,b", "openai")
            : LedgerRecord.Attribution.NONE, i % 3 == 1 ? 5_000L * i : null)).toList();
  }

  private static List<Path> segments(Path spill) throws Exception {
    try (Stream<Path> files = Files.list(spill)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  @Test
  void aSpilledRecordReadsBackWithEveryField() throws Exception {
    Path spill = databases.spillDir();
    List<LedgerRecord> written = records("req-", 12);
    try (SpillJournal journal = SpillJournal.open(spill, 0)) {
      journal.append(written.subList(0, 5));
      journal.append(written.subList(5, 12));
    }
    List<Path> files = segments(spill);
    assertThat(files).hasSize(1);
    assertThat(Files.readAllLines(files.getFirst())).hasSize(12).allSatisfy(line -> assertThat(line).startsWith("{\"request_id\":"));
    try (SpillJournal journal = SpillJournal.open(spill, 0)) {
      SpillJournal.Reader reader = SpillJournal.read(journal.oldest());
      List<LedgerRecord> read = new ArrayList<>(reader.next(5));
      read.addAll(reader.next(100));
      assertThat(reader.done()).isTrue();
      assertThat(read).isEqualTo(written);
    }
  }

  @OnBothDatabases
  void aSegmentReplayedTwiceLeavesOneRowPerRequestAndATornLastLineIsSkipped(String kind) throws Exception {
    DatabaseConfig database = databases.fresh(kind);
    Path spill = databases.spillDir();
    List<LedgerRecord> spilled = records("req-" + kind + "-", 250);
    try (SpillJournal journal = SpillJournal.open(spill, 0)) {
      journal.append(spilled);
    }
    Path segment = segments(spill).getFirst();
    byte[] copy = Files.readAllBytes(segment);

    try (Ledger ledger = Ledger.open(database, options(spill))) {
      ledger.flush();
      assertThat(ledger.stats().written()).isEqualTo(250);
      assertThat(ledger.find("req-" + kind + "-7")).contains(spilled.get(7));
      assertThat(spilled.get(7).hostedEquivalentNanos()).isNotNull();
      assertThat(ledger.find("req-" + kind + "-6")).contains(spilled.get(6));
    }
    assertThat(segments(spill)).as("a replayed segment goes").isEmpty();

    // A crash after the commit and before the delete: the segment is back, and a crash mid-write
    // tore its last line.
    Files.write(segment, copy);
    String half = new String(SpillFormat.encode(records("req-torn-", 1)), StandardCharsets.UTF_8).substring(0, 40);
    Files.writeString(segment, half, StandardOpenOption.APPEND);
    try (Ledger ledger = Ledger.open(database, options(spill))) {
      ledger.flush();
      assertThat(ledger.stats().written()).as("nothing inserted twice").isZero();
      assertThat(ledger.recent(1_000)).hasSize(250).extracting(LedgerRecord::requestId)
          .doesNotHaveDuplicates().doesNotContain("req-torn-0");
    }
    assertThat(segments(spill)).isEmpty();
  }

  @Test
  void aLargeSpillIsCutIntoSegmentsReplayedOldestFirst() throws Exception {
    DatabaseConfig database = databases.fresh("sqlite");
    Path spill = databases.spillDir();
    List<LedgerRecord> spilled = records("req-big-", 20_000);
    try (SpillJournal journal = SpillJournal.open(spill, 1_000)) {
      journal.append(spilled);
      assertThat(journal.backlogBytes()).isGreaterThan(SpillJournal.SEGMENT_BYTES);
    }
    List<Path> files = segments(spill);
    assertThat(files).hasSizeGreaterThan(1);
    assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isLessThan(SpillJournal.SEGMENT_BYTES + 400_000));
    try (Ledger ledger = Ledger.open(database, options(spill))) {
      ledger.flush();
      assertThat(ledger.stats().written()).isEqualTo(20_000);
      assertThat(ledger.stats().spillBacklogBytes()).isZero();
    }
    assertThat(segments(spill)).isEmpty();
  }

  @Test
  void aRecordWhoseNewlineWasLostIsReplayedAndADamagedLineInTheMiddleIsSkipped() throws Exception {
    DatabaseConfig database = databases.fresh("sqlite");
    Path spill = databases.spillDir();
    Files.createDirectories(spill);
    String lines = new String(SpillFormat.encode(records("req-", 3)), StandardCharsets.UTF_8);
    String[] each = lines.split("\n");
    Files.writeString(spill.resolve("spill-%020d.jsonl".formatted(7)),
        each[0] + "\n" + "{\"request_id\":\"req-damaged\",\"created_at\":\"yesterday\"}\n" + each[1] + "\n" + each[2]);
    try (Ledger ledger = Ledger.open(database, options(spill))) {
      ledger.flush();
      assertThat(ledger.recent(10)).extracting(LedgerRecord::requestId).containsExactlyInAnyOrder("req-0", "req-1", "req-2");
    }
    assertThat(segments(spill)).isEmpty();
  }

  @Test
  void aLockedSqliteDatabaseAtShutdownLosesNoRecord() throws Exception {
    DatabaseConfig database = databases.fresh("sqlite");
    Path spill = databases.spillDir();
    List<LedgerRecord> pending = records("req-locked-", 50);
    long closeMs;
    // Another connection holds SQLite's write lock past the ledger's busy timeout and its shutdown.
    Ledger ledger = Ledger.open(database, options(spill));
    try (Connection blocker = DriverManager.getConnection(database.url())) {
      blocker.createStatement().execute("PRAGMA busy_timeout = 0");
      blocker.setAutoCommit(false);
      blocker.createStatement().execute("INSERT INTO ledger_requests (request_id, created_at, endpoint, "
          + "status, http_status, stream, attempts, input_tokens, cached_tokens, output_tokens, cost_nanos, "
          + "latency_ms, ttft_ms) VALUES ('blocker', 0, 'x', 'ok', 200, 0, 0, 0, 0, 0, 0, 0, 0)");
      for (LedgerRecord record : pending) {
        assertThat(ledger.admit()).isTrue();
        ledger.append(record);
      }
      long start = System.nanoTime();
      ledger.close();
      closeMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
      blocker.rollback();
    }
    System.out.printf("spill: a ledger whose SQLite file was locked closed in %d ms%n", closeMs);
    assertThat(closeMs).as("shutdown is bounded").isLessThan(20_000);
    assertThat(segments(spill)).isNotEmpty();
    try (Ledger reopened = Ledger.open(database, options(spill))) {
      reopened.flush();
      assertThat(reopened.recent(100)).extracting(LedgerRecord::requestId)
          .containsExactlyInAnyOrderElementsOf(pending.stream().map(LedgerRecord::requestId).toList());
    }
  }

  @Test
  void aSpillDirectoryServesOneLedgerAtATime() {
    Path spill = databases.spillDir();
    try (Ledger first = Ledger.open(databases.fresh("sqlite"), options(spill))) {
      assertThatExceptionOfType(IllegalStateException.class)
          .isThrownBy(() -> Ledger.open(databases.fresh("sqlite"), options(spill)))
          .withMessageContaining("in use by another ledger").withMessageContaining("ledger.spill_dir");
      assertThat(first.admit()).isTrue();
    }
  }

  @Test
  void theSpillDirectoryDefaultsToBesideTheSqliteFile() {
    assertThat(SpillJournal.defaultDirectory("jdbc:sqlite:/var/lib/junction/ledger.db?foo=1"))
        .isEqualTo(Path.of("/var/lib/junction/ledger.db-spill"));
    assertThat(SpillJournal.defaultDirectory("jdbc:sqlite:junction.db")).isEqualTo(Path.of("junction.db-spill"));
    assertThat(SpillJournal.defaultDirectory("jdbc:postgresql://db:5432/junction")).isEqualTo(Path.of("junction-spill"));
  }

  @Test
  void spillDirIsReadFromTheConfigAndABlankOneIsAProblemNamingItsLine() throws Exception {
    Path file = databases.dir().resolve("spill-config-" + UUID.randomUUID() + ".yaml");
    Files.writeString(file, "ledger:\n  spill_dir: /data/spill\n");
    assertThat(ConfigLoader.load(file, Map.of()).ledger().spillDir()).contains(Path.of("/data/spill"));

    Files.writeString(file, "ledger:\n  flush_interval_ms: 10\n  spill_dir: \" \"\n");
    assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .satisfies(e -> assertThat(e.problems()).containsExactly(file + ":3: ledger.spill_dir: must name a directory"));
  }
}
