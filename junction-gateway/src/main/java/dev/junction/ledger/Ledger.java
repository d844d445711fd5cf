package dev.junction.ledger;

import dev.junction.config.JunctionConfig;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The usage ledger: one {@link LedgerRecord} per accepted request, persisted by a single batching
 * writer off the request path.
 *
 * <p>Memory is bounded without losing records: a request {@link #admit() reserves} a slot before it
 * is accepted, so a record always has room when it is {@link #append appended}. Records the database
 * cannot take in time (it is down, or slower than the traffic) go to a spill journal on local disk and
 * are replayed into the database once it takes writes again; only when neither can take them does the
 * gateway refuse new requests (503) rather than drop records.
 */
public interface Ledger extends AutoCloseable {

  /**
   * Opens the database named by the config (SQLite file or PostgreSQL), migrates its schema, takes
   * the spill directory and starts the writer, which replays whatever an earlier process spilled.
   */
  static Ledger open(JunctionConfig.DatabaseConfig database, JunctionConfig.LedgerConfig options) {
    return JdbcLedger.open(database, options);
  }

  /**
   * Starts, on a background thread, what opening any ledger will need whatever its config: SQLite's
   * native library, and the classes of Flyway, Hikari and Jdbi. Called first thing at start-up, it
   * overlaps with reading the config, which opening the ledger must wait for.
   */
  static void preload() {
    Database.preload();
  }

  /** Reserves room for one record; false when the ledger is full and the request must be refused. */
  boolean admit();

  /** Queues a record for an admitted request; never blocks, never fails. */
  void append(LedgerRecord record);

  /**
   * Blocks until every record appended so far is committed, or, when the database refused it, kept
   * in the spill journal and refused again since this call began (the database was tried once more).
   */
  void flush();

  /** Reads one record back (admin, tests). */
  Optional<LedgerRecord> find(String requestId);

  /** The most recent records, newest first (admin, tests). */
  List<LedgerRecord> recent(int limit);

  /**
   * Sums of the committed records (records still queued or spilled are not in them yet: {@link #flush}
   * first for this replica's).
   */
  default UsageReport usage(UsageReport.Query query) {
    return UsageReport.EMPTY;
  }

  /** Committed records summed per time bucket and series, oldest first (the dashboard's charts). */
  default List<Timeline.Point> timeline(Timeline.Query query) {
    return Timeline.none();
  }

  /** The most recent committed records that pass the filter, newest first. */
  default List<LedgerRecord> search(Timeline.Filter filter, int limit) {
    return recent(limit);
  }

  /**
   * What a key's or a team's committed records since then cost, in nano-USD: what a budget has used
   * of its period, read once when a gateway starts.
   */
  default long spentNanos(Payer payer, Instant since) {
    return 0;
  }

  /**
   * The ledger's database, for what is kept beside the records (virtual keys and teams); empty for a
   * ledger without one.
   */
  default Optional<DataSource> database() {
    return Optional.empty();
  }

  /** What the writer is doing, for readiness checks and metrics. */
  Stats stats();

  /** False while the database refuses writes (records are then spilled to disk and replayed later). */
  boolean healthy();

  /**
   * Whether records can be kept now: in the database, or while it refuses writes in the spill
   * journal. False when both fail; requests are then refused once memory is full.
   */
  default boolean recording() {
    return healthy();
  }

  /** The message of the 503 a request gets when {@link #admit()} refused it: why there is no room. */
  default String refusal() {
    return "The gateway is saturated; retry shortly.";
  }

  /**
   * @param queued appended and not yet committed or spilled
   * @param written committed since start, replayed records included
   * @param failedBatches writes the database refused (each batch's records were then spilled)
   * @param freeSlots how many more requests can be admitted now
   * @param spilled records written to the spill journal since start
   * @param spillBacklogBytes the size of the spilled records still waiting to be replayed
   * @param commits batches committed since start
   * @param commitNanos the time those commits took, in all
   */
  record Stats(long queued, long written, long failedBatches, int freeSlots, long spilled, long spillBacklogBytes,
      long commits, long commitNanos) {

    public Stats(long queued, long written, long failedBatches, int freeSlots) {
      this(queued, written, failedBatches, freeSlots, 0, 0, 0, 0);
    }
  }

  /**
   * Commits what it can within a short bound, writes the rest to the spill journal (forced to disk),
   * stops the writer and closes the database.
   */
  @Override
  void close();
}
