package dev.junction.testing;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Empty ledger databases for tests: a SQLite file of its own, or a schema of its own on the
 * PostgreSQL server the tests use (see Services), dropped at the end. {@link GatewayExtension}'s
 * PostgreSQL ledgers are made here too.
 */
public final class TestDatabases implements AutoCloseable {

  private final Path dir;
  private final List<String> schemas = new ArrayList<>();

  public TestDatabases(Path dir) {
    this.dir = dir;
  }

  /** A fresh, empty database of that kind: {@code sqlite} or {@code postgresql}. */
  public DatabaseConfig fresh(String kind) {
    if (kind.equals("sqlite")) {
      return new DatabaseConfig("jdbc:sqlite:" + dir.resolve(UUID.randomUUID() + "/ledger.db"), Optional.empty(),
          Optional.empty());
    }
    Postgres postgres = Services.postgres();
    return new DatabaseConfig(postgres.url("currentSchema", schema()), postgres.user(), Optional.empty());
  }

  /** A new, empty PostgreSQL schema. */
  public String schema() {
    String schema = "test_" + UUID.randomUUID().toString().replace("-", "");
    execute("CREATE SCHEMA " + schema);
    schemas.add(schema);
    return schema;
  }

  /** A directory for a ledger's spill journal, unused so far. */
  public Path spillDir() {
    return dir.resolve("spill-" + UUID.randomUUID());
  }

  private static void execute(String sql) {
    try (Connection c = Services.postgres().connect()) {
      c.createStatement().execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed on " + Services.postgres().url(), e);
    }
  }

  @Override
  public void close() {
    schemas.forEach(s -> execute("DROP SCHEMA " + s + " CASCADE"));
    schemas.clear();
  }
}
