package dev.junction.ledger;

import dev.junction.ledger.LedgerRecord.Status;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/** The SQL of the {@code ledger_requests} table, the same for SQLite and PostgreSQL. */
final class RecordTable {

  private static final String COLUMNS = "request_id, created_at, endpoint, model, provider, provider_model, "
      + "status, http_status, stream, attempts, input_tokens, cached_tokens, output_tokens, cost_usd, "
      + "latency_ms, ttft_ms, error, attempt_log";
  // Idempotent, so a batch retried after an unclear failure cannot count a request twice.
  private static final String INSERT = "INSERT INTO ledger_requests (" + COLUMNS + ") VALUES ("
      + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM ledger_requests ";

  private final Jdbi jdbi;

  RecordTable(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Writes the records in one transaction. */
  void insert(List<LedgerRecord> records) {
    jdbi.useTransaction(handle -> {
      PreparedBatch batch = handle.prepareBatch(INSERT);
      for (LedgerRecord r : records) {
        batch.add(r.requestId(), r.createdAt().toEpochMilli(), r.endpoint(), r.model(), r.provider(),
            r.providerModel(), r.status().name().toLowerCase(Locale.ROOT), r.httpStatus(), r.stream(),
            r.attempts(), r.inputTokens(), r.cachedTokens(), r.outputTokens(), r.costUsd(), r.latencyMs(),
            r.ttftMs(), r.error(), r.attemptLog());
      }
      batch.execute();
    });
  }

  Optional<LedgerRecord> find(String requestId) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + "WHERE request_id = ?")
        .bind(0, requestId).map(RecordTable::read).findOne());
  }

  List<LedgerRecord> recent(int limit) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + "ORDER BY created_at DESC, request_id DESC LIMIT ?")
        .bind(0, limit).map(RecordTable::read).list());
  }

  private static LedgerRecord read(ResultSet rs, StatementContext context) throws SQLException {
    return new LedgerRecord(
        rs.getString("request_id"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        rs.getString("endpoint"),
        rs.getString("model"),
        rs.getString("provider"),
        rs.getString("provider_model"),
        Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
        rs.getInt("http_status"),
        rs.getBoolean("stream"),
        rs.getInt("attempts"),
        rs.getLong("input_tokens"),
        rs.getLong("cached_tokens"),
        rs.getLong("output_tokens"),
        rs.getDouble("cost_usd"),
        rs.getLong("latency_ms"),
        rs.getLong("ttft_ms"),
        rs.getString("error"),
        rs.getString("attempt_log"));
  }
}
