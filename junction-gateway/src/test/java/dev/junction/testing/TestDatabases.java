package dev.junction.testing;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Empty ledger databases for tests: a SQLite file of its own, or a schema of its own on the
 * PostgreSQL server the tests use (see Services), dropped at the end. A test class takes them from
 * {@code @RegisterExtension static final TestDatabases databases = TestDatabases.perClass();}, and
 * runs a test on both kinds with {@link OnBothDatabases}. {@link GatewayExtension}'s PostgreSQL
 * ledgers are made here too.
 */
public final class TestDatabases implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  private final List<String> schemas = new ArrayList<>();
  private @Nullable Path dir;
  private @Nullable TemporaryDirectory own;

  /** Databases under the caller's directory, which the caller deletes; {@link #close} drops the schemas. */
  public TestDatabases(Path dir) {
    this.dir = dir;
  }

  private TestDatabases() {}

  /**
   * For a static {@code @RegisterExtension} field: databases under a temporary directory of their
   * own, made before the class's tests and deleted after them, with every schema.
   */
  public static TestDatabases perClass() {
    return new TestDatabases();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    own = TemporaryDirectory.create("junction-databases-");
    dir = own.path();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // The directory goes even when dropping a schema fails.
    try (TemporaryDirectory made = own) {
      close();
    }
  }

  /** A fresh, empty database of that kind: {@code sqlite} or {@code postgresql}. */
  public DatabaseConfig fresh(String kind) {
    if (kind.equals("sqlite")) {
      return new DatabaseConfig("jdbc:sqlite:" + dir().resolve(UUID.randomUUID() + "/ledger.db"), Optional.empty(),
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
    return dir().resolve("spill-" + UUID.randomUUID());
  }

  /** The directory the databases are in, for a test's other files. */
  public Path dir() {
    // perClass() has none until JUnit calls beforeAll, which it does only for a static field.
    if (dir == null) {
      throw new IllegalStateException("TestDatabases.perClass() belongs in a static @RegisterExtension field");
    }
    return dir;
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
