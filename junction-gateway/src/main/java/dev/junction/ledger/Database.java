package dev.junction.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteOpenMode;

/** Opens the ledger's database, SQLite or PostgreSQL, and brings its schema up to date. */
final class Database {

  private static final String SQLITE = "jdbc:sqlite:";
  /**
   * How long the writer waits for a connection. Hikari's default, 30 s, kept the writer waiting that
   * long on a dead database while records piled up; a live database answers in milliseconds, so 3 s
   * only ever cuts short a wait that would have failed.
   */
  static final long CONNECTION_TIMEOUT_MS = 3_000;

  private Database() {}

  /**
   * Loads SQLite's native library (extracted from its jar and compared with the copy already on disk,
   * about 55 ms) and initialises the classes of Flyway, Hikari and Jdbi (about 150 ms together), on a
   * daemon thread: at start-up the ledger's opening was the longest path, and these need no config.
   */
  static void preload() {
    Thread.ofPlatform().daemon().name("junction-ledger-preload").start(() -> {
      try {
        org.sqlite.SQLiteJDBCLoader.initialize();
        Flyway.configure();
        new HikariConfig();
        Jdbi.create(() -> {
          throw new SQLException("a class preload, never connected");
        });
      } catch (Exception | LinkageError e) {
        // The ledger's own opening meets the same problem, and reports it.
      }
    });
  }

  static boolean isSqlite(String url) {
    return url.startsWith(SQLITE);
  }

  static HikariDataSource open(DatabaseConfig config) {
    boolean sqlite = isSqlite(config.url());
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.url());
    config.user().ifPresent(hikari::setUsername);
    config.password().ifPresent(hikari::setPassword);
    hikari.setPoolName("junction-ledger");
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    hikari.setValidationTimeout(1_000);
    if (sqlite) {
      sqliteFile(config.url()).ifPresent(Database::createParentDirectory);
      // One writer at a time is all SQLite allows; WAL lets readers (admin, keys, tests) run beside it.
      // A third connection for the key store and usage reports, so the writer never waits on them.
      hikari.setMaximumPoolSize(3);
      hikari.addDataSourceProperty("journal_mode", "WAL");
      hikari.addDataSourceProperty("synchronous", "NORMAL");
      hikari.addDataSourceProperty("busy_timeout", "5000");
      // 16 MiB of pages (the default is 2 MiB) keeps the indexes' working set in memory.
      hikari.addDataSourceProperty("cache_size", "-16384");
      // SQLite's multi-thread mode: a pooled connection is used by one thread at a time, so the lock
      // SQLite otherwise takes on every call (binding each value of each record included) is spared.
      hikari.addDataSourceProperty("open_mode", Integer.toString(
          SQLiteOpenMode.READWRITE.flag | SQLiteOpenMode.CREATE.flag | SQLiteOpenMode.NOMUTEX.flag));
    } else {
      hikari.setMaximumPoolSize(4);
      // pgjdbc waits 10 s for a TCP connection by default; a URL parameter still overrides this.
      hikari.addDataSourceProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT_MS / 1000));
    }
    hikari.setMinimumIdle(1);
    // Made without opening its pool, so that the pool opens (its first connection, and SQLite's
    // native library loading) on another thread while Flyway configures itself: one after the other,
    // the two took a quarter of start-up. Flyway's first connection waits for the pool.
    HikariDataSource dataSource = new HikariDataSource();
    hikari.copyStateTo(dataSource);
    Thread opening = Thread.ofPlatform().name("junction-ledger-pool").start(() -> {
      try (Connection first = dataSource.getConnection()) {
        // Open: the pool keeps it.
      } catch (SQLException | RuntimeException e) {
        // Flyway's own connection fails the same way, and says why.
      }
    });
    try {
      Flyway flyway = Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration/" + (sqlite ? "sqlite" : "postgresql"))
          .load();
      opening.join();
      flyway.migrate();
      return dataSource;
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    } catch (InterruptedException e) {
      dataSource.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening the ledger's database", e);
    }
  }

  /** The file of a SQLite URL, or empty for an in-memory database, a {@code file:} URI or another database. */
  static Optional<Path> sqliteFile(String url) {
    if (!isSqlite(url)) {
      return Optional.empty();
    }
    String file = url.substring(SQLITE.length());
    int query = file.indexOf('?');
    String path = query < 0 ? file : file.substring(0, query);
    if (path.isEmpty() || path.equals(":memory:") || path.startsWith("file:")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(path));
  }

  private static void createParentDirectory(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create the ledger's directory " + parent, e);
    }
  }
}
