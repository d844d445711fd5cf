package dev.junction.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of {@code ledger_minutes}: the records summed per minute, provider, model, key and team.
 * The dashboard's charts and the budgets' period totals read these sums instead of the records, whose
 * count grows with traffic while a minute's rows grow only with the distinct routes served in it.
 *
 * <p>The writer adds each batch's sums in the transaction that inserts the batch, and only the sums of
 * the records that batch really inserted: a batch replayed after an unacknowledged commit inserts
 * nothing and adds nothing, so a minute's sums are always exactly its committed records.
 */
final class MinuteTable {

  static final long MINUTE_MS = 60_000;
  /** An absent provider, model, key or team, as the table's keys hold it (see its migration for why). */
  private static final String NONE = "";
  static final String UPSERT = "INSERT INTO ledger_minutes (minute, provider, model, key_id, team, "
      + "requests, errors, failovers, input_tokens, cached_tokens, output_tokens, cost_nanos) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (minute, provider, model, key_id, team) DO UPDATE SET "
      + "requests = ledger_minutes.requests + excluded.requests, "
      + "errors = ledger_minutes.errors + excluded.errors, "
      + "failovers = ledger_minutes.failovers + excluded.failovers, "
      + "input_tokens = ledger_minutes.input_tokens + excluded.input_tokens, "
      + "cached_tokens = ledger_minutes.cached_tokens + excluded.cached_tokens, "
      + "output_tokens = ledger_minutes.output_tokens + excluded.output_tokens, "
      + "cost_nanos = ledger_minutes.cost_nanos + excluded.cost_nanos";

  private MinuteTable() {}

  /** Whether a timeline can be read from the minutes: its buckets and both its ends are whole minutes. */
  static boolean covers(Timeline.Query query) {
    return query.bucketMs() % MINUTE_MS == 0 && startsAMinute(query.from()) && startsAMinute(query.to());
  }

  static boolean startsAMinute(Instant instant) {
    return instant.toEpochMilli() % MINUTE_MS == 0;
  }

  /**
   * Adds to the minutes what the records that were inserted add up to.
   *
   * @param counts per record, in the same order: 1 for one the insert added, 0 for one already there
   */
  static void add(PreparedStatement upsert, List<LedgerRecord> records, int[] counts) throws SQLException {
    Map<Route, long[]> sums = new HashMap<>();
    @Nullable Route last = null;
    long[] run = {}; // the first record's route replaces it
    for (int i = 0; i < records.size(); i++) {
      if (counts[i] == 0) {
        continue;
      }
      LedgerRecord r = records.get(i);
      // Records of one route come in runs: the run's sums are found again without a key or a lookup.
      if (last == null || !last.holds(r)) {
        last = Route.of(r);
        run = sums.computeIfAbsent(last, k -> new long[7]);
      }
      run[0]++;
      run[1] += r.status() == LedgerRecord.Status.OK ? 0 : 1;
      run[2] += r.attempts() > 1 ? 1 : 0;
      run[3] += r.inputTokens();
      run[4] += r.cachedTokens();
      run[5] += r.outputTokens();
      run[6] += r.costNanos();
    }
    if (sums.isEmpty()) {
      return;
    }
    for (Map.Entry<Route, long[]> e : sums.entrySet()) {
      Route route = e.getKey();
      upsert.setLong(1, route.minute());
      upsert.setString(2, route.provider());
      upsert.setString(3, route.model());
      upsert.setString(4, route.keyId());
      upsert.setString(5, route.team());
      long[] s = e.getValue();
      for (int i = 0; i < s.length; i++) {
        upsert.setLong(6 + i, s[i]);
      }
      upsert.addBatch();
    }
    upsert.executeBatch();
  }

  /** The timeline's sums per bucket and series; bucket and range are whole minutes. */
  static List<Timeline.Point> timeline(Handle handle, Timeline.Query query) {
    String series = "NULLIF(" + query.split().expression + ", '')";
    String bucket = "(minute / " + query.bucketMs() + ") * " + query.bucketMs();
    String sql = "SELECT " + bucket + " AS bucket, " + series + " AS series, SUM(requests) AS requests, "
        + "SUM(errors) AS errors, SUM(failovers) AS failovers, SUM(input_tokens) AS input_tokens, "
        + "SUM(output_tokens) AS output_tokens, SUM(cost_nanos) AS cost_nanos "
        + "FROM ledger_minutes WHERE minute >= ? AND minute < ?" + (query.keyId() != null ? " AND key_id = ?" : "")
        + " GROUP BY 1, 2 ORDER BY 1";
    var statement = handle.createQuery(sql).bind(0, query.from().toEpochMilli()).bind(1, query.to().toEpochMilli());
    if (query.keyId() != null) {
      statement.bind(2, query.keyId());
    }
    return statement.map(RecordTable::point).list();
  }

  /** What the payer's records since a minute's start cost, in nano-USD. */
  static long spentNanos(Handle handle, Payer payer, Instant since) {
    return handle.createQuery("SELECT COALESCE(SUM(cost_nanos), 0) FROM ledger_minutes WHERE "
            + payer.kind().column + " = ? AND minute >= ?")
        .bind(0, payer.id()).bind(1, since.toEpochMilli()).mapTo(Long.class).one();
  }

  /** The key of a minute's row. */
  private record Route(long minute, String provider, String model, String keyId, String team) {
    static Route of(LedgerRecord r) {
      LedgerRecord.Attribution a = r.attribution();
      return new Route(minuteOf(r), orNone(r.provider()), orNone(r.model()), orNone(a.keyId()), orNone(a.team()));
    }

    /** Whether the record's sums are this route's. */
    boolean holds(LedgerRecord r) {
      LedgerRecord.Attribution a = r.attribution();
      return minute == minuteOf(r) && provider.equals(orNone(r.provider())) && model.equals(orNone(r.model()))
          && keyId.equals(orNone(a.keyId())) && team.equals(orNone(a.team()));
    }

    private static long minuteOf(LedgerRecord r) {
      return Math.floorDiv(r.createdAt().toEpochMilli(), MINUTE_MS) * MINUTE_MS;
    }
  }

  private static String orNone(@Nullable String value) {
    return Objects.requireNonNullElse(value, NONE);
  }
}
