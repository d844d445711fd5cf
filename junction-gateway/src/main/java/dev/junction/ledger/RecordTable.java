package dev.junction.ledger;

import dev.junction.ledger.LedgerRecord.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jspecify.annotations.Nullable;

/** The SQL of the {@code ledger_requests} table, the same for SQLite and PostgreSQL. */
final class RecordTable {

  /**
   * The columns a record has in common with the other records of its route: the same for most records
   * of a batch, they are bound once for a statement's {@link #GROUP} records of one route.
   */
  private static final String ROUTE_COLUMNS = "endpoint, model, provider, provider_model, status, http_status, "
      + "stream, attempts, key_id, team, end_user, tags, inbound_format";
  private static final int ROUTE_VALUES = 13;
  /**
   * The columns of the request itself: first those of a plain record ({@link #PLAIN_COLUMNS}), then
   * the four a plain record holds the same in.
   */
  private static final String PLAIN_COLUMNS = "request_id, created_at, input_tokens, cached_tokens, "
      + "output_tokens, cost_nanos, latency_ms, ttft_ms, upstream_ms";
  private static final int PLAIN_VALUES = 9;
  private static final String UNLESS_PLAIN_COLUMNS = "error, attempt_log, cache_write_tokens, hosted_equivalent_nanos";
  private static final String OWN_COLUMNS = PLAIN_COLUMNS + ", " + UNLESS_PLAIN_COLUMNS;
  private static final int OWN_VALUES = PLAIN_VALUES + 4;
  private static final String COLUMNS = ROUTE_COLUMNS + ", " + OWN_COLUMNS;
  private static final int ROW_VALUES = ROUTE_VALUES + OWN_VALUES;
  private static final String ROW = values(ROW_VALUES);
  /**
   * Records inserted by one statement, of one route ({@link #INSERT_ROUTE}) or of any
   * ({@link #INSERT_GROUP}). One statement per record made SQLite run its statement set-up (a cursor
   * on the table and on each index, each positioned) for every record: sixteen at a time cost 15% less
   * CPU per record.
   */
  static final int GROUP = 16;
  private static final String INSERT = "INSERT INTO ledger_requests (" + COLUMNS + ") VALUES " + ROW;
  private static final String INSERT_GROUP = "INSERT INTO ledger_requests (" + COLUMNS + ") VALUES "
      + String.join(", ", java.util.Collections.nCopies(GROUP, ROW));
  /**
   * {@link #GROUP} records of one route: its values bound once, then each record's own. Binding is a
   * call into SQLite's driver per value, and was a third of the writer's CPU; with half the values
   * per record, the writer spent a fifth less on each.
   */
  private static final String INSERT_ROUTE = insertRoute(OWN_COLUMNS, OWN_VALUES, "", "");
  /**
   * A plain record's route (no error, a plain attempt log, no cache writes, no hosted equivalent),
   * most records: the four columns it holds the same in are not bound.
   */
  private static final String INSERT_PLAIN_ROUTE = insertRoute(PLAIN_COLUMNS, PLAIN_VALUES,
      ", " + UNLESS_PLAIN_COLUMNS, ", NULL, NULL, 0, NULL");
  /** A route's statement, by whether its records are plain. */
  private static final String[] ROUTE_INSERTS = {INSERT_ROUTE, INSERT_PLAIN_ROUTE};
  /**
   * A record written again: inserted only when it is not there yet. The table has no unique index on
   * the request id (it was a third of SQLite's work per record); a record's time is part of it, so
   * the created_at index finds it among the few of the same millisecond.
   */
  private static final String INSERT_UNLESS_THERE = "INSERT INTO ledger_requests (" + COLUMNS + ") SELECT "
      + ROW.substring(1, ROW.length() - 1)
      + " WHERE NOT EXISTS (SELECT 1 FROM ledger_requests WHERE created_at = ? AND request_id = ?)";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM ledger_requests ";
  private static final String[] STATUS_NAMES = java.util.Arrays.stream(Status.values())
      .map(s -> s.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

  /**
   * The longest a PostgreSQL write may go without an answer. Without it a server that vanished
   * without closing the connection (a dead host, a dropped route) holds the writer until the kernel
   * gives up, minutes later; a batch takes well under a second on a working server.
   */
  private static final int WRITE_TIMEOUT_MS = 10_000;

  private static String insertRoute(String own, int ownValues, String fixed, String fixedValues) {
    return "INSERT INTO ledger_requests (" + ROUTE_COLUMNS + ", " + own + fixed + ") SELECT "
        + String.join(", ", java.util.Collections.nCopies(ROUTE_VALUES, "?")) + ", "
        + java.util.stream.IntStream.rangeClosed(1, ownValues).mapToObj(i -> "own.column" + i)
            .collect(java.util.stream.Collectors.joining(", "))
        + fixedValues + " FROM (VALUES " + String.join(", ", java.util.Collections.nCopies(GROUP, values(ownValues)))
        + ") AS own";
  }

  private static String values(int count) {
    return "(" + String.join(", ", java.util.Collections.nCopies(count, "?")) + ")";
  }

  private final Jdbi jdbi;
  private final boolean postgres;
  private final CompiledStatements compiled = new CompiledStatements();

  RecordTable(Jdbi jdbi, boolean postgres) {
    this.jdbi = jdbi;
    this.postgres = postgres;
  }

  /**
   * Writes the records in one transaction; returns how many were new. Binds through plain JDBC:
   * Jdbi's per-argument type resolution cost more CPU than SQLite's insert itself, and this runs for
   * every request.
   *
   * @param first whether no record of these was ever sent to the database: each is then inserted as
   *     it is, sixteen per statement. Records sent before (a spill replayed, a batch retried after a
   *     failure that may have come after its commit) are each inserted only if not there yet, so that
   *     no request is counted twice.
   */
  int insert(List<LedgerRecord> records, boolean first) {
    return jdbi.inTransaction(handle -> {
      Connection connection = handle.getConnection();
      try {
        int[] counts = first ? insertAll(connection, records) : insertMissing(connection, records);
        PreparedStatement upsert = prepare(connection, MinuteTable.UPSERT);
        try {
          MinuteTable.add(upsert, records, counts);
        } finally {
          release(upsert);
        }
        int inserted = 0;
        for (int count : counts) {
          inserted += count;
        }
        return inserted;
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

  /**
   * Inserts every record; each counts 1. Records of one route go {@link #GROUP} to a statement that
   * binds the route once; the rest, of routes with fewer records left, {@link #GROUP} to a statement
   * of whole rows, and the last ones one by one. Rows come out in another order than the batch's,
   * which nothing reads: the records are ordered by {@code created_at} and their id.
   */
  private int[] insertAll(Connection connection, List<LedgerRecord> records) throws SQLException {
    Map<Route, List<LedgerRecord>> routes = new HashMap<>();
    for (LedgerRecord r : records) {
      routes.computeIfAbsent(Route.of(r), k -> new ArrayList<>()).add(r);
    }
    List<LedgerRecord> mixed = new ArrayList<>();
    // Indexed by ROUTE_INSERTS: each prepared when a route first needs it.
    PreparedStatement[] byRoute = new PreparedStatement[ROUTE_INSERTS.length];
    try {
      for (Map.Entry<Route, List<LedgerRecord>> entry : routes.entrySet()) {
        List<LedgerRecord> route = entry.getValue();
        boolean plain = entry.getKey().plain();
        int kind = plain ? 1 : 0;
        int grouped = route.size() - route.size() % GROUP;
        for (int start = 0; start < grouped; start += GROUP) {
          PreparedStatement statement = byRoute[kind];
          if (statement == null) {
            statement = byRoute[kind] = prepare(connection, ROUTE_INSERTS[kind]);
          }
          bindRoute(statement, 0, route.get(start));
          for (int i = 0; i < GROUP; i++) {
            if (plain) {
              bindPlain(statement, ROUTE_VALUES + i * PLAIN_VALUES, route.get(start + i));
            } else {
              bindOwn(statement, ROUTE_VALUES + i * OWN_VALUES, route.get(start + i));
            }
          }
          statement.addBatch();
        }
        mixed.addAll(route.subList(grouped, route.size()));
      }
      for (PreparedStatement statement : byRoute) {
        if (statement != null) {
          statement.executeBatch();
        }
      }
    } finally {
      for (PreparedStatement statement : byRoute) {
        if (statement != null) {
          release(statement);
        }
      }
    }
    int grouped = mixed.size() - mixed.size() % GROUP;
    if (grouped > 0) {
      insertRows(connection, INSERT_GROUP, mixed.subList(0, grouped), GROUP);
    }
    if (grouped < mixed.size()) {
      insertRows(connection, INSERT, mixed.subList(grouped, mixed.size()), 1);
    }
    int[] counts = new int[records.size()];
    java.util.Arrays.fill(counts, 1);
    return counts;
  }

  /** One batch of statements of {@code rows} records each; the records fill them exactly. */
  private void insertRows(Connection connection, String sql, List<LedgerRecord> records, int rows)
      throws SQLException {
    PreparedStatement statement = prepare(connection, sql);
    try {
      for (int start = 0; start < records.size(); start += rows) {
        for (int i = 0; i < rows; i++) {
          bind(statement, i * ROW_VALUES, records.get(start + i));
        }
        statement.addBatch();
      }
      statement.executeBatch();
    } finally {
      release(statement);
    }
  }

  /** Inserts the records not there yet: 1 for each inserted, 0 for each found. */
  private int[] insertMissing(Connection connection, List<LedgerRecord> records) throws SQLException {
    PreparedStatement batch = prepare(connection, INSERT_UNLESS_THERE);
    try {
      for (LedgerRecord r : records) {
        bind(batch, 0, r);
        batch.setLong(ROW_VALUES + 1, r.createdAt().toEpochMilli());
        batch.setString(ROW_VALUES + 2, r.requestId());
        batch.addBatch();
      }
      int[] counts = batch.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        // Neither SQLite's driver nor pgjdbc (without reWriteBatchedInserts) answers SUCCESS_NO_INFO.
        counts[i] = counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO ? 1 : 0;
      }
      return counts;
    } finally {
      release(batch);
    }
  }

  /** Binds the record's 26 values after the first {@code offset} of the statement. */
  private static void bind(PreparedStatement statement, int offset, LedgerRecord r) throws SQLException {
    bindRoute(statement, offset, r);
    bindOwn(statement, offset + ROUTE_VALUES, r);
  }

  /** The values of {@link #ROUTE_COLUMNS}, after the first {@code offset} of the statement. */
  private static void bindRoute(PreparedStatement statement, int offset, LedgerRecord r) throws SQLException {
    statement.setString(offset + 1, r.endpoint());
    statement.setString(offset + 2, r.model());
    statement.setString(offset + 3, r.provider());
    statement.setString(offset + 4, r.providerModel());
    statement.setString(offset + 5, STATUS_NAMES[r.status().ordinal()]);
    statement.setInt(offset + 6, r.httpStatus());
    statement.setBoolean(offset + 7, r.stream());
    statement.setInt(offset + 8, r.attempts());
    LedgerRecord.Attribution a = r.attribution();
    statement.setString(offset + 9, a.keyId());
    statement.setString(offset + 10, a.team());
    statement.setString(offset + 11, a.user());
    statement.setString(offset + 12, a.tags());
    statement.setString(offset + 13, a.format());
  }

  /** The values of {@link #OWN_COLUMNS}, after the first {@code offset} of the statement. */
  private static void bindOwn(PreparedStatement statement, int offset, LedgerRecord r) throws SQLException {
    bindPlain(statement, offset, r);
    statement.setString(offset + PLAIN_VALUES + 1, r.error());
    // A plain log is held as its latency alone, and stored so (see AttemptLog).
    statement.setString(offset + PLAIN_VALUES + 2, r.upstreamMs() < 0 ? r.attemptLog() : null);
    statement.setLong(offset + PLAIN_VALUES + 3, r.cacheWriteTokens());
    if (r.hostedEquivalentNanos() == null) {
      statement.setNull(offset + PLAIN_VALUES + 4, java.sql.Types.BIGINT);
    } else {
      statement.setLong(offset + PLAIN_VALUES + 4, r.hostedEquivalentNanos());
    }
  }

  /** The values of {@link #PLAIN_COLUMNS}, after the first {@code offset} of the statement. */
  private static void bindPlain(PreparedStatement statement, int offset, LedgerRecord r) throws SQLException {
    statement.setString(offset + 1, r.requestId());
    statement.setLong(offset + 2, r.createdAt().toEpochMilli());
    statement.setLong(offset + 3, r.inputTokens());
    statement.setLong(offset + 4, r.cachedTokens());
    statement.setLong(offset + 5, r.outputTokens());
    statement.setLong(offset + 6, r.costNanos());
    statement.setLong(offset + 7, r.latencyMs());
    statement.setLong(offset + 8, r.ttftMs());
    if (r.upstreamMs() < 0) {
      statement.setNull(offset + 9, java.sql.Types.BIGINT);
    } else {
      statement.setLong(offset + 9, r.upstreamMs());
    }
  }

  /**
   * What {@link #ROUTE_COLUMNS} hold, and whether the record is plain ({@link #PLAIN_COLUMNS}): records
   * equal in it share a statement's route values. Its hash is written out, as the record's own
   * (through a method handle per field) was a tenth of the writer's CPU spent on the grouping alone.
   */
  private record Route(String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts,
      LedgerRecord.Attribution attribution, boolean plain) {
    static Route of(LedgerRecord r) {
      return new Route(r.endpoint(), r.model(), r.provider(), r.providerModel(), r.status(), r.httpStatus(),
          r.stream(), r.attempts(), r.attribution(), r.error() == null && r.upstreamMs() >= 0
              && r.cacheWriteTokens() == 0 && r.hostedEquivalentNanos() == null);
    }

    @Override
    public int hashCode() {
      LedgerRecord.Attribution a = attribution;
      int h = endpoint.hashCode();
      h = 31 * h + java.util.Objects.hashCode(model);
      h = 31 * h + java.util.Objects.hashCode(provider);
      h = 31 * h + java.util.Objects.hashCode(providerModel);
      h = 31 * h + status.ordinal();
      h = 31 * h + httpStatus;
      h = 31 * h + (stream ? 1 : 0);
      h = 31 * h + attempts + (plain ? 1 : 0);
      return 31 * h + java.util.Objects.hashCode(a.keyId());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Route r && endpoint.equals(r.endpoint) && java.util.Objects.equals(model, r.model)
          && java.util.Objects.equals(provider, r.provider) && java.util.Objects.equals(providerModel, r.providerModel)
          && status == r.status && httpStatus == r.httpStatus && stream == r.stream && attempts == r.attempts
          && plain == r.plain && attribution.equals(r.attribution);
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

  /**
   * The record of a request id. Junction's ids begin with the millisecond their record's
   * {@code created_at} holds, so the created_at index finds it among that millisecond's records; an id
   * of another form (from before ids held their time) is looked for in every record.
   */
  Optional<LedgerRecord> find(String requestId) {
    long millis = idMillis(requestId);
    return jdbi.withHandle(h -> {
      var query = millis < 0 ? h.createQuery(SELECT + "WHERE request_id = ?").bind(0, requestId)
          : h.createQuery(SELECT + "WHERE created_at = ? AND request_id = ?").bind(0, millis).bind(1, requestId);
      return query.map(RecordTable::read).findFirst();
    });
  }

  /** The millisecond a {@code req_} id was made in (its first 12 hex digits), or -1 for another id. */
  static long idMillis(String requestId) {
    if (requestId.length() != 36 || !requestId.startsWith("req_")) {
      return -1;
    }
    try {
      return java.util.HexFormat.fromHexDigitsToLong(requestId, 4, 16);
    } catch (IllegalArgumentException e) {
      return -1;
    }
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
        rs.getString("attempt_log"),
        rs.getLong("cache_write_tokens"),
        new LedgerRecord.Attribution(rs.getString("key_id"), rs.getString("team"), rs.getString("end_user"),
            rs.getString("tags"), rs.getString("inbound_format")),
        rs.getObject("hosted_equivalent_nanos") == null ? null : rs.getLong("hosted_equivalent_nanos"),
        rs.getObject("upstream_ms") == null ? -1 : rs.getLong("upstream_ms"));
  }
}
