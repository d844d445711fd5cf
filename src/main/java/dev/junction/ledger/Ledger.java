package dev.junction.ledger;

import dev.junction.config.JunctionConfig;
import java.util.List;
import java.util.Optional;

/**
 * The usage ledger: one {@link LedgerRecord} per accepted request, persisted by a single batching
 * writer off the request path.
 *
 * <p>Memory is bounded without losing records: a request {@link #admit() reserves} a slot before it
 * is accepted, so a record always has room when it is {@link #append appended}; when every slot is
 * taken the gateway refuses new requests (503) instead of dropping records.
 */
public interface Ledger extends AutoCloseable {

  /**
   * Opens the database named by the config (SQLite file or PostgreSQL), migrates its schema and
   * starts the writer.
   */
  static Ledger open(JunctionConfig.DatabaseConfig database, JunctionConfig.LedgerConfig options) {
    return JdbcLedger.open(database, options);
  }

  /** Reserves room for one record; false when the ledger is full and the request must be refused. */
  boolean admit();

  /** Queues a record for an admitted request; never blocks, never fails. */
  void append(LedgerRecord record);

  /** Blocks until every record appended so far is committed. */
  void flush();

  /** Reads one record back (admin, tests). */
  Optional<LedgerRecord> find(String requestId);

  /** The most recent records, newest first (admin, tests). */
  List<LedgerRecord> recent(int limit);

  /** What the writer is doing, for readiness checks and metrics. */
  Stats stats();

  /** False while the database refuses writes (records are then held and retried). */
  boolean healthy();

  /**
   * @param queued appended and not yet committed
   * @param written committed since start
   * @param failedBatches write attempts that failed and were retried
   * @param freeSlots how many more requests can be admitted now
   */
  record Stats(long queued, long written, long failedBatches, int freeSlots) {}

  /** Flushes, stops the writer and closes the database. */
  @Override
  void close();
}
