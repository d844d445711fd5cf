package dev.junction.ledger;

import dev.junction.ledger.LedgerRecord.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jspecify.annotations.Nullable;

/** The SQL of the {@code ledger_requests} table, the same for SQLite and PostgreSQL. */
final class RecordTable {

  private static final String COLUMNS = "request_id, created_at, endpoint, model, provider, provider_model, "
      + "status, http_status, stream, attempts, input_tokens, cached_tokens, output_tokens, cost_nanos, "
      + "latency_ms, ttft_ms, error, attempt_log, cache_write_tokens, key_id, team, end_user, tags, inbound_format, "
      + "hosted_equivalent_nanos, upstream_ms";
  // Idempotent, so a batch retried after an unclear failure cannot count a request twice.
  private static final String INSERT = "INSERT INTO ledger_requests (" + COLUMNS + ") VALUES ("
      + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM ledger_requests ";
  private static final String[] STATUS_NAMES = java.util.Arrays.stream(Status.values())
      .map(s -> s.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

  /**
   * The longest a PostgreSQL write may go without an answer. Without it a server that vanished
   * without closing the connection (a dead host, a dropped route) holds the writer until the kernel
   * gives up, minutes later; a batch takes well under a second on a working server.
   */
  private static final int WRITE_TIMEOUT_MS = 10_000;

  private final Jdbi jdbi;
  private final boolean postgres;
  private final CompiledStatements compiled = new CompiledStatements();

  RecordTable(Jdbi jdbi, boolean postgres) {
    this.jdbi = jdbi;
    this.postgres = postgres;
  }

  /**
   * Writes the records in one transaction; returns how many were new (a record already there, from
   * a batch whose commit was not acknowledged or a spill replayed twice, is left as it is). Binds
   * through plain JDBC: Jdbi's per-argument type resolution cost more CPU than SQLite's insert
   * itself, and this runs for every request.
   */
  int insert(List<LedgerRecord> records) {
    return jdbi.inTransaction(handle -> {
      Connection connection = handle.getConnection();
      try {
        return insert(connection, records);
      } catch (SQLException e) {
        forget(connection);
        // The writer retries any runtime failure; Jdbi's own exceptions were runtime ones too.
        throw new UncheckedSQLException(e);
      } catch (RuntimeException e) {
        forget(connection);
        throw e;
      }
    });
  }

  private int insert(Connection connection, List<LedgerRecord> records) throws SQLException {
    PreparedStatement batch = prepare(connection, INSERT);
    try {
      for (LedgerRecord r : records) {
        batch.setString(1, r.requestId());
        batch.setLong(2, r.createdAt().toEpochMilli());
        batch.setString(3, r.endpoint());
        batch.setString(4, r.model());
        batch.setString(5, r.provider());
        batch.setString(6, r.providerModel());
        batch.setString(7, STATUS_NAMES[r.status().ordinal()]);
        batch.setInt(8, r.httpStatus());
        batch.setBoolean(9, r.stream());
        batch.setInt(10, r.attempts());
        batch.setLong(11, r.inputTokens());
        batch.setLong(12, r.cachedTokens());
        batch.setLong(13, r.outputTokens());
        batch.setLong(14, r.costNanos());
        batch.setLong(15, r.latencyMs());
        batch.setLong(16, r.ttftMs());
        batch.setString(17, r.error());
        long plainLatencyMs = AttemptLog.plainLatencyMs(r);
        batch.setString(18, plainLatencyMs < 0 ? r.attemptLog() : null);
        batch.setLong(19, r.cacheWriteTokens());
        LedgerRecord.Attribution a = r.attribution();
        batch.setString(20, a.keyId());
        batch.setString(21, a.team());
        batch.setString(22, a.user());
        batch.setString(23, a.tags());
        batch.setString(24, a.format());
        if (r.hostedEquivalentNanos() == null) {
          batch.setNull(25, java.sql.Types.BIGINT);
        } else {
          batch.setLong(25, r.hostedEquivalentNanos());
        }
        if (plainLatencyMs < 0) {
          batch.setNull(26, java.sql.Types.BIGINT);
        } else {
          batch.setLong(26, plainLatencyMs);
        }
        batch.addBatch();
      }
      int[] counts = batch.executeBatch();
      PreparedStatement upsert = prepare(connection, MinuteTable.UPSERT);
      try {
        MinuteTable.add(upsert, records, counts);
      } finally {
        release(upsert);
      }
      int inserted = 0;
      for (int count : counts) {
        inserted += count == java.sql.Statement.SUCCESS_NO_INFO ? 1 : Math.max(count, 0);
      }
      return inserted;
    } finally {
      release(batch);
    }
  }

  /** After a failure, SQLite's statements on the connection are compiled again. */
  private void forget(Connection connection) {
    if (!postgres) {
      compiled.forget(connection);
    }
  }

  private void release(PreparedStatement statement) throws SQLException {
    if (postgres) {
      statement.close();
    }
  }

  /** SQLite's statements stay compiled on their connection; PostgreSQL's close after each batch. */
  private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    if (!postgres) {
      return compiled.of(connection, sql);
    }
    connection.setNetworkTimeout(Runnable::run, WRITE_TIMEOUT_MS);
    return connection.prepareStatement(sql);
  }

  static final class UncheckedSQLException extends RuntimeException {
    UncheckedSQLException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Whether a working connection can be had: for a writer with nothing to write to test the database with. */
  boolean reachable() {
    try {
      return jdbi.<Boolean, SQLException>withHandle(h -> h.getConnection().isValid(2));
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  Optional<LedgerRecord> find(String requestId) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + "WHERE request_id = ?")
        .bind(0, requestId).map(RecordTable::read).findOne());
  }

  List<LedgerRecord> recent(int limit) {
    return jdbi.withHandle(h -> h.createQuery(SELECT + "ORDER BY created_at DESC, request_id DESC LIMIT ?")
        .bind(0, limit).map(RecordTable::read).list());
  }

  /**
   * The records that pass the filter, newest first. Each condition is a bound parameter: nothing a
   * client sent becomes SQL. A {@linkplain Timeline.Filter#bounded bounded} search looks only at the
   * newest {@code depth} records (of its key, when it names one): those from the depth-th newest
   * one's time on, which the {@code created_at} index (or the key's) finds without reading a row.
   */
  List<LedgerRecord> search(Timeline.Filter filter, int limit, int depth) {
    return jdbi.withHandle(h -> {
      List<String> conditions = new java.util.ArrayList<>();
      List<Object> values = new java.util.ArrayList<>();
      condition(conditions, values, "key_id", filter.keyId());
      Long floor = filter.bounded() ? depthFloor(h, filter.keyId(), depth) : null;
      condition(conditions, values, "model", filter.model());
      condition(conditions, values, "provider", filter.provider());
      condition(conditions, values, "status", filter.status());
      long since = Math.max(floor == null ? Long.MIN_VALUE : floor,
          filter.since() == null ? Long.MIN_VALUE : filter.since().toEpochMilli());
      if (since > Long.MIN_VALUE) {
        conditions.add("created_at >= ?");
        values.add(since);
      }
      String where = conditions.isEmpty() ? "" : "WHERE " + String.join(" AND ", conditions) + " ";
      var query = h.createQuery(SELECT + where + "ORDER BY created_at DESC, request_id DESC LIMIT ?");
      for (int i = 0; i < values.size(); i++) {
        query.bind(i, values.get(i));
      }
      return query.bind(values.size(), limit).map(RecordTable::read).list();
    });
  }

  /** When the depth-th newest record (of the key) was made; null when there are fewer. */
  private static @Nullable Long depthFloor(Handle h, @Nullable String keyId, int depth) {
    var query = h.createQuery("SELECT created_at FROM ledger_requests " + (keyId == null ? "" : "WHERE key_id = ? ")
        + "ORDER BY created_at DESC LIMIT 1 OFFSET ?");
    if (keyId != null) {
      query.bind(0, keyId);
    }
    return query.bind(keyId == null ? 0 : 1, depth - 1).mapTo(Long.class).findOne().orElse(null);
  }

  private static void condition(List<String> conditions, List<Object> values, String column, @Nullable String value) {
    if (value != null) {
      conditions.add(column + " = ?");
      values.add(value);
    }
  }

  /**
   * Sums per bucket and series: from the minutes when bucket and range are whole minutes, else from
   * the records. The bucket is integer division of the epoch milliseconds, which SQLite and
   * PostgreSQL compute alike on their integer columns.
   */
  List<Timeline.Point> timeline(Timeline.Query query) {
    if (MinuteTable.covers(query)) {
      return jdbi.withHandle(h -> MinuteTable.timeline(h, query));
    }
    String series = query.split().expression;
    String bucket = "(created_at / " + query.bucketMs() + ") * " + query.bucketMs();
    String sql = "SELECT " + bucket + " AS bucket, " + series + " AS series, COUNT(*) AS requests, "
        + "COALESCE(SUM(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END), 0) AS errors, "
        + "COALESCE(SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), 0) AS failovers, "
        + "COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens, "
        + "COALESCE(SUM(cost_nanos), 0) AS cost_nanos FROM ledger_requests WHERE created_at >= ? AND created_at < ?"
        + (query.keyId() != null ? " AND key_id = ?" : "")
        + " GROUP BY 1, 2 ORDER BY 1";
    return jdbi.withHandle(h -> {
      var statement = h.createQuery(sql).bind(0, query.from().toEpochMilli()).bind(1, query.to().toEpochMilli());
      if (query.keyId() != null) {
        statement.bind(2, query.keyId());
      }
      return statement.map(RecordTable::point).list();
    });
  }

  /** One row of a timeline, as both its queries (on the records and on the minutes) name the columns. */
  static Timeline.Point point(ResultSet rs, StatementContext context) throws SQLException {
    return new Timeline.Point(rs.getLong("bucket"), rs.getString("series"), rs.getLong("requests"),
        rs.getLong("errors"), rs.getLong("failovers"), rs.getLong("input_tokens"), rs.getLong("output_tokens"),
        rs.getLong("cost_nanos"));
  }

  private static final String SUMS = "COUNT(*) AS requests, COALESCE(SUM(cost_nanos), 0) AS cost_nanos, "
      + "COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens, "
      + "COALESCE(SUM(cached_tokens), 0) AS cached_tokens, "
      + "COALESCE(SUM(hosted_equivalent_nanos), 0) AS hosted_equivalent_nanos, "
      + "COALESCE(SUM(hosted_equivalent_nanos - cost_nanos), 0) AS saved_nanos";

  /**
   * The sums of the records the query covers. Grouped, the totals are the rows added up, read by the
   * same statement: a record committed meanwhile cannot make them disagree.
   */
  UsageReport usage(UsageReport.Query query) {
    StringBuilder where = new StringBuilder(" FROM ledger_requests WHERE created_at >= ? AND created_at < ?");
    if (query.payer() != null) {
      where.append(" AND ").append(query.payer().kind().column).append(" = ?");
    }
    return jdbi.withHandle(h -> {
      UsageReport.GroupBy groupBy = query.groupBy();
      String sql = groupBy == null ? "SELECT " + SUMS + where
          : "SELECT " + groupBy.expression + " AS grp, " + SUMS + where + " GROUP BY " + groupBy.expression;
      var statement = h.createQuery(sql).bind(0, query.from().toEpochMilli()).bind(1, query.to().toEpochMilli());
      if (query.payer() != null) {
        statement.bind(2, query.payer().id());
      }
      if (groupBy == null) {
        return new UsageReport(statement.map((rs, ctx) -> totals(rs)).one(), List.of());
      }
      List<UsageReport.Row> rows = new java.util.ArrayList<>(statement.map((rs, ctx) -> new UsageReport.Row(
          group(groupBy, rs), totals(rs))).list());
      rows.sort(java.util.Comparator.comparing(UsageReport.Row::group,
          java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())));
      UsageReport.Totals totals = UsageReport.Totals.ZERO;
      for (UsageReport.Row row : rows) {
        totals = totals.plus(row.totals());
      }
      return new UsageReport(totals, List.copyOf(rows));
    });
  }

  private static String group(UsageReport.GroupBy groupBy, ResultSet rs) throws SQLException {
    if (groupBy == UsageReport.GroupBy.DAY) {
      return java.time.LocalDate.ofEpochDay(rs.getLong("grp")).toString();
    }
    return rs.getString("grp");
  }

  private static UsageReport.Totals totals(ResultSet rs) throws SQLException {
    return new UsageReport.Totals(rs.getLong("requests"), rs.getLong("cost_nanos"), rs.getLong("input_tokens"),
        rs.getLong("output_tokens"), rs.getLong("cached_tokens"), rs.getLong("hosted_equivalent_nanos"),
        rs.getLong("saved_nanos"));
  }

  /** What the payer's records since then cost, in nano-USD; from the minutes when it is a minute's start. */
  long spentNanos(Payer payer, Instant since) {
    if (MinuteTable.startsAMinute(since)) {
      return jdbi.withHandle(h -> MinuteTable.spentNanos(h, payer, since));
    }
    return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(cost_nanos), 0) FROM ledger_requests WHERE "
            + payer.kind().column + " = ? AND created_at >= ?")
        .bind(0, payer.id()).bind(1, since.toEpochMilli()).mapTo(Long.class).one());
  }

  /** The row's attempt log, the one a plain try stands for included ({@link AttemptLog}). */
  private static @Nullable String attemptLog(ResultSet rs) throws SQLException {
    String log = rs.getString("attempt_log");
    if (log != null) {
      return log;
    }
    long upstreamMs = rs.getLong("upstream_ms");
    return rs.wasNull() ? null : AttemptLog.expandPlain(rs.getString("provider"), rs.getString("provider_model"),
        rs.getInt("http_status"), upstreamMs);
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
        rs.getLong("cost_nanos"),
        rs.getLong("latency_ms"),
        rs.getLong("ttft_ms"),
        rs.getString("error"),
        attemptLog(rs),
        rs.getLong("cache_write_tokens"),
        new LedgerRecord.Attribution(rs.getString("key_id"), rs.getString("team"), rs.getString("end_user"),
            rs.getString("tags"), rs.getString("inbound_format")),
        rs.getObject("hosted_equivalent_nanos") == null ? null : rs.getLong("hosted_equivalent_nanos"));
  }
}
