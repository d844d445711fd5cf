package dev.junction.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.sqlite.SQLiteConnection;

/**
 * The writer's statements, compiled once per SQLite connection and kept across the pool's loans of
 * it. Compiling the 26-column insert for every batch was a tenth of the writer's CPU. They are
 * prepared on the driver's connection under the pool's proxy, so the pool neither tracks nor closes
 * them when a loan ends; they close with the connection, and one found closed is compiled again.
 * A pooled connection is lent to one thread at a time, and so are its statements. PostgreSQL's
 * driver keeps its own per-connection cache of server-prepared statements and gets none of this.
 */
final class CompiledStatements {

  /**
   * By driver connection. Not a weak map: a statement refers to its connection, so a weak key would
   * never go; the entries of connections the pool has closed go when a new connection first comes.
   */
  private final Map<SQLiteConnection, Map<String, PreparedStatement>> byConnection = new HashMap<>();

  /** The statement for {@code sql} on this pooled connection's driver connection; not to be closed. */
  PreparedStatement of(Connection pooled, String sql) throws SQLException {
    SQLiteConnection connection = pooled.unwrap(SQLiteConnection.class);
    Map<String, PreparedStatement> compiled;
    synchronized (byConnection) {
      compiled = byConnection.get(connection);
      if (compiled == null) {
        byConnection.keySet().removeIf(CompiledStatements::closed);
        compiled = new HashMap<>();
        byConnection.put(connection, compiled);
      }
    }
    PreparedStatement statement = compiled.get(sql);
    if (statement == null || statement.isClosed()) {
      statement = connection.prepareStatement(sql);
      compiled.put(sql, statement);
    }
    return statement;
  }

  /** How many connections it holds statements for. */
  int connections() {
    synchronized (byConnection) {
      return byConnection.size();
    }
  }

  private static boolean closed(SQLiteConnection connection) {
    try {
      return connection.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /** Closes and forgets this connection's statements: after a failure their state is not known. */
  void forget(Connection pooled) {
    Map<String, PreparedStatement> compiled;
    try {
      SQLiteConnection connection = pooled.unwrap(SQLiteConnection.class);
      synchronized (byConnection) {
        compiled = byConnection.remove(connection);
      }
    } catch (SQLException e) {
      return;
    }
    if (compiled != null) {
      for (PreparedStatement statement : compiled.values()) {
        try {
          statement.close();
        } catch (SQLException ignored) {
          // Its connection is closing or gone: nothing is left to free.
        }
      }
    }
  }
}
